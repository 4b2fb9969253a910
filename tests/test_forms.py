"""The flat forms on WTForms and the shared macros (issue 14, item 9 and defect 9): a send that
fails keeps everything typed (the claim's evidence file too), marks each error on its field
(aria-describedby, aria-invalid), and writes nothing; a claim names the certification it is
for and counts toward it; a requirement never reads "4 of 2"."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from lms.catalogue.models import Certification, Holding
from lms.claims.models import CreditClaim, PendingEvidence
from lms.credits.models import CreditEntry
from lms.events.models import Event
from tests.conftest import Web, signed_in

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def count(app: Flask, model: type, *where: Any) -> int:
    with app.app_context():
        db = app.extensions["lms"].db.session
        return db.scalar(select(func.count()).select_from(model).where(*where)) or 0


def certification_id(app: Flask, code: str) -> int:
    with app.app_context():
        db = app.extensions["lms"].db.session
        return db.scalar(select(Certification.id).where(Certification.code == code))


def value_of(page: str, name: str) -> str | None:
    """The value an <input name=...> shows (None when it has no value)."""
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert tag, f"no input {name}"
    found = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return found.group(1) if found else None


def selected(page: str, name: str) -> list[str]:
    """The values of the options chosen in <select name=...>, or of the checked checkboxes."""
    select_tag = re.search(rf'<select[^>]*\bname="{name}"[^>]*>(.*?)</select>', page, re.S)
    if select_tag:
        tags = re.findall(r"<option[^>]*>", select_tag.group(1))
        attribute = "selected"
    else:
        tags = re.findall(rf'<input[^>]*\bname="{name}"[^>]*>', page)
        attribute = "checked"
    return [
        re.search(r'\bvalue="([^"]*)"', tag).group(1)
        for tag in tags
        if re.search(rf"\b{attribute}\b", tag)
    ]


def error_linked(page: str, field_id: str) -> bool:
    """The field is marked invalid and points at its error message, which is on the page."""
    tag = re.search(rf'<(?:input|select|textarea|fieldset)[^>]*\bid="{field_id}"[^>]*>', page)
    assert tag, f"no field {field_id}"
    described = re.search(r'aria-describedby="([^"]*)"', tag.group(0))
    return (
        described is not None
        and f"{field_id}-error" in described.group(1).split()
        and f'id="{field_id}-error"' in page
        and ('aria-invalid="true"' in tag.group(0) or tag.group(0).startswith("<fieldset"))
    )


@pytest.fixture
def learner(app: Flask, demo: None) -> Web:
    return signed_in(app, "learner@example.com", "learner-demo-pass")


def hold(learner: Web, app: Flask, code: str, certified_on: str = "2025-06-01") -> None:
    response = learner.submit(
        "/my/certifications",
        {
            "certification_id": str(certification_id(app, code)),
            "number": f"{code}-100200",
            "certified_on": certified_on,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def claim_form(**changes: Any) -> dict[str, Any]:
    values = {
        "kind": "course",
        "certification_id": "",
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


def send_claim(web: Web, data: dict[str, Any]):  # noqa: ANN201
    return web.submit(
        "/my/claims/new", data, content_type="multipart/form-data", follow_redirects=False
    )


# The claim form --------------------------------------------------------------------------


def test_a_failed_claim_keeps_what_was_typed_and_the_evidence_file(
    app: Flask, learner: Web
) -> None:
    data = claim_form(credits="lots", provider="Restoration Academy of Ohio")
    data["evidence"] = (io.BytesIO(PDF), "evidence.pdf")
    response = send_claim(learner, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert count(app, CreditClaim) == 0
    # What was typed is still there, and the error sits on its field.
    assert value_of(page, "title") == "Water damage restoration workshop"
    assert value_of(page, "provider") == "Restoration Academy of Ohio"
    assert value_of(page, "completed_on") == "2026-02-20"
    assert value_of(page, "hours") == "7"
    assert value_of(page, "credits") == "lots"
    assert selected(page, "category") == ["technical"]
    assert error_linked(page, "credits") and "must be a number" in page
    assert not error_linked(page, "title")
    # The file is kept: the page says so and need not ask for it again.
    assert "<strong>evidence.pdf</strong> is attached; choose another to replace it." in page
    token = value_of(page, "evidence_token")
    assert token and count(app, PendingEvidence) == 1

    # Corrected, without choosing the file again: the claim takes the kept file.
    fixed = claim_form(provider="Restoration Academy of Ohio", evidence_token=token)
    assert send_claim(learner, fixed).status_code == 302
    with app.app_context():
        db = app.extensions["lms"].db.session
        claim = db.scalars(select(CreditClaim)).one()
        assert (claim.evidence_filename, claim.evidence_data) == ("evidence.pdf", PDF)
        assert claim.provider == "Restoration Academy of Ohio"
    assert count(app, PendingEvidence) == 0  # used once, then gone


def test_kept_evidence_is_its_owners_only(app: Flask, learner: Web, create_user: Any) -> None:
    data = claim_form(hours="")
    data["evidence"] = (io.BytesIO(PDF), "evidence.pdf")
    token = value_of(send_claim(learner, data).get_data(as_text=True), "evidence_token")
    other = create_user()
    stranger = signed_in(app, other.email, other.plain_password)
    response = send_claim(stranger, claim_form(evidence_token=token))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error_linked(page, "evidence") and "Attach the certificate" in page
    assert "is attached" not in page and count(app, CreditClaim) == 0


def test_kept_evidence_becomes_one_claim_however_often_it_is_sent(
    app: Flask, learner: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two tabs (or a double click) send the same kept file: both read the kept row before
    either takes it; only one becomes a claim, the other is told it was sent already."""
    from lms.claims import views

    data = claim_form(hours="")
    data["evidence"] = (io.BytesIO(PDF), "evidence.pdf")
    token = value_of(send_claim(learner, data).get_data(as_text=True), "evidence_token")
    with app.app_context():
        kept = app.extensions["lms"].db.session.scalars(select(PendingEvidence)).one()
        read_by_the_other_tab = PendingEvidence(
            token=kept.token,
            user_id=kept.user_id,
            filename=kept.filename,
            content_type=kept.content_type,
            data=kept.data,
            created_at=kept.created_at,
        )
    assert send_claim(learner, claim_form(evidence_token=token)).status_code == 302
    monkeypatch.setattr(views, "pending_evidence", lambda *args: read_by_the_other_tab)
    second = send_claim(learner, claim_form(evidence_token=token))
    assert second.status_code == 409 and "sent already" in second.get_data(as_text=True)
    assert count(app, CreditClaim) == 1 and count(app, PendingEvidence) == 0


