"""Designed certificates (issue 14, item 5): the provider's branding, set by an admin and
checked, on the certificate page and in its PDF; a REVOKED watermark only on a revoked one; no
LinkedIn text on paper; the verification page in plain words, with advice when a certificate
must not be accepted, still one statement."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from certificates import Certificate, CertificateFacts, render_pdf
from certificates.pdf import CertificateDesign
from lms.admin.branding_form import contrast_with_white
from lms.awards.models import Branding
from lms.catalogue.models import Course, Holding, Media
from tests.conftest import StatementCounter, Web
from tests.test_open_badges import SLUG, admin, passed_certificate

BRANDING = {
    "organisation_name": "Institute of Restoration Standards",
    "signer_name": "Dana Whitfield",
    "signer_title": "Director of Education",
    "accent_colour": "#7a1f5c",
    "contact": "verify@irs.example",
}


def png(width: int = 120, height: int = 40) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (122, 31, 92)).save(buffer, "PNG")
    return buffer.getvalue()


def save_branding(web: Web, logo: tuple[bytes, str] | None = None, **changes: str):  # noqa: ANN201
    data: dict = {**BRANDING, **changes}
    if logo is not None:
        data["logo"] = (io.BytesIO(logo[0]), logo[1])
    return web.submit(
        "/admin/branding", data, content_type="multipart/form-data", follow_redirects=False
    )


def pdf_text(web: Web, public_id: str) -> str:
    response = web.get(f"/certificates/{public_id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return PdfReader(io.BytesIO(response.data)).pages[0].extract_text()


def stored_branding(app) -> Branding | None:  # noqa: ANN001
    with app.app_context():
        db = app.extensions["lms"].db.session
        row = db.get(Branding, 1)
        if row is not None:
            db.expunge(row)
        db.remove()
        return row


def hold_certification(app, user_id: int, number: str) -> None:  # noqa: ANN001
    """The learner holds the course's certification, so the certificate prints its number."""
    with app.app_context():
        db = app.extensions["lms"].db.session
        course = db.scalars(select(Course).where(Course.slug == SLUG)).first()
        certification = course.certifications[0]
        clock = app.extensions["lms"].clock
        db.add(
            Holding(
                user_id=user_id,
                certification_id=certification.id,
                number=number,
                certified_on=date(2024, 1, 15),
                created_at=clock(),
            )
        )
        db.commit()
        db.remove()


def revoke(app, public_id: str, reason: str) -> None:  # noqa: ANN001
    """Revoked through the service (the admin's pages for it are tested elsewhere)."""
    from lms.awards import operations as ops

    with app.app_context():
        db = app.extensions["lms"].db.session
        certificate = db.scalars(
            select(Certificate).where(Certificate.public_id == public_id)
        ).one()
        assert ops.revoke(certificate, reason, app.extensions["lms"].clock())
        db.remove()


# ---------------------------------------------------------------- the branding page


def test_an_admin_saves_the_branding_and_the_page_and_pdf_show_it(app, demo, create_user):
    learner = create_user()
    hold_certification(app, learner.id, "WRT-0042-77")
    web, public_id = passed_certificate(app, create_user, user=learner)
    response = save_branding(admin(app), logo=(png(), "Our Logo.PNG"))
    assert response.status_code == 302, response.get_data(as_text=True)

    page = web.get(f"/certificates/{public_id}").get_data(as_text=True)
    for expected in (
        "Institute of Restoration Standards",
        "Dana Whitfield",
        "Director of Education",
        "WRT-0042-77",
        "/branding/accent-7a1f5c.css",
    ):
        assert expected in page
    row = stored_branding(app)
    logo_url = f"/branding/logo/{row.logo_media_id}/Our_Logo.png"
    assert logo_url in page
    logo = app.test_client().get(logo_url)  # public: it is printed on every certificate
    assert logo.status_code == 200 and logo.mimetype == "image/png" and logo.data == png()
    assert "sandbox" in logo.headers["Content-Security-Policy"]

    text = pdf_text(web, public_id)
    for expected in (
        "Institute of Restoration Standards",
        "Certificate of Completion",
        "Dana Whitfield",
        "Director of Education",
        "Approval number:",
        "Certification number(s): CCT WRT-0042-77",
    ):
        assert expected in text
    reader = PdfReader(io.BytesIO(web.get(f"/certificates/{public_id}.pdf").data))
    images = reader.pages[0].images
    assert len(images) == 2  # the logo and the QR code


