"""Designed certificates and the verification page in Debian's Chromium (issue 14, item 5).

The admin sets the branding (a refused colour first, then a logo); the graduate's certificate
page shows it, valid and revoked, and its PDF is read back and its first page rendered to PNG;
a verifier on a phone reads each verdict. Every page: axe-core (WCAG 2.1 A/AA, nothing
serious or critical), no sideways scroll at 390 px, screenshots at phone and desktop widths
(``certificate-*``, ``verify-*`` in the screenshot folder).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

from PIL import Image, ImageDraw  # noqa: E402
from playwright.sync_api import Page, expect  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from sqlalchemy import select  # noqa: E402

from certificates import Certificate  # noqa: E402
from tests.browser.conftest import PHONE, SCREENSHOTS, sign_in  # noqa: E402

ORGANISATION = "Institute of Restoration Standards"
SIGNER = "Dana Whitfield"
SIGNER_TITLE = "Director of Education"
ACCENT = "#7a1f5c"
ACCENT_RGB = "rgb(122, 31, 92)"
CONTACT = "verify@irs.example"


def _logo(path: Path) -> Path:
    """A small emblem-and-band logo, as an organisation might upload."""
    image = Image.new("RGB", (360, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 112, 112), fill=(122, 31, 92))
    draw.ellipse((30, 30, 90, 90), fill="white")
    draw.rectangle((130, 40, 350, 80), fill=(122, 31, 92))
    image.save(path, "PNG")
    return path


def _graduate_certificates(app) -> tuple[str, str]:  # noqa: ANN001
    """The demo graduate's first valid certificate and the revoked one."""
    with app.app_context():
        db = app.extensions["lms"].db.session
        rows = db.execute(
            select(Certificate.public_id, Certificate.revoked_at).order_by(Certificate.id)
        ).all()
        db.remove()
    valid = next(public_id for public_id, revoked_at in rows if revoked_at is None)
    revoked = next(public_id for public_id, revoked_at in rows if revoked_at is not None)
    return valid, revoked


def _pdf(page: Page, shot: str) -> str:
    """Download the certificate's PDF, render its first page to PNG in the screenshot folder
    (pypdfium2), and return its text."""
    import pypdfium2

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    document = pypdfium2.PdfDocument(data)
    try:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        document[0].render(scale=2).to_pil().save(SCREENSHOTS / f"{shot}.png")
    finally:
        document.close()
    return PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_the_admin_brands_the_certificates_and_the_graduate_sees_page_and_pdf(
    journey, app, certificates, problems, tmp_path
):
    # The admin's branding page: a colour too light to read is refused, what was typed stays.
    admin = journey("certificate-branding")
    sign_in(admin, "admin@example.com", "admin-demo-pass")
    page = admin.page
    page.goto("/admin/")
    admin.check()
    page.get_by_role("link", name="Certificate branding").click()
    expect(page.get_by_role("heading", name="Certificate branding")).to_be_visible()
    admin.check()
    page.get_by_label("Organisation name").fill(ORGANISATION)
    page.get_by_label("Signer's name").fill(SIGNER)
    page.get_by_label("Signer's title").fill(SIGNER_TITLE)
    page.get_by_label("Accent colour").fill("#f0e68c")
    page.get_by_label("Contact for verifiers").fill(CONTACT)
    page.get_by_role("button", name="Save the branding").click()
    expect(page.get_by_text("too light to read on white").first).to_be_visible()
    expect(page.get_by_label("Signer's name")).to_have_value(SIGNER)
    admin.check("refused")
    page.get_by_label("Accent colour").fill(ACCENT)
    page.get_by_label("Logo", exact=True).set_input_files(_logo(tmp_path / "irs-logo.png"))
    page.get_by_role("button", name="Save the branding").click()
    expect(page.locator(".flash").filter(has_text="Saved")).to_be_visible()
    expect(page.get_by_role("img", name=f"Current logo of {ORGANISATION}")).to_be_visible()
    admin.check("saved")

    valid, revoked = _graduate_certificates(app)
    graduate = journey("certificate")
    sign_in(graduate, "graduate@example.com", "graduate-demo-pass")
    page = graduate.page
    page.goto(f"/certificates/{valid}")
    sheet = page.locator(".certificate-sheet")
    expect(page.get_by_role("heading", name="Certificate of Completion")).to_be_visible()
    for text in (ORGANISATION, "Grace Graduate", SIGNER, SIGNER_TITLE, "Approval number"):
        expect(sheet).to_contain_text(text)
    logo = page.get_by_role("img", name=f"{ORGANISATION} logo")
    expect(logo).to_be_visible()
    assert logo.evaluate("img => img.complete && img.naturalWidth") == 360
    # The brand colour reaches the page through its stylesheet (no inline style under the CSP).
    title_colour = page.locator(".certificate-title").evaluate("e => getComputedStyle(e).color")
    assert title_colour == ACCENT_RGB
    expect(page.get_by_role("img", name="Seal: certified")).to_be_visible()
    expect(page.get_by_role("link", name="Add to LinkedIn profile")).to_be_visible()
    assert "::after" not in sheet.evaluate("e => getComputedStyle(e, '::after').content")
    graduate.check("page")
    text = _pdf(page, "certificate-pdf-valid")
    for expected in (ORGANISATION, SIGNER, SIGNER_TITLE, "Certificate of Completion"):
        assert expected in text
    assert "LinkedIn" not in text and "REVOKED" not in text

    # The revoked one: said in words above the sheet, and watermarked across it.
    page.goto(f"/certificates/{revoked}")
    expect(page.get_by_role("alert")).to_contain_text("Issued in error (demo data)")
    watermark = page.locator(".certificate-sheet").evaluate(
        "e => getComputedStyle(e, '::after').content"
    )
    assert watermark == '"REVOKED"'
    expect(page.get_by_role("link", name="Add to LinkedIn profile")).to_have_count(0)
    graduate.check("revoked")
    text = _pdf(page, "certificate-pdf-revoked")
    assert "REVOKED" in text.splitlines() and "Issued in error (demo data)" in text

    admin.finish()
    graduate.finish()
    assert problems == []


