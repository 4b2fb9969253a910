"""The printable certificate: an A4 landscape PDF in the issuer's colours, with its logo and
name, a seal, a signature line, the certified facts and a QR code of the verification link.
A revoked certificate carries a diagonal REVOKED watermark across its face."""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
from fontTools.ttLib import TTFont
from fpdf import FPDF

from certificates.snapshot import CertificateFacts

FONTS = Path(__file__).parent / "fonts"
#: Chinese, Japanese and Korean characters, which DejaVu Sans lacks (3 MB: loaded only for a
#: document that needs it).
FALLBACK_FONT = FONTS / "DroidSansFallback.ttf"

DEFAULT_ACCENT = "#1e466e"
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
REVOKED_RED = (163, 32, 32)


@dataclass(frozen=True)
class CertificateDesign:
    """How the certificate looks (never what it certifies): the issuer's name and logo, who
    signs it and the accent colour. Plain values: the caller decides where they come from."""

    issuer_name: str = ""
    signer_name: str = ""
    signer_title: str = ""
    #: "#rrggbb"; anything else falls back to DEFAULT_ACCENT.
    accent_colour: str = DEFAULT_ACCENT
    #: PNG or JPEG bytes, already checked by the caller; None prints no logo.
    logo: bytes | None = None


def long_date(day: date) -> str:
    """A date written out, as on a printed certificate: "28 February 2026"."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _rgb(colour: str) -> tuple[int, int, int]:
    if not _HEX_COLOUR.fullmatch(colour):
        colour = DEFAULT_ACCENT
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


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


def _frame(pdf: FPDF, accent: tuple[int, int, int]) -> None:
    """A heavy outer rule and a fine inner one, in the accent colour."""
    pdf.set_draw_color(*accent)
    pdf.set_line_width(1.6)
    pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)
    pdf.set_line_width(0.35)
    pdf.rect(12, 12, pdf.w - 24, pdf.h - 24)


def _seal(pdf: FPDF, x: float, y: float, accent: tuple[int, int, int], year: int) -> None:
    """A rosette seal centred on (x, y): a serrated disc, a white ring, the year."""
    pdf.set_fill_color(*accent)
    pdf.star(x, y, r_in=15.5, r_out=17.5, corners=36, style="F")
    pdf.set_draw_color(255, 255, 255)
    pdf.set_line_width(0.6)
    pdf.circle(x, y, 12.5, style="D")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("DejaVu", "B", 7.5)
    pdf.set_xy(x - 12, y - 6.5)
    pdf.cell(24, 4, "CERTIFIED", align="C")
    pdf.set_font("DejaVu", "B", 11)
    pdf.set_xy(x - 12, y - 2)
    pdf.cell(24, 5, str(year), align="C")
    pdf.set_font("DejaVu", "", 6.5)
    pdf.set_xy(x - 12, y + 3.5)
    pdf.cell(24, 4, "COMPLETION", align="C")
    pdf.set_text_color(0, 0, 0)


def _signature(pdf: FPDF, x: float, y: float, width: float, design: CertificateDesign) -> None:
    """A line to sign on, the signer's name and title under it."""
    pdf.set_draw_color(60, 60, 60)
    pdf.set_line_width(0.3)
    pdf.line(x, y, x + width, y)
    pdf.set_xy(x, y + 1.5)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(width, 6, design.signer_name or "Authorised signatory", align="C")
    details = design.signer_title or design.issuer_name
    if details:
        pdf.set_xy(x, y + 7.5)
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(width, 4.5, details, align="C")


def _watermark(pdf: FPDF) -> None:
    """REVOKED across the page, diagonally, translucent so the facts stay legible."""
    with (
        pdf.local_context(fill_opacity=0.22, text_color=REVOKED_RED),
        pdf.rotation(28, x=pdf.w / 2, y=pdf.h / 2),
    ):
        pdf.set_font("DejaVu", "B", 120)
        pdf.set_xy(0, pdf.h / 2 - 22)
        pdf.cell(pdf.w, 44, "REVOKED", align="C")