def test_the_form_refuses_bad_values_keeps_what_was_typed_and_saves_nothing(app, demo):
    web = admin(app)
    too_light = save_branding(web, accent_colour="#f0e68c")
    html = too_light.get_data(as_text=True)
    assert too_light.status_code == 400
    assert "too light to read on white" in html
    assert 'value="Dana Whitfield"' in html and 'value="Director of Education"' in html
    assert stored_branding(app) is None

    for field, value, message in (
        ("organisation_name", "", "Enter the organisation"),
        ("accent_colour", "purple", "six hex digits"),
        ("contact", "call us", "e-mail address"),
        ("signer_name", "x" * 121, "120 characters"),
        ("signer_title", "Chief\tOfficer", "control characters"),
    ):
        response = save_branding(web, **{field: value})
        assert response.status_code == 400, field
        assert message in response.get_data(as_text=True), field
    assert stored_branding(app) is None


@pytest.mark.parametrize(
    ("logo", "status", "message"),
    [
        (
            (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.svg"),
            400,
            "only PNG, JPEG",
        ),
        ((b"GIF89a" + b"\x00" * 40, "logo.gif"), 400, "PNG or JPEG"),
        ((b"<html><script>alert(1)</script></html>", "logo.png"), 400, "must match"),
        ((b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, "broken.png"), 400, "could not be read"),
        ((png(5000, 10), "wide.png"), 400, "at most 4000 pixels"),
    ],
)
def test_a_logo_must_be_a_readable_png_or_jpeg(app, demo, logo, status, message):
    response = save_branding(admin(app), logo=logo)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert message in html and "Nothing was saved" in html
    assert 'value="Institute of Restoration Standards"' in html  # what was typed stays
    assert stored_branding(app) is None


def test_a_logo_over_the_limit_is_refused_with_the_limit(app, demo):
    big = png() + b"\x00" * (1024 * 1024)  # a valid PNG's bytes, padded past 1 MB
    response = save_branding(admin(app), logo=(big, "big.png"))
    assert response.status_code == 413
    assert "1 MB" in response.get_data(as_text=True)
    assert stored_branding(app) is None


def test_a_valid_logo_is_not_kept_when_another_field_fails_and_the_page_says_so(app, demo):
    response = save_branding(admin(app), logo=(png(), "logo.png"), accent_colour="#ffffff")
    assert response.status_code == 400
    assert "choose the file again" in response.get_data(as_text=True)
    with app.app_context():
        db = app.extensions["lms"].db.session
        assert db.scalars(select(Media)).all() == []
        db.remove()


def test_only_admins_reach_the_branding_page(app, demo, create_user):
    learner = create_user()
    web = Web(app.test_client())
    web.login(learner.email, learner.plain_password)
    assert web.get("/admin/branding").status_code == 403
    assert app.test_client().get("/admin/branding").status_code == 302  # to sign in


def test_the_logo_can_be_removed(app, demo, create_user):
    web = admin(app)
    save_branding(web, logo=(png(), "logo.png"))
    old = stored_branding(app).logo_media_id
    assert save_branding(web, remove_logo="y").status_code == 302
    assert stored_branding(app).logo_media_id is None
    assert app.test_client().get(f"/branding/logo/{old}/logo.png").status_code == 404
    with app.app_context():  # the old logo's bytes are not kept
        db = app.extensions["lms"].db.session
        assert db.scalars(select(Media)).all() == []
        db.remove()


def test_a_new_logo_replaces_the_old_one(app, demo):
    web = admin(app)
    save_branding(web, logo=(png(), "first.png"))
    save_branding(web, logo=(png(80, 80), "second.png"))
    with app.app_context():
        db = app.extensions["lms"].db.session
        assert [m.filename for m in db.scalars(select(Media))] == ["second.png"]
        db.remove()


def test_the_accent_stylesheet_is_only_a_colour():
    from lms.app import create_app

    app = create_app({"TESTING": True, "LMS_DATABASE_URL": "sqlite://"})
    client = app.test_client()
    css = client.get("/branding/accent-7a1f5c.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert css.get_data(as_text=True).strip() == ":root { --cert-accent: #7a1f5c; }"
    assert client.get("/branding/accent-}body{.css").status_code == 404
    assert client.get("/branding/accent-7A1F5C.css").status_code == 404


def test_contrast_is_measured_as_wcag_does():
    assert round(contrast_with_white("#000000"), 1) == 21.0
    assert round(contrast_with_white("#ffffff"), 1) == 1.0
    assert contrast_with_white("#1e466e") > 4.5 > contrast_with_white("#f0e68c")


# ------------------------------------------------------ what the branding never changes


def test_changing_the_branding_changes_no_signed_credential_and_shows_at_once(
    app, demo, create_user
):
    _, public_id = passed_certificate(app, create_user)
    client = app.test_client()
    before = client.get(f"/credentials/{public_id}").get_data(as_text=True)
    verify_before = client.get(f"/verify/{public_id}").get_data(as_text=True)
    assert "Institute of Restoration Standards" not in verify_before
    save_branding(admin(app))
    # The page's cache is keyed by the issuer revision, which saving moved: no stale name.
    assert "Issued by Institute of Restoration Standards" in client.get(
        f"/verify/{public_id}"
    ).get_data(as_text=True)
    after = client.get(f"/credentials/{public_id}").get_data(as_text=True)
    assert json.loads(after) == json.loads(before)


# ------------------------------------------------------------------------ the PDF


FACTS = CertificateFacts(
    learner_name="Ana María Ñúñez",
    course_title="Category and Class of Water Intrusion",
    course_version=2,
    provider="Northfield Restoration Academy",
    credits=__import__("decimal").Decimal("2.5"),
    credit_unit="CEC",
    completed_on=date(2026, 2, 28),
    certification_numbers="WRT-12345",
    approval_number="IICRC-AP-4471",
)


def _lines(pdf: bytes) -> list[str]:
    return [
        line.strip() for line in PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()
    ]


def test_the_revoked_watermark_is_printed_only_on_a_revoked_certificate():
    args = {"public_id": "abc123", "verify_url": "https://ce.example/verify/abc123"}
    valid = render_pdf(FACTS, **args)
    revoked = render_pdf(FACTS, revoked="2026-03-02, Completed by someone else", **args)
    assert not any("REVOKED" in line for line in _lines(valid))
    lines = _lines(revoked)
    assert "REVOKED" in lines  # the watermark, a line of its own
    assert "REVOKED: 2026-03-02, Completed by someone else" in lines  # and in words
    # The watermark is drawn turned and translucent: a rotation matrix and an opacity state.
    content = PdfReader(io.BytesIO(revoked)).pages[0].get_contents().get_data().decode("latin-1")
    plain = PdfReader(io.BytesIO(valid)).pages[0].get_contents().get_data().decode("latin-1")
    assert " cm" in content and "/GS" in content
    assert "/GS" not in plain


def test_the_pdf_prints_the_design_and_every_number_but_no_linkedin():
    design = CertificateDesign(
        issuer_name="Institute of Restoration Standards",
        signer_name="Dana Whitfield",
        signer_title="Director of Education",
        accent_colour="#7a1f5c",
        logo=png(),
    )
    pdf = render_pdf(FACTS, public_id="abc123", verify_url="https://ce.example/v", design=design)
    text = " ".join(_lines(pdf))
    for expected in (
        "Institute of Restoration Standards",
        "Dana Whitfield",
        "Director of Education",
        "Approval number: IICRC-AP-4471",
        "Certification number(s): WRT-12345",
        "Completed on: 28 February 2026",
        "CERTIFIED",  # the seal
    ):
        assert expected in text
    assert "LinkedIn" not in text
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 2  # the logo and the QR code


def test_without_a_signer_the_pdf_names_an_authorised_signatory_of_the_provider():
    pdf = render_pdf(FACTS, public_id="abc123", verify_url="https://ce.example/v")
    lines = _lines(pdf)
    assert "Authorised signatory" in lines
    assert lines[0] == "Northfield Restoration Academy"  # the issuer's name heads the page


def test_the_certificate_page_keeps_linkedin_but_the_pdf_does_not(app, demo, create_user):
    web, public_id = passed_certificate(app, create_user)
    page = web.get(f"/certificates/{public_id}").get_data(as_text=True)
    assert "Add to LinkedIn profile" in page
    assert "LinkedIn" not in pdf_text(web, public_id)


def test_a_revoked_certificate_page_and_pdf_are_marked(app, demo, create_user):
    web, public_id = passed_certificate(app, create_user)
    assert "is-revoked" not in web.get(f"/certificates/{public_id}").get_data(as_text=True)
    revoke(app, public_id, "Course must be retaken")
    page = web.get(f"/certificates/{public_id}").get_data(as_text=True)
    assert "certificate-sheet is-revoked" in page and "Course must be retaken" in page
    assert "Add to LinkedIn profile" not in page
    assert "REVOKED" in pdf_text(web, public_id).splitlines()


# ------------------------------------------------------------ the verification page


def test_a_valid_certificate_reads_in_plain_words(app, demo, create_user):
    _, public_id = passed_certificate(app, create_user)
    html = app.test_client().get(f"/verify/{public_id}").get_data(as_text=True)
    assert "Valid certificate" in html and "You can accept this certificate." in html
    assert "The signature matches the issuer's published key." in html
    assert "Not revoked as of <time datetime=" in html
    assert "Do not accept" not in html and "What to do" not in html


def test_a_revoked_certificate_says_not_to_accept_it_and_what_to_do(app, demo, create_user):
    save_branding(admin(app))
    _, public_id = passed_certificate(app, create_user)
    revoke(app, public_id, "Completed by someone else")
    html = app.test_client().get(f"/verify/{public_id}").get_data(as_text=True)
    assert "Revoked certificate" in html and "Do not accept this certificate." in html
    assert "Completed by someone else" in html
    assert "Not revoked as of" not in html
    assert "What to do" in html and "for a current certificate" in html
    assert 'href="mailto:verify@irs.example"' in html


def test_a_tampered_certificate_is_not_valid_and_says_it_may_be_altered(app, demo, create_user):
    _, public_id = passed_certificate(app, create_user)
    with app.app_context():
        db = app.extensions["lms"].db.session
        certificate = db.scalars(
            select(Certificate).where(Certificate.public_id == public_id)
        ).one()
        certificate.facts = {**certificate.facts, "credits": "25"}
        db.commit()
        db.remove()
    html = app.test_client().get(f"/verify/{public_id}").get_data(as_text=True)
    assert "Not valid" in html and "Do not accept this certificate." in html
    assert "may have been altered or forged" in html
    assert "The signature matches" not in html and "What to do" in html


def test_an_unknown_certificate_is_a_404_with_advice(app, demo):
    save_branding(admin(app))
    response = app.test_client().get("/verify/AAAAAAAAAAAAAAAAAAAAAAAA")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Certificate not found" in html and "No certificate has this id." in html
    assert "letter for letter" in html and "for a current certificate" in html
    assert "Contact Institute of Restoration Standards" in html
    assert 'href="mailto:verify@irs.example"' in html


def test_the_verification_page_stays_one_statement_with_branding(app, demo, create_user):
    save_branding(admin(app), logo=(png(), "logo.png"))
    _, public_id = passed_certificate(app, create_user)
    client = app.test_client()
    first = client.get(f"/verify/{public_id}")  # this process builds its documents once
    assert "Institute of Restoration Standards" in first.get_data(as_text=True)
    counter = StatementCounter(app)
    assert counter.during(lambda: client.get(f"/verify/{public_id}")) == 1


def test_branding_text_is_shown_as_text_never_as_markup(app, demo, create_user):
    hostile = {
        "organisation_name": '<script>alert(1)</script> & "Sons"',
        "signer_name": '"><img src=x onerror=alert(1)>',
        "contact": 'x@y.example"onmouseover=alert(1)',
    }
    assert save_branding(admin(app), **hostile).status_code == 302
    web, public_id = passed_certificate(app, create_user)
    assert save_branding(admin(app), contact="javascript:alert(1)").status_code == 400
    pages = [
        web.get(f"/certificates/{public_id}").get_data(as_text=True),
        app.test_client().get(f"/verify/{public_id}").get_data(as_text=True),
        admin(app).get("/admin/branding").get_data(as_text=True),
    ]
    revoke(app, public_id, "Check the escaping")
    pages.append(app.test_client().get(f"/verify/{public_id}").get_data(as_text=True))
    for html in pages:
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert '"onmouseover' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Sons&#34;" in pages[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[3]  # in the advice to verifiers


def test_an_expired_certificate_says_until_when_and_what_to_do(app, demo, create_user, clock):
    app.config["LMS_CERTIFICATE_VALID_DAYS"] = 30
    _, public_id = passed_certificate(app, create_user)
    clock.advance(days=31)
    html = app.test_client().get(f"/verify/{public_id}").get_data(as_text=True)
    assert "Expired certificate" in html and "Do not accept this certificate." in html
    assert "it was valid until <time datetime=" in html and "April 2026" in html
    assert "The signature matches the issuer's published key." in html
    assert "What to do" in html and "for a current certificate" in html