def test_kept_evidence_lasts_a_day(app: Flask, learner: Web, clock: Any) -> None:
    data = claim_form(hours="")
    data["evidence"] = (io.BytesIO(PDF), "evidence.pdf")
    token = value_of(send_claim(learner, data).get_data(as_text=True), "evidence_token")
    clock.advance(hours=25)
    response = send_claim(learner, claim_form(evidence_token=token))
    assert response.status_code == 400 and error_linked(response.get_data(as_text=True), "evidence")
    assert count(app, CreditClaim) == 0
    # The next file kept clears the stale one away.
    again = claim_form(hours="")
    again["evidence"] = (io.BytesIO(PDF), "other.pdf")
    send_claim(learner, again)
    with app.app_context():
        kept = app.extensions["lms"].db.session.scalars(select(PendingEvidence)).all()
        assert [k.filename for k in kept] == ["other.pdf"]


def test_a_claim_without_a_file_asks_for_one_plainly(app: Flask, learner: Web) -> None:
    response = send_claim(learner, claim_form(title=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error_linked(page, "title") and error_linked(page, "evidence")
    assert "is attached" not in page and count(app, CreditClaim) == 0


def test_the_claim_form_labels_the_date_picker_for_what_it_is(learner: Web) -> None:
    page = learner.get("/my/claims/new").get_data(as_text=True)
    date_input = re.search(r'<input[^>]*\bname="completed_on"[^>]*>', page).group(0)
    assert 'type="date"' in date_input and "required" in date_input
    label = re.search(r'<label for="completed_on">([^<]*)</label>', page).group(1)
    assert label == "Date you completed it" and "YYYY" not in page
    # Hints are read with their fields.
    credits = re.search(r'<input[^>]*\bname="credits"[^>]*>', page).group(0)
    assert 'aria-describedby="credits-hint"' in credits and 'id="credits-hint"' in page


def test_a_claim_names_its_certification_and_counts_toward_it(
    app: Flask, learner: Web, admin: Web
) -> None:
    hold(learner, app, "CCT")
    hold(learner, app, "WRT")
    wrt = certification_id(app, "WRT")
    page = learner.get("/my/claims/new").get_data(as_text=True)
    choice = re.search(r'<select[^>]*name="certification_id".*?</select>', page, re.S).group(0)
    assert "Carpet Cleaning Technician (CCT)" in choice and f'value="{wrt}"' in choice
    data = claim_form(certification_id=str(wrt), credits="5", hours="5")
    data["evidence"] = (io.BytesIO(PDF), "evidence.pdf")
    assert send_claim(learner, data).status_code == 302
    with app.app_context():
        claim = app.extensions["lms"].db.session.scalars(select(CreditClaim)).one()
        assert claim.certification_id == wrt
        claim_id = claim.id
    assert "for WRT" in learner.get("/my/claims").get_data(as_text=True)
    assert "for WRT" in admin.get("/admin/claims").get_data(as_text=True)
    page = f"/admin/claims/{claim_id}"
    assert "Water Damage Restoration Technician (WRT)" in admin.get(page).get_data(as_text=True)
    assert admin.submit(page, action=f"{page}/approve").status_code == 302

    with app.app_context():
        entry = app.extensions["lms"].db.session.scalars(select(CreditEntry)).one()
        counted = {cycle["rule"] for cycle in entry.cycles}
    assert "WRT" in counted and "CCT" not in counted  # the pooled rule may count it too

    compliance = " ".join(learner.get("/my/compliance").get_data(as_text=True).split())
    wrt_part = compliance.split("Water Damage Restoration Technician", 1)[1]
    cct_part = compliance.split("Carpet Cleaning Technician", 1)[1]
    assert "5 CEC earned, 4 required — met" in wrt_part.split("</section>", 1)[0]
    assert "0 of 2 CEC earned" in cct_part.split("</section>", 1)[0]
    # Never "5 of 4": more earned than required is said in words.
    for earned, required in re.findall(r"(\d+(?:\.\d+)?) of (\d+(?:\.\d+)?) CEC", compliance):
        assert float(earned) <= float(required)


def test_a_certification_that_is_not_held_is_refused(app: Flask, learner: Web) -> None:
    data = claim_form(certification_id=str(certification_id(app, "MWR")))
    data["evidence"] = (io.BytesIO(PDF), "evidence.pdf")
    response = send_claim(learner, data)
    assert response.status_code == 400
    assert error_linked(response.get_data(as_text=True), "certification_id")
    assert count(app, CreditClaim) == 0


# The other migrated forms ----------------------------------------------------------------


def test_a_failed_holding_keeps_what_was_typed(app: Flask, learner: Web) -> None:
    wrt = str(certification_id(app, "WRT"))
    response = learner.submit(
        "/my/certifications",
        {"certification_id": wrt, "number": "WRT#12 !", "certified_on": "2025-05-04"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert selected(page, "certification_id") == [wrt]
    assert value_of(page, "number") == "WRT#12 !"
    assert value_of(page, "certified_on") == "2025-05-04"
    assert error_linked(page, "number") and count(app, Holding) == 0


def event_form(**changes: Any) -> dict[str, Any]:
    values = {
        "title": "Drying workshop",
        "description": "Bring boots.",
        "place": "Hall 3",
        "starts_at": "2026-04-10T09:00",
        "ends_at": "2026-04-10T08:00",  # before the start: refused
        "credits": "1",
        "hours": "4",
        "credit_unit": "CEC",
        "category": "technical",
        "certification": ["WRT", "CCT"],
        "capacity": "12",
    }
    values.update(changes)
    return values


def test_a_failed_event_keeps_what_was_typed(app: Flask, trainer: Web) -> None:
    response = trainer.submit("/studio/events/new", event_form())
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert value_of(page, "title") == "Drying workshop"
    assert "Bring boots.</textarea>" in page
    assert value_of(page, "starts_at") == "2026-04-10T09:00"
    assert value_of(page, "capacity") == "12"
    assert sorted(selected(page, "certification")) == ["CCT", "WRT"]
    assert selected(page, "category") == ["technical"]
    assert error_linked(page, "ends_at") and "The end must be after the start." in page
    assert count(app, Event) == 0


def test_an_event_without_certifications_marks_the_fieldset(app: Flask, trainer: Web) -> None:
    response = trainer.submit(
        "/studio/events/new", event_form(ends_at="2026-04-10T13:00", certification=[])
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error_linked(page, "certification") and count(app, Event) == 0


def test_a_failed_certification_keeps_what_was_typed(app: Flask, admin: Web) -> None:
    before = count(app, Certification)
    sent = {
        "code": "ASD",
        "name": "Applied Structural Drying",
        "credits_required": "two",
        "credit_unit": "CEC",
        "cycle_years": "4",
        "minutes_per_credit": "60",
        "credit_step": "0.5",
    }
    response = admin.submit("/admin/certifications/new", sent)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for name, value in sent.items():
        assert value_of(page, name) == value
    assert error_linked(page, "credits_required") and not error_linked(page, "code")
    assert "Nothing was saved." in page and count(app, Certification) == before


@pytest.mark.parametrize(
    "template",
    [
        "lms/claims/new.html",
        "lms/events/new.html",
        "lms/holdings/index.html",
        "lms/admin/certification.html",
        "lms/admin/rule.html",
        "lms/admin/approval.html",
        "lms/studio/course_fields.html",
        "lms/studio/module_edit.html",
    ],
)
def test_the_migrated_forms_use_the_shared_macros(app: Flask, template: str) -> None:
    source = app.jinja_env.loader.get_source(app.jinja_env, template)[0]
    assert 'from "lms/_forms.html" import' in source
    for copy in ("macro described", "macro error", "macro input"):
        assert copy not in source


def test_a_failed_new_course_keeps_what_was_typed(app: Flask, trainer: Web) -> None:
    from lms.catalogue.models import Course

    before = count(app, Course)
    wrt = str(certification_id(app, "WRT"))
    sent = {
        "title": "Odour Control 101",
        "summary": "Finding the source.",
        "provider": "Northfield Restoration Academy",
        "credits": "a lot",
        "certification": [wrt],
    }
    response = trainer.submit("/studio/courses/new", sent)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert value_of(page, "title") == "Odour Control 101"
    assert value_of(page, "provider") == "Northfield Restoration Academy"
    assert "Finding the source.</textarea>" in page
    assert selected(page, "certification") == [wrt]
    assert error_linked(page, "credits") and not error_linked(page, "title")
    assert count(app, Course) == before


def test_a_failed_module_keeps_its_text_and_says_to_choose_the_file_again(
    app: Flask, trainer: Web, draft: str
) -> None:
    from lms.catalogue.models import Media, Module

    modules, media = count(app, Module), count(app, Media)
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
        b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    response = trainer.submit(
        f"{draft}/modules/new",
        {
            "title": "",
            "body": "## Mould\n\nWhere it grows.",
            "media_url": "",
            "media_minutes": "3",
            "action": "save",
            "file": (io.BytesIO(png), "diagram.png"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "## Mould\n\nWhere it grows.</textarea>" in page
    assert value_of(page, "media_minutes") == "3"
    assert error_linked(page, "title") and error_linked(page, "file")
    assert "Choose the file again" in page
    assert (count(app, Module), count(app, Media)) == (modules, media)


def test_a_failed_rule_keeps_what_was_typed(app: Flask, admin: Web) -> None:
    from lms.requirements.models import RequirementRule

    before = count(app, RequirementRule)
    sent = {
        "code": "ASD-RULE",
        "certification-WRT": "y",
        "name": "Applied Structural Drying",
        "credits_required": "none",
        "credit_unit": "CEC",
        "hours_per_unit": "1",
        "cycle_months": "24",
        "effective_from": "2026-06-01",
        "category-0": "technical",
        "minimum-0": "1",
    }
    response = admin.submit("/admin/rules/new", sent)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for name in ("code", "name", "credits_required", "effective_from", "category-0"):
        assert value_of(page, name) == sent[name]
    assert selected(page, "certification-WRT") and not selected(page, "certification-CCT")
    assert error_linked(page, "credits_required") and not error_linked(page, "name")
    assert count(app, RequirementRule) == before