def render_pdf(
    facts: CertificateFacts,
    *,
    public_id: str,
    verify_url: str,
    revoked: str | None = None,
    design: CertificateDesign | None = None,
) -> bytes:
    """Render the certificate in the fonts shipped in the package (see ``add_fonts``).
    ``revoked`` (the date and reason) prints a notice and a REVOKED watermark. Nothing here
    invites sharing (no "Add to LinkedIn"): that belongs to the web page, not to paper."""
    design = design or CertificateDesign()
    issuer_name = design.issuer_name or facts.provider
    accent = _rgb(design.accent_colour)
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"Certificate of completion: {facts.course_title}")
    pdf.set_author(issuer_name)
    pdf.set_creator("cec-lms")
    texts = [revoked or "", issuer_name, design.signer_name, design.signer_title]
    add_fonts(pdf, [*texts, *(str(v) for v in facts.to_json().values())])
    pdf.set_auto_page_break(False)
    pdf.add_page()
    left, width = 24.0, pdf.w - 48
    _frame(pdf, accent)

    top = 16.0
    if revoked:  # a revoked certificate printed later must say so in words, too
        pdf.set_xy(left, 14)
        pdf.set_font("DejaVu", "B", 11)
        pdf.set_text_color(*REVOKED_RED)
        pdf.cell(width, 6, f"REVOKED: {revoked}", align="C")
        pdf.set_text_color(0, 0, 0)
        top = 21.0
    if design.logo:
        # Fitted into a box, centred: a wide wordmark and a square emblem both look right.
        pdf.image(
            io.BytesIO(design.logo), x=pdf.w / 2 - 35, y=top, w=70, h=16, keep_aspect_ratio=True
        )
        top += 18
    pdf.set_xy(left, top)
    pdf.set_font("DejaVu", "B", 13)
    pdf.set_text_color(*accent)
    pdf.multi_cell(width, 6.5, issuer_name, align="C")

    pdf.set_xy(left, pdf.get_y() + 3)
    pdf.set_font("DejaVu", "B", 28)
    pdf.cell(width, 13, "Certificate of Completion", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(left, pdf.get_y() + 3)
    pdf.set_font("DejaVu", "", 12)
    pdf.cell(width, 7, "This certifies that", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(left)
    pdf.set_font("DejaVu", "B", 22)
    pdf.multi_cell(width, 10, facts.learner_name, align="C")
    pdf.set_x(left)
    pdf.set_font("DejaVu", "", 12)
    pdf.cell(width, 8, "has successfully completed", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(left)
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(width, 8, facts.course_title, align="C")

    lines = [
        f"Credits earned: {facts.credits_text}    Completed on: {long_date(facts.completed_on)}",
        f"Provider: {facts.provider}    Course version: {facts.course_version}",
    ]
    numbers = []
    if facts.approval_number:
        numbers.append(f"Approval number: {facts.approval_number}")
    if facts.certification_numbers:
        numbers.append(f"Certification number(s): {facts.certification_numbers}")
    if numbers:
        lines.append("    ".join(numbers))
    rule = pdf.get_y() + 4  # a short rule in the accent colour sets the facts apart
    pdf.set_draw_color(*accent)
    pdf.set_line_width(0.5)
    pdf.line(pdf.w / 2 - 30, rule, pdf.w / 2 + 30, rule)
    pdf.set_y(rule + 5)
    pdf.set_font("DejaVu", "", 10.5)
    for line in lines:
        pdf.set_x(left)
        pdf.multi_cell(width, 5.5, line, align="C")

    # The bottom band: signature on the left, the seal in the middle, the QR code on the right.
    band = pdf.h - 60
    _signature(pdf, 30, band + 18, 80, design)
    _seal(pdf, pdf.w / 2, band + 20, accent, facts.completed_on.year)
    qr_size = 36
    pdf.image(_qr_png(verify_url), x=pdf.w - 30 - qr_size, y=band, w=qr_size)
    pdf.set_font("DejaVu", "", 8)
    pdf.set_xy(pdf.w - 30 - qr_size, band + qr_size)
    pdf.cell(qr_size, 4, "Scan to verify", align="C")

    pdf.set_font("DejaVu", "", 8.5)
    pdf.set_text_color(60, 60, 60)
    pdf.set_xy(left, pdf.h - 24)
    pdf.cell(150, 4.5, f"Certificate id: {public_id}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(left)
    pdf.cell(150, 4.5, f"Verify at: {verify_url}", link=verify_url)
    pdf.set_text_color(0, 0, 0)

    if revoked:
        _watermark(pdf)  # last: over everything else
    return bytes(pdf.output())
