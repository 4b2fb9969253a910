"""The audit packet: a ZIP of the transcript and every certificate of the period (PDF and
signed credential), with a manifest of SHA-256 checksums; the credentials verify offline with
the issuer profile and revocation list it carries."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from certificates import Certificate
from certificates.checking import check_credential
from tests.conftest import signed_in
from tests.test_ledger_chain import add_entry, award

SLUGS = (
    "hot-water-extraction-fundamentals",
    "category-and-class-of-water-intrusion",
    "moisture-mapping-and-drying-documentation",
)


@pytest.fixture
def learner(app, demo, clock, create_user):
    """Two certificates in March 2026, one in May 2026, and an event entry without one."""
    user = create_user(name="Renée Lefèvre")
    # The third demo course's approval ends in April 2026: it is taken first.
    user.march = [award(app, clock, user.id, SLUGS[2])]
    clock.advance(days=10)
    user.march.append(award(app, clock, user.id, SLUGS[1]))
    add_entry(app, clock, user.id, ref="event:1", description="Spring meeting")
    clock.advance(days=60)
    user.may = award(app, clock, user.id, SLUGS[0])
    user.web = signed_in(app, user.email, user.plain_password)
    return user


def _open(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def _stored_credential(app, public_id: str) -> dict:
    with app.app_context():
        db = app.extensions["lms"].db.session
        return db.scalars(
            select(Certificate.credential).where(Certificate.public_id == public_id)
        ).one()


def test_the_packet_holds_the_period_with_a_manifest_that_matches(app, learner, clock):
    response = learner.web.get("/my/audit-packet.zip?from=2026-03-01&to=2026-03-31")
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="audit-packet-{learner.id}-2026-03-01-to-2026-03-31.zip"'
    )
    archive = _open(response)
    expected = {
        "transcript.csv",
        "transcript.pdf",
        "issuer-profile.json",
        "status-list.json",
        "manifest.json",
    } | {
        f"{kind}/{pid}.{ext}"
        for pid in learner.march
        for kind, ext in (("certificates", "pdf"), ("credentials", "json"))
    }
    assert set(archive.namelist()) == expected  # nothing from May, nothing of anyone else

    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["period"] == {
        "label": "2026-03-01 to 2026-03-31",
        "from": "2026-03-01",
        "to": "2026-03-31",
        "rule": None,
    }
    assert manifest["learner"]["name"] == "Renée Lefèvre"
    assert manifest["totals"] == {"CEC": {"credits": "4", "hours": "0"}}
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(listed) == expected - {"manifest.json"}
    for name, entry in listed.items():
        data = archive.read(name)
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["bytes"]

    # Each credential is the stored one and verifies offline with the packet's own documents.
    profile = json.loads(archive.read("issuer-profile.json"))
    status = json.loads(archive.read("status-list.json"))
    for public_id in learner.march:
        credential = json.loads(archive.read(f"credentials/{public_id}.json"))
        assert credential == _stored_credential(app, public_id)
        report = check_credential(
            credential, issuer_profile=profile, status_list=status, now=clock()
        )
        assert report.verdict == "valid", report
        # the packet's list is a copy for the day it was made: later, fetch the issuer's
        stale = check_credential(
            credential, issuer_profile=profile, status_list=status, now=clock() + timedelta(days=2)
        )
        assert stale.verdict == "invalid" and "fetch a fresh one" in stale.step("status").detail
        pdf = PdfReader(io.BytesIO(archive.read(f"certificates/{public_id}.pdf")))
        text = " ".join(pdf.pages[0].extract_text().split())
        assert "Renée Lefèvre" in text and public_id in text

    assert "Download both from the issuer (http://localhost/issuer" in manifest["how_to_verify"]

    rows = list(csv.reader(io.StringIO(archive.read("transcript.csv").decode("utf-8-sig"))))
    assert sorted(r[8] for r in rows[1:] if r[8]) == sorted(learner.march)
    assert [r[2] for r in rows[1:]][-1] == "Spring meeting"
    transcript = PdfReader(io.BytesIO(archive.read("transcript.pdf")))
    assert "Renée Lefèvre" in transcript.pages[0].extract_text()


def test_a_tampered_credential_in_the_packet_fails_its_check(app, learner, clock):
    """The check in the test above can fail: one changed field breaks the signature."""
    archive = _open(learner.web.get("/my/audit-packet.zip?from=2026-03-01&to=2026-03-31"))
    credential = json.loads(archive.read(f"credentials/{learner.march[0]}.json"))
    credential["credentialSubject"]["creditsEarned"] = 40
    report = check_credential(
        credential,
        issuer_profile=json.loads(archive.read("issuer-profile.json")),
        status_list=json.loads(archive.read("status-list.json")),
        now=clock(),
    )
    assert report.verdict != "valid"


def test_a_period_without_certificates_has_only_the_transcript(app, learner):
    archive = _open(learner.web.get("/my/audit-packet.zip?from=2020-01-01&to=2020-12-31"))
    assert set(archive.namelist()) == {"transcript.csv", "transcript.pdf", "manifest.json"}
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["entries"] == 0 and manifest["totals"] == {}


def test_a_reissued_and_revoked_certificate_travels_with_its_replacement(app, learner, admin):
    first = learner.march[0]
    assert (
        admin.submit(f"/certificates/{first}", action=f"/certificates/{first}/reissue").status_code
        == 302
    )
    with app.app_context():
        db = app.extensions["lms"].db.session
        old_id = db.scalars(select(Certificate.id).where(Certificate.public_id == first)).one()
        new = db.scalars(
            select(Certificate.public_id).where(Certificate.replaces_id == old_id)
        ).one()
    names = set(_open(learner.web.get("/my/audit-packet.zip?all=1")).namelist())
    assert {
        f"certificates/{first}.pdf",
        f"certificates/{new}.pdf",
        f"credentials/{new}.json",
    } <= names
    archive = _open(learner.web.get("/my/audit-packet.zip?all=1"))
    old_pdf = PdfReader(io.BytesIO(archive.read(f"certificates/{first}.pdf")))
    assert "REVOKED" in old_pdf.pages[0].extract_text()


def test_an_admin_gets_a_persons_packet_and_others_never_see_it(
    app, learner, admin, clock, create_user
):
    other = create_user(name="Other Learner")
    theirs = award(app, clock, other.id, SLUGS[1])
    add_entry(
        app, clock, other.id, ref="event:9", description="Other's event", earned_on=date(2026, 3, 5)
    )

    mine = _open(learner.web.get("/my/audit-packet.zip?all=1"))
    assert not any(theirs in name for name in mine.namelist())
    assert b"Other's event" not in mine.read("transcript.csv")
    assert "Other Learner" not in mine.read("manifest.json").decode()

    by_admin = _open(admin.get(f"/admin/users/{learner.id}/audit-packet.zip?all=1"))
    assert set(by_admin.namelist()) == set(mine.namelist())
    assert json.loads(by_admin.read("manifest.json"))["learner"]["name"] == "Renée Lefèvre"
    assert admin.get("/admin/users/999999/audit-packet.zip").status_code == 404
    assert admin.get(f"/admin/users/{learner.id}/audit-packet.zip?from=bad").status_code == 400

    # The other learner cannot reach this one's packet through the admin address.
    other_web = signed_in(app, other.email, other.plain_password)
    assert other_web.get(f"/admin/users/{learner.id}/audit-packet.zip").status_code == 403


def test_too_many_certificates_is_a_clear_413(app, learner, monkeypatch):
    from lms.credits import audit

    monkeypatch.setattr(audit, "MAX_CERTIFICATES", 2)
    response = learner.web.get("/my/audit-packet.zip?all=1")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "This period has 3 certificates" in page and "Choose a shorter period" in page
    assert learner.web.get("/my/audit-packet.zip?from=2026-03-01&to=2026-03-31").status_code == 200