def test_a_verifier_on_a_phone_reads_each_verdict_at_a_glance(journey, app, certificates, problems):
    from lms.awards.branding import BrandingValues, save_branding

    with app.app_context():
        db = app.extensions["lms"].db.session
        save_branding(
            db,
            BrandingValues(ORGANISATION, SIGNER, SIGNER_TITLE, ACCENT, CONTACT),
            logo=None,
            remove_logo=False,
            by_user_id=None,
            now=app.extensions["lms"].clock(),
        )
        db.commit()
        db.remove()
    valid, revoked = _graduate_certificates(app)
    verifier = journey("verify", viewport=PHONE, is_mobile=True, has_touch=True)
    page = verifier.page

    page.goto(f"/verify/{valid}")
    heading = page.get_by_role("heading", name="Valid certificate")
    expect(heading).to_be_visible()
    # Understood at a glance: the verdict and what to do are at the top of a phone's screen.
    assert heading.bounding_box()["y"] < 250
    expect(page.locator(".verdict")).to_contain_text("You can accept this certificate.")
    expect(page.get_by_text("The signature matches the issuer's published key.")).to_be_visible()
    expect(page.get_by_text("Not revoked as of")).to_be_visible()
    expect(page.get_by_text("What to do")).to_have_count(0)
    verifier.check("valid")

    page.goto(f"/verify/{revoked}")
    heading = page.get_by_role("heading", name="Revoked certificate")
    expect(heading).to_be_visible()
    assert heading.bounding_box()["y"] < 250
    expect(page.locator(".verdict")).to_contain_text("Do not accept this certificate.")
    expect(page.locator(".verdict")).to_contain_text("Issued in error (demo data)")
    advice = page.get_by_role("note")
    expect(advice).to_contain_text("for a current certificate")
    expect(advice.get_by_role("link", name=CONTACT)).to_have_attribute("href", f"mailto:{CONTACT}")
    verifier.check("revoked")

    page.goto("/verify/NoSuchCertificate0000000")
    expect(page.get_by_role("heading", name="Certificate not found")).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text(f"Contact {ORGANISATION}")
    verifier.check("unknown")

    verifier.finish()
    assert problems == []
