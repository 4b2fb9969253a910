"""The printable certificate: an A4 landscape PDF with a QR code of the verification link."""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable
from pathlib import Path

import segno
from fontTools.ttLib import TTFont
from fpdf import FPDF

from certificates.snapshot import CertificateFacts

FONTS = Path(__file__).parent / "fonts"
#: Chinese, Japanese and Korean characters, which DejaVu Sans lacks (3 MB: loaded only for a
#: document that needs it).
FALLBACK_FONT = FONTS / "DroidSansFallback.ttf"


@functools.cache
def _dejavu_characters() -> frozenset[int]:
    """The code points both DejaVu faces draw."""
    regular, bold = (TTFont(FONTS / name) for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"))
    return frozenset(regular.getBestCmap()) & frozenset(bold.getBestCmap())


def add_fonts(pdf: FPDF, texts: Iterable[str]) -> None:
    """DejaVu Sans, regular and bold ("DejaVu"), for Latin, Greek, Cyrillic and more; when one
    of ``texts`` (the names and titles the document prints) has characters DejaVu lacks, such
    as a Chinese, Japanese or Korean name, Droid Sans Fallback draws those, so no name prints
    blank."""
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    covered = _dejavu_characters()
    if any(ord(c) not in covered for text in texts for c in text if not c.isspace()):
        pdf.add_font("Fallback", "", str(FALLBACK_FONT))
        pdf.set_fallback_fonts(["Fallback"], exact_match=False)


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    # error="m" keeps the code readable after printing and scanning; border 4 is the quiet zone.
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=4)
    buffer.seek(0)
    return buffer


def render_pdf(
    facts: CertificateFacts,
    *,
    public_id: str,
    verify_url: str,
    linkedin_url: str | None = None,
    revoked: str | None = None,
) -> bytes:
    """Render the certificate in the fonts shipped in the package (see ``add_fonts``)."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"Certificate of completion: {facts.course_title}")
    pdf.set_author(facts.provider)
    pdf.set_creator("cec-lms")
    add_fonts(pdf, [revoked or "", *(str(v) for v in facts.to_json().values())])
    pdf.set_auto_page_break(False)
    pdf.add_page()
    width = pdf.w - 40

    pdf.set_draw_color(30, 70, 110)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)

    if revoked:  # a revoked certificate printed later must say so on its face
        pdf.set_xy(20, 13)
        pdf.set_font("DejaVu", "B", 11)
        pdf.set_text_color(163, 32, 32)
        pdf.cell(pdf.w - 40, 8, f"REVOKED: {revoked}", align="C")
        pdf.set_text_color(0, 0, 0)
        linkedin_url = None  # nothing to add to a profile

    pdf.set_xy(20, 24)
    pdf.set_font("DejaVu", "B", 26)
    pdf.cell(width, 12, "Certificate of Completion", align="C")
    pdf.set_xy(20, 44)
    pdf.set_font("DejaVu", "", 13)
    pdf.cell(width, 8, "This certifies that", align="C")
    pdf.set_xy(20, 54)
    pdf.set_font("DejaVu", "B", 22)
    pdf.multi_cell(width, 11, facts.learner_name, align="C")
    pdf.set_x(20)
    pdf.set_font("DejaVu", "", 13)
    pdf.cell(width, 9, "has successfully completed", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(20)
    pdf.set_font("DejaVu", "B", 17)
    pdf.multi_cell(width, 9, facts.course_title, align="C")

    pdf.set_font("DejaVu", "", 11)
    lines = [
        f"Provider: {facts.provider}",
        f"Credits earned: {facts.credits_text}",
        f"Completed on: {facts.completed_on.isoformat()}",
        f"Course version: {facts.course_version}",
    ]
    if facts.approval_number:
        lines.append(f"Approval number: {facts.approval_number}")
    if facts.certification_numbers:
        lines.append(f"Certification number(s): {facts.certification_numbers}")
    pdf.set_y(pdf.get_y() + 4)
    for line in lines:
        pdf.set_x(30)
        pdf.cell(150, 7, line, new_x="LMARGIN", new_y="NEXT")

    qr_size = 48
    pdf.image(_qr_png(verify_url), x=pdf.w - 30 - qr_size, y=pdf.h - 30 - qr_size, w=qr_size)
    pdf.set_font("DejaVu", "", 9)
    pdf.set_xy(30, pdf.h - 39 if linkedin_url else pdf.h - 34)
    pdf.cell(170, 5, f"Certificate id: {public_id}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(30)
    pdf.cell(170, 5, f"Verify at: {verify_url}", link=verify_url, new_x="LMARGIN", new_y="NEXT")
    if linkedin_url:
        pdf.set_x(30)
        pdf.set_text_color(10, 102, 194)
        pdf.cell(170, 5, "Add to LinkedIn profile", link=linkedin_url)
        pdf.set_text_color(0, 0, 0)
    return bytes(pdf.output())
