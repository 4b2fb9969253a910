"""External credit claims: the learner's form with evidence, the reviewer's decision, access."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from lms.claims.models import CreditClaim
from lms.credits.models import CreditEntry
from tests.conftest import Web, signed_in

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
HTML = b"<!doctype html><html><script>alert(1)</script></html>"


def form(**changes: Any) -> dict[str, Any]:
    values = {
        "kind": "course",
        "title": "Water damage restoration workshop",
        "provider": "Restoration Academy",
        "completed_on": "2026-02-20",  # the clock starts on 2026-03-02
        "hours": "7",
        "credits": "1.5",
        "credit_unit": "CEC",
        "category": "technical",
    }
    values.update(changes)
    return values


def with_file(data: bytes, name: str, **changes: Any) -> dict[str, Any]:
    import io

    return {**form(**changes), "evidence": (io.BytesIO(data), name)}


def send(web: Web, data: dict[str, Any]):  # noqa: ANN201
    return web.submit(
        "/my/claims/new", data, content_type="multipart/form-data", follow_redirects=False
    )


def count(app: Flask, model: type, *where: Any) -> int:
    with app.app_context():
        db = app.extensions["lms"].db.session
        return db.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.fixture
def learner(app: Flask, demo: None) -> Web:
    return signed_in(app, "learner@example.com", "learner-demo-pass")


def only_claim(app: Flask) -> CreditClaim:
    with app.app_context():
        db = app.extensions["lms"].db.session
        claim = db.scalars(select(CreditClaim)).one()
        db.expunge(claim)
        return claim


def submitted(app: Flask, learner: Web, data: bytes = PDF, name: str = "certificate.pdf") -> int:
    response = send(learner, with_file(data, name))
    assert response.status_code == 302, response.get_data(as_text=True)
    return only_claim(app).id


# Submitting ----------------------------------------------------------------------------


def test_learner_submits_a_claim_with_a_pdf(app: Flask, learner: Web) -> None:
    response = send(learner, with_file(PDF, "My Certificate.PDF"))
    assert response.status_code == 302
    claim = only_claim(app)
    assert claim.status == "pending"
    assert claim.credits == Decimal("1.50") and claim.hours == Decimal("7.00")
    assert claim.category == "technical" and claim.kind == "course"
    assert claim.evidence_type == "application/pdf"
    assert claim.evidence_filename == "My_Certificate.pdf"
    page = learner.get("/my/claims").get_data(as_text=True)
    assert "Water damage restoration workshop" in page and "Waiting for review" in page
    evidence = learner.get(f"/my/claims/{claim.id}/evidence")
    assert evidence.status_code == 200 and evidence.data == PDF
    assert evidence.mimetype == "application/pdf"
    assert evidence.headers["X-Content-Type-Options"] == "nosniff"
    # a PDF can carry script: a download, never opened in the browser's viewer on our origin
    assert evidence.headers["Content-Disposition"].startswith("attachment;")
    assert evidence.headers["Content-Security-Policy"].startswith("sandbox;")
    assert "private" in evidence.headers["Cache-Control"]


def test_learner_submits_a_claim_with_a_png(app: Flask, learner: Web) -> None:
    assert send(learner, with_file(PNG, "photo.png")).status_code == 302
    assert only_claim(app).evidence_type == "image/png"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (HTML, "certificate.pdf"),  # an HTML page named .pdf
        (PDF, "certificate.png"),  # the extension does not match the bytes
        (b"GIF89a\x01\x00\x01\x00", "scan.gif"),  # an image type evidence does not take
        (b"", "empty.pdf"),
        (PDF, "certificate"),  # no extension
    ],
)
def test_wrong_evidence_is_refused_and_nothing_saved(
    app: Flask, learner: Web, data: bytes, name: str
) -> None:
    response = send(learner, with_file(data, name))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing was saved" in page
    assert count(app, CreditClaim) == 0


def test_missing_evidence_is_refused(app: Flask, learner: Web) -> None:
    response = send(learner, form())
    assert response.status_code == 400
    assert "Attach the certificate" in response.get_data(as_text=True)
    assert count(app, CreditClaim) == 0


def test_evidence_over_the_size_limit_is_413(app: Flask, learner: Web) -> None:
    app.config["LMS_EVIDENCE_MAX_BYTES"] = 1024
    big = PDF + b"%" * 2000
    response = send(learner, with_file(big, "big.pdf"))
    assert response.status_code == 413
    assert "larger than the limit of 1 KB" in response.get_data(as_text=True)
    assert count(app, CreditClaim) == 0
    # A request far beyond the limit is refused before its file is read.
    response = send(learner, with_file(PDF + b"%" * 200_000, "huge.pdf"))
    assert response.status_code == 413
    assert count(app, CreditClaim) == 0
    # At the limit it is taken.
    assert send(learner, with_file(PDF + b"%" * (1024 - len(PDF)), "ok.pdf")).status_code == 302


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("completed_on", "2026-03-03", "cannot be in the future"),
        ("completed_on", "yesterday", "YYYY-MM-DD"),
        ("completed_on", "1900-01-01", "too far in the past"),
        ("credits", "0", "more than 0"),
        ("credits", "-1", "must be a number"),
        ("credits", "100", "at most 99"),
        ("credits", "1.255", "two decimals"),
        ("credits", "abc", "must be a number"),
        ("credits", "NaN", "must be a number"),
        ("credits", "1e2", "must be a number"),
        ("credits", "", "must be a number"),
        ("hours", "0", "more than 0"),
        ("hours", "9" * 40, "at most 999"),
        ("credit_unit", "PDH", "from the list"),
        ("category", "fun", "from the list"),
        ("kind", "webinar", "from the list"),
        ("title", "", "Give the title"),
        ("title", "x" * 201, "Give the title"),
        ("provider", "tab\there", "control characters"),
    ],
)
def test_bad_values_are_400_and_nothing_saved(
    app: Flask, learner: Web, field: str, value: str, message: str
) -> None:
    response = send(learner, with_file(PDF, "c.pdf", **{field: value}))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert count(app, CreditClaim) == 0


def test_completion_today_is_accepted(app: Flask, learner: Web) -> None:
    assert send(learner, with_file(PDF, "c.pdf", completed_on="2026-03-02")).status_code == 302


def test_the_form_needs_csrf_and_sign_in(app: Flask, demo: None, learner: Web) -> None:
    import io

    data = {**form(), "evidence": (io.BytesIO(PDF), "c.pdf")}
    response = learner.client.post("/my/claims/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    anonymous = app.test_client()
    assert anonymous.get("/my/claims").status_code == 302
    assert anonymous.get("/my/claims/new").status_code == 302
    assert count(app, CreditClaim) == 0


def test_every_field_is_labelled(learner: Web) -> None:
    page = learner.get("/my/claims/new").get_data(as_text=True)
    ids = re.findall(r'<(?:input(?![^>]*type="hidden")|select|textarea)[^>]*\bid="([^"]+)"', page)
    assert len(ids) == 10  # with the certification the claim is for
    for field_id in ids:
        assert f'for="{field_id}"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "style=" not in page and "<script>" not in page  # time_zone.js is ours (src)


# Access --------------------------------------------------------------------------------


def test_another_learner_cannot_see_or_download_a_claim(
    app: Flask, learner: Web, create_user: Callable[..., Any]
) -> None:
    claim_id = submitted(app, learner)
    other = create_user()
    stranger = signed_in(app, other.email, other.plain_password)
    assert stranger.get(f"/my/claims/{claim_id}/evidence").status_code == 404
    assert "Water damage" not in stranger.get("/my/claims").get_data(as_text=True)
    assert stranger.get("/my/claims/99999999999/evidence").status_code == 404
    assert stranger.get(f"/admin/claims/{claim_id}/evidence").status_code == 403


def test_learners_and_trainers_get_403_on_the_review_pages(
    app: Flask, learner: Web, trainer: Web
) -> None:
    claim_id = submitted(app, learner)
    for web in (learner, trainer):
        assert web.get("/admin/claims").status_code == 403
        assert web.get(f"/admin/claims/{claim_id}").status_code == 403
        assert web.get(f"/admin/claims/{claim_id}/evidence").status_code == 403
        token = web.token("/my/claims/new")
        for action in ("approve", "reject"):
            response = web.client.post(
                f"/admin/claims/{claim_id}/{action}",
                data={"csrf_token": token, "reason": "no"},
            )
            assert response.status_code == 403
    assert only_claim(app).status == "pending"
    assert count(app, CreditEntry) == 0


def test_admin_sees_the_queue_and_the_evidence(app: Flask, learner: Web, admin: Web) -> None:
    first = submitted(app, learner)
    assert send(learner, with_file(PNG, "photo.png", title="Trade show")).status_code == 302
    done = admin.submit(f"/admin/claims/{first}", action=f"/admin/claims/{first}/approve")
    assert done.status_code == 302, done.get_data(as_text=True)
    page = admin.get("/admin/claims").get_data(as_text=True)
    page = page[page.index("<h1>") :]  # after the flash message, which names the workshop
    # Pending first: the trade show is listed before the approved workshop.
    assert page.index("Trade show") < page.index("Water damage restoration workshop")
    assert "Lee Learner" in page
    evidence = admin.get(f"/admin/claims/{first}/evidence")
    assert evidence.status_code == 200 and evidence.data == PDF
    from lms.claims.operations import pending_claims_count

    with app.app_context():
        assert pending_claims_count() == 1
    # Admins may use the learner's address too.
    assert admin.get(f"/my/claims/{first}/evidence").status_code == 200
    assert admin.get("/admin/claims/99999999999").status_code == 404
    assert admin.get("/admin/claims/12345").status_code == 404


# Deciding ------------------------------------------------------------------------------


def ledger(app: Flask) -> list[CreditEntry]:
    with app.app_context():
        db = app.extensions["lms"].db.session
        entries = list(db.scalars(select(CreditEntry).order_by(CreditEntry.id)))
        for entry in entries:
            db.expunge(entry)
        return entries


def test_approve_writes_exactly_one_reviewer_entry(app: Flask, learner: Web, admin: Web) -> None:
    claim_id = submitted(app, learner)
    page = f"/admin/claims/{claim_id}"
    response = admin.submit(page, action=f"{page}/approve")
    assert response.status_code == 302
    [entry] = ledger(app)
    assert entry.source == "external_claim" and entry.source_ref == f"claim:{claim_id}"
    assert entry.verification == "reviewer"
    assert entry.credits == Decimal("1.50") and entry.hours == Decimal("7.00")
    assert entry.category == "technical"
    assert entry.earned_on.isoformat() == "2026-02-20"
    claim = only_claim(app)
    assert claim.status == "approved" and claim.reviewer_id is not None
    assert "Approved" in learner.get("/my/claims").get_data(as_text=True)


def test_approve_twice_gives_one_entry_and_a_409(app: Flask, learner: Web, admin: Web) -> None:
    claim_id = submitted(app, learner)
    page = f"/admin/claims/{claim_id}"
    token = admin.token(page)  # the page as it was before the first click
    assert admin.submit(page, action=f"{page}/approve").status_code == 302
    again = admin.client.post(f"{page}/approve", data={"csrf_token": token})
    assert again.status_code == 409
    assert "already approved" in again.get_data(as_text=True)
    # Approve then reject: the approval stands.
    reject = admin.client.post(f"{page}/reject", data={"csrf_token": token, "reason": "Fake"})
    assert reject.status_code == 409
    assert len(ledger(app)) == 1
    assert only_claim(app).status == "approved"


def test_two_admins_approving_at_once_credit_once(
    app: Flask, learner: Web, admin: Web, create_user: Callable[..., Any]
) -> None:
    claim_id = submitted(app, learner)
    admins = [admin]
    for _ in range(3):
        user = create_user(role="admin")
        admins.append(signed_in(app, user.email, user.plain_password))
    page = f"/admin/claims/{claim_id}"
    tokens = [web.token(page) for web in admins]
    barrier = threading.Barrier(len(admins))
    statuses: list[int] = []

    def approve(web: Web, token: str) -> None:
        barrier.wait()
        response = web.client.post(f"{page}/approve", data={"csrf_token": token})
        statuses.append(response.status_code)

    threads = [
        threading.Thread(target=approve, args=pair) for pair in zip(admins, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 409, 409, 409]
    assert len(ledger(app)) == 1


def test_reject_needs_a_reason(app: Flask, learner: Web, admin: Web) -> None:
    claim_id = submitted(app, learner)
    page = f"/admin/claims/{claim_id}"
    response = admin.submit(page, {"reason": "   "}, action=f"{page}/reject")
    assert response.status_code == 400
    assert "Say why the claim is rejected" in response.get_data(as_text=True)
    assert only_claim(app).status == "pending"
    response = admin.submit(
        page, {"reason": "The certificate names someone else."}, action=f"{page}/reject"
    )
    assert response.status_code == 302
    claim = only_claim(app)
    assert claim.status == "rejected"
    assert claim.decision_reason == "The certificate names someone else."
    assert ledger(app) == []
    mine = learner.get("/my/claims").get_data(as_text=True)
    assert "Rejected" in mine and "The certificate names someone else." in mine
    # Reject then approve: refused, no credit.
    again = admin.submit(page, action=f"{page}/approve")
    assert again.status_code == 409 and "already rejected" in again.get_data(as_text=True)
    assert ledger(app) == []


def test_an_approval_that_fails_writes_nothing(
    app: Flask, learner: Web, admin: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim's status and its ledger entry commit together: a failing append leaves the
    claim pending."""
    claim_id = submitted(app, learner)
    import lms.claims.operations as claims_ops

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the ledger is down")

    monkeypatch.setattr(claims_ops, "append_entry", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    page = f"/admin/claims/{claim_id}"
    response = admin.submit(page, action=f"{page}/approve")
    assert response.status_code == 500
    with app.app_context():
        app.extensions["lms"].db.session.remove()
    assert only_claim(app).status == "pending"
    assert ledger(app) == []


def test_what_a_learner_types_is_shown_as_text(app: Flask, learner: Web, admin: Web) -> None:
    from tests.html_safety import script_hazards

    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    response = send(learner, with_file(PDF, "c.pdf", title=hostile[:200], provider=hostile))
    assert response.status_code == 302
    claim_id = only_claim(app).id
    pages = [
        learner.get("/my/claims"),
        admin.get("/admin/claims"),
        admin.get(f"/admin/claims/{claim_id}"),
        admin.submit(
            f"/admin/claims/{claim_id}",
            {"reason": hostile},
            action=f"/admin/claims/{claim_id}/reject",
            follow_redirects=True,
        ),
        learner.get("/my/claims"),
    ]
    for page in pages:
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert script_hazards(text) == [] and "&lt;script&gt;" in text


def test_a_claim_counts_once_the_learner_adds_the_certification(
    app: Flask, learner: Web, admin: Web
) -> None:
    """Approved before any holding was recorded, the credit still finds its certification."""
    claim_id = submitted(app, learner)
    page = f"/admin/claims/{claim_id}"
    assert admin.submit(page, action=f"{page}/approve").status_code == 302
    from lms.catalogue.models import Certification

    with app.app_context():
        wrt = (
            app.extensions["lms"]
            .db.session.scalars(select(Certification.id).where(Certification.code == "WRT"))
            .one()
        )
    added = learner.submit(
        "/my/certifications",
        {"certification_id": wrt, "number": "W-77", "certified_on": "2025-06-01"},
    )
    assert added.status_code == 302
    compliance = learner.get("/my/compliance").get_data(as_text=True)
    assert "1.5 of 4" in compliance


def test_nobody_decides_their_own_claim(app: Flask, admin: Web) -> None:
    claim_id = submitted(app, admin)
    page = f"/admin/claims/{claim_id}"
    refused = admin.submit(page, action=f"{page}/approve")
    assert refused.status_code == 403 and "your own claim" in refused.get_data(as_text=True)
    assert ledger(app) == [] and only_claim(app).status == "pending"
