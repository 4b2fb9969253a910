"""The learner's whole path through the test client, CSRF protection on."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdfium2
import zxingcpp
from pypdf import PdfReader
from sqlalchemy import func, select

from certificates.models import Certificate
from lms.credits.models import CreditEntry
from tests.conftest import Web, answer_key, complete_modules, start_quiz

SLUG = "hot-water-extraction-fundamentals"
NAME = "Zoë Łukasiewicz-Núñez"


def _assert_no_answer_key(page: str, slug: str) -> None:
    """Inputs carry only what a learner needs; no feedback or explanation text is sent."""
    from html.parser import HTMLParser

    from lms.demo_content import COURSES

    class Inputs(HTMLParser):
        attributes: set[str] = set()

        def handle_starttag(self, tag: str, attrs: list) -> None:
            if tag == "input":
                self.attributes |= {name for name, _ in attrs}

    parser = Inputs()
    parser.feed(page)
    assert parser.attributes <= {"type", "name", "value", "checked", "id"}
    course = next(c for c in COURSES if c["slug"] == slug)
    for question in course["quiz"]["questions"]:
        assert question["explanation"] not in page
        for choice in question.get("choices", []):
            if choice.get("feedback"):
                assert choice["feedback"] not in page


def _qr_urls_in_pdf(pdf_bytes: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf_bytes)
    image = document[0].render(scale=3).to_pil()
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def test_learner_signs_up_learns_passes_and_gets_a_verifiable_certificate(app, client, demo):
    web = Web(client)
    response = web.submit(
        "/register",
        {
            "name": NAME,
            "email": "zoe@example.org",
            "password": "a long pass phrase",
            "confirm": "a long pass phrase",
        },
    )
    assert response.status_code == 302

    catalogue = web.get("/").get_data(as_text=True)
    assert "Hot Water Extraction Fundamentals" in catalogue
    course_page = web.get(f"/courses/{SLUG}").get_data(as_text=True)
    assert "1 CEC" in course_page
    assert "Carpet Cleaning Technician" in course_page
    assert "Pre-spray chemistry" in course_page

    enrolled = web.submit(f"/courses/{SLUG}", action=f"/courses/{SLUG}/enrol")
    assert enrolled.status_code == 302
    first = web.get(f"/courses/{SLUG}/modules/1")
    assert first.status_code == 200
    assert "<strong>" in first.get_data(as_text=True)  # Markdown rendered, not shown raw

    # Modules open in order: skipping ahead sends the learner back to where they are.
    skipped = web.get(f"/courses/{SLUG}/modules/3")
    assert skipped.status_code == 302
    assert skipped.headers["Location"].endswith(f"/courses/{SLUG}/continue")
    web.submit(f"/courses/{SLUG}/modules/1", action=f"/courses/{SLUG}/modules/1/complete")

    # The browser closes; signing in again resumes at module 2.
    later = Web(app.test_client())
    later.login("zoe@example.org", "a long pass phrase")
    resumed = later.get(f"/courses/{SLUG}/continue")
    assert resumed.headers["Location"].endswith(f"/courses/{SLUG}/modules/2")

    complete_modules(later, SLUG)
    attempt_id = start_quiz(later, SLUG)
    quiz_page = later.get(f"/courses/{SLUG}/quiz").get_data(as_text=True)
    _assert_no_answer_key(quiz_page, SLUG)

    answers = answer_key(app, SLUG)
    submitted = later.submit(
        f"/courses/{SLUG}/quiz",
        {**answers, "score": "0", "passed": "false", "user_id": "999"},
        action=f"/courses/{SLUG}/quiz/{attempt_id}",
    )
    assert submitted.status_code == 302
    result = later.get(submitted.headers["Location"]).get_data(as_text=True)
    assert "You passed" in result

    with app.app_context():
        db = app.extensions["lms"].db.session
        entries = db.scalars(select(CreditEntry)).all()
        assert len(entries) == 1
        entry = entries[0]
        assert entry.credits == Decimal("1")
        assert entry.credit_unit == "CEC"
        assert entry.source == "online_course"
        certificate = db.get(Certificate, entry.certificate_id)
        assert db.scalar(select(func.count()).select_from(Certificate)) == 1
        assert certificate.facts["learner_name"] == NAME
        assert certificate.facts["course_title"] == "Hot Water Extraction Fundamentals"
        assert certificate.facts["course_version"] == 1
        assert certificate.facts["provider"] == "Northfield Restoration Academy"
        assert certificate.facts["credits"] == "1"
        assert certificate.facts["completed_on"] == "2026-03-02"
        assert len(certificate.public_id) >= 22  # >= 128 random bits in URL-safe base64
        public_id = certificate.public_id

    dashboard = later.get("/dashboard").get_data(as_text=True)
    assert "Hot Water Extraction Fundamentals" in dashboard
    assert "<strong>1 CEC</strong>" in dashboard
    assert 'Completed <time datetime="2026-03-02T' in dashboard
    assert ">2 March 2026</time>" in dashboard

    pdf = later.get(f"/certificates/{public_id}.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert NAME in text
    assert "Hot Water Extraction Fundamentals" in text
    assert "1 CEC" in text
    verify_url = f"http://localhost/verify/{public_id}"
    assert _qr_urls_in_pdf(pdf.data) == [verify_url]

    anonymous = app.test_client()
    verification = anonymous.get(verify_url)
    assert verification.status_code == 200
    page = verification.get_data(as_text=True)
    assert "Valid certificate" in page
    assert NAME in page
    assert "Hot Water Extraction Fundamentals" in page
    as_json = anonymous.get(verify_url, headers={"Accept": "application/json"}).get_json()
    assert as_json["status"] == "valid"
    assert as_json["facts"]["learner_name"] == NAME

    missing = anonymous.get("/verify/AAAAAAAAAAAAAAAAAAAAAAAA")
    assert missing.status_code == 404
    assert "No certificate has this id." in missing.get_data(as_text=True)
