"""A learner's transcript: their credit entries for a period (one of their certification
cycles, dates they choose, or all time), on screen, as CSV and as PDF.

A reversal keeps the date earned of the entry it reverses, so both always fall in the same
period: the transcript shows the entry, marked, and the correction as a negative line, and
the totals net them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace
from sqlalchemy import Select, bindparam, select

from certificates import Certificate
from certificates.pdf import add_fonts
from lms.accounts.models import User
from lms.catalogue.models import Certification, Holding
from lms.credits.models import CreditEntry
from lms.db import session
from lms.holdings.operations import holdings_of
from lms.requirements.operations import Standing
from lms.studio.roster import BOM, neutralise

DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Tabs and line breaks in someone's text would only disturb the PDF's table.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]+")
CSV_HEADER = (
    "Entry",
    "Date earned",
    "Description",
    "Source",
    "Verification",
    "Credits",
    "Unit",
    "Hours",
    "Certificate id",
    "Verification link",
    "Note",
)


class PeriodError(ValueError):
    """The period asked for cannot be read; the message says what to send instead."""


@dataclass(frozen=True)
class Period:
    """Inclusive dates; None is open-ended."""

    start: date | None
    end: date | None
    label: str
    rule_code: str | None = None
    #: For a requirement's cycle: the entries that count toward it (None: every entry).
    entry_ids: frozenset[int] | None = None

    def params(self) -> dict[str, str]:
        """The query parameters that choose this period again (for the download links)."""
        if self.rule_code and self.start is not None:
            # A rule can have a past cycle and the current one: the start tells them apart.
            return {"rule": self.rule_code, "start": self.start.isoformat()}
        if self.start is None and self.end is None:
            return {"all": "1"}
        return {
            key: value.isoformat()
            for key, value in (("from", self.start), ("to", self.end))
            if value is not None
        }

    @property
    def slug(self) -> str:
        """For file names: only digits, letters and hyphens."""
        if self.start is None and self.end is None:
            return "all-time"
        start = self.start.isoformat() if self.start else "start"
        end = self.end.isoformat() if self.end else "now"
        return f"{start}-to-{end}"


def _date(params: Mapping[str, str], key: str, what: str) -> date | None:
    text = (params.get(key) or "").strip()
    if not text:
        return None
    # fromisoformat alone also takes "20240101" and week dates: ask for one spelling.
    if not DATE_RE.fullmatch(text):
        raise PeriodError(f"The {what} date must be written YYYY-MM-DD, e.g. 2026-03-31.")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"The {what} date {text} does not exist.") from None


def cycle_label(standing: Standing) -> str:
    return (
        f"{standing.rule_name}: {standing.cycle_start.isoformat()} to "
        f"{standing.cycle_end.isoformat()}"
    )


def cycle_params(standing: Standing) -> dict[str, str]:
    """The query parameters that choose this cycle."""
    return {"rule": standing.rule_code, "start": standing.cycle_start.isoformat()}


def _current_first(standings: list[Standing], today: date) -> list[Standing]:
    """Cycles running today first (the soonest due first), then the others, newest first."""
    return sorted(
        standings,
        key=lambda s: (
            not s.cycle_start <= today <= s.cycle_end,
            s.cycle_end if s.cycle_start <= today <= s.cycle_end else date.max - s.cycle_end,
            s.rule_code,
        ),
    )


def choose_period(params: Mapping[str, str], standings: list[Standing], today: date) -> Period:
    """The period asked for:

    * ``?rule=CODE`` one of the person's cycles under that rule (the one running today, else
      the latest), ``&start=YYYY-MM-DD`` naming a past one;
    * ``?from=&to=``, either may be left out;
    * ``?all=1``;
    * nothing: the running cycle due first, or all time when the person has no cycle.
    """
    rule = (params.get("rule") or "").strip()
    cycle_start = _date(params, "start", "cycle's start")
    start, end = _date(params, "from", "start"), _date(params, "to", "end")
    if rule and (start or end):
        raise PeriodError("Choose either a certification cycle or dates, not both.")
    if cycle_start and not rule:
        raise PeriodError("A cycle's start date needs its rule (rule=CODE).")
    if rule:
        matching = [
            s
            for s in _current_first(standings, today)
            if s.rule_code == rule and cycle_start in (None, s.cycle_start)
        ]
        if not matching:
            raise PeriodError(
                "None of your certification cycles has that rule and start; choose one from "
                "the list."
            )
        chosen = matching[0]
        return Period(
            chosen.cycle_start,
            chosen.cycle_end,
            cycle_label(chosen),
            rule,
            frozenset(chosen.entry_ids),
        )
    if start or end:
        if start and end and start > end:
            raise PeriodError("The start date is after the end date.")
        if start and end:
            label = f"{start.isoformat()} to {end.isoformat()}"
        else:
            label = f"from {start.isoformat()}" if start else f"up to {end.isoformat()}"
        return Period(start, end, label)
    if standings and not params.get("all"):
        first = _current_first(standings, today)[0]
        return Period(
            first.cycle_start,
            first.cycle_end,
            cycle_label(first),
            first.rule_code,
            frozenset(first.entry_ids),
        )
    return Period(None, None, "All time")


@dataclass(frozen=True)
class TranscriptRow:
    entry: CreditEntry
    certificate_public_id: str | None
    #: The correction that reversed this entry, if any.
    reversed_by: CreditEntry | None = None

    @property
    def note(self) -> str:
        if self.reversed_by is not None:
            return (
                f"Reversed on {self.reversed_by.created_at:%Y-%m-%d} "
                f"(entry {self.reversed_by.id}): {self.reversed_by.reason}"
            )
        if self.entry.reverses_id is not None:
            return f"Reverses entry {self.entry.reverses_id}: {self.entry.reason}"
        return ""


@dataclass(frozen=True)
class Transcript:
    learner_id: int
    learner_name: str
    #: "WRT 12345", one per holding.
    certification_numbers: tuple[str, ...]
    period: Period
    rows: tuple[TranscriptRow, ...]
    generated_at: datetime
    #: unit -> (credits, hours), reversals netted.
    totals: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)

    @property
    def certificate_ids(self) -> list[int]:
        """The certificates the period's entries point at, each once, in transcript order."""
        seen: dict[int, None] = {}
        for row in self.rows:
            if row.entry.certificate_id is not None:
                seen.setdefault(row.entry.certificate_id)
        return list(seen)


def build_transcript(user: User, period: Period, now: datetime) -> Transcript:
    """The person's entries earned within the period, oldest first."""
    query = (
        select(CreditEntry, Certificate.public_id)
        .outerjoin(Certificate, Certificate.id == CreditEntry.certificate_id)
        .where(CreditEntry.user_id == user.id)
        .order_by(CreditEntry.earned_on, CreditEntry.id)
    )
    if period.start is not None:
        query = query.where(CreditEntry.earned_on >= period.start)
    if period.end is not None:
        query = query.where(CreditEntry.earned_on <= period.end)
    found = session().execute(query).all()
    if period.entry_ids is not None:  # a requirement's cycle: only what counts toward it
        counted = period.entry_ids
        found = [(e, p) for e, p in found if e.id in counted or e.reverses_id in counted]
    reversals = {e.reverses_id: e for e, _ in found if e.reverses_id is not None}
    rows = tuple(TranscriptRow(e, public_id, reversals.get(e.id)) for e, public_id in found)
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    for row in rows:
        credits, hours = totals.get(row.entry.credit_unit, (Decimal(0), Decimal(0)))
        totals[row.entry.credit_unit] = (
            credits + Decimal(row.entry.credits),
            hours + Decimal(row.entry.hours or 0),
        )
    numbers = tuple(f"{h.certification.code} {h.number}" for h in holdings_of(user.id))
    return Transcript(
        learner_id=user.id,
        learner_name=user.name,
        certification_numbers=numbers,
        period=period,
        rows=rows,
        generated_at=now.replace(microsecond=0),
        totals=totals,
    )


def _numbers_statement() -> Select[Any]:
    holding, certification = Holding.__table__, Certification.__table__
    return (
        select(certification.c.code, holding.c.number)
        .join(certification, certification.c.id == holding.c.certification_id)
        .where(holding.c.user_id == bindparam("user_id"))
        .order_by(holding.c.id)
    )


#: Built once: the transcript page runs it on every visit.
_NUMBERS = _numbers_statement()


def certification_numbers(user_id: int) -> tuple[str, ...]:
    """ "WRT 12345", one per holding, as the transcript heads them (one statement)."""
    return tuple(
        f"{code} {number}" for code, number in session().execute(_NUMBERS, {"user_id": user_id})
    )


def amount(value: Decimal | None) -> str:
    """2.00 -> "2", -0.50 -> "-0.5"; None -> ""."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "0") else text


def transcript_csv(transcript: Transcript, verify_url: Callable[[str], str]) -> str:
    """One row per entry. Every text cell is neutralised against formula injection (a course
    title or a claim's description is someone else's text); the numbers we format ourselves
    are left as numbers, so a reversal's "-1" still adds up in a spreadsheet."""
    out = io.StringIO()
    out.write(BOM)  # Excel reads UTF-8 names right only with it (see lms.studio.roster)
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in transcript.rows:
        e = row.entry
        public_id = row.certificate_public_id or ""
        writer.writerow(
            [
                str(e.id),
                e.earned_on.isoformat(),
                neutralise(e.description),
                neutralise(e.source_label),
                neutralise(e.verification_label),
                amount(e.credits),
                neutralise(e.credit_unit),
                amount(e.hours),
                neutralise(public_id),
                neutralise(verify_url(public_id)) if public_id else "",
                neutralise(row.note),
            ]
        )
    return out.getvalue()


def _row_texts(row: TranscriptRow) -> tuple[str, ...]:
    return (row.entry.description, row.note)


class _TranscriptPDF(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="R")


def transcript_pdf(transcript: Transcript, *, site_name: str) -> bytes:
    """A4 landscape, in the certificate engine's fonts, so every name prints."""
    pdf = _TranscriptPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"Transcript: {transcript.learner_name}")
    pdf.set_author(site_name)
    pdf.set_creator("cec-lms")
    texts = [transcript.learner_name, *transcript.certification_numbers, site_name]
    add_fonts(pdf, texts + [text for row in transcript.rows for text in _row_texts(row)])
    pdf.alias_nb_pages()
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font("DejaVu", "B", 18)
    pdf.cell(width, 10, "Transcript of continuing-education credits", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    numbers = ", ".join(transcript.certification_numbers) or "none recorded"
    for line in (
        f"Learner: {transcript.learner_name}",
        f"Certification number(s): {numbers}",
        f"Period: {transcript.period.label}",
        f"Generated: {transcript.generated_at:%Y-%m-%d %H:%M} UTC by {site_name}",
    ):
        pdf.multi_cell(width, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    pdf.set_font("DejaVu", "", 8.5)
    if not transcript.rows:
        pdf.multi_cell(width, 6, "No credit entries in this period.", new_x="LMARGIN", new_y="NEXT")
    else:
        with pdf.table(
            col_widths=(20, 74, 26, 28, 22, 14, 46, 10),
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 243)),
            line_height=4.6,
            padding=1,
            text_align="LEFT",  # fpdf2 justifies by default: wide gaps in narrow cells
        ) as table:
            header = table.row()
            for title in (
                "Date earned",
                "Description",
                "Source",
                "Verification",
                "Credits",
                "Hours",
                "Certificate id",
                "Entry",
            ):
                header.cell(title)
            for row in transcript.rows:
                e = row.entry
                cells = table.row()
                cells.cell(e.earned_on.isoformat())
                note = f"\n{_CONTROLS.sub(' ', row.note)}" if row.note else ""
                cells.cell(_CONTROLS.sub(" ", e.description) + note)
                cells.cell(e.source_label)
                cells.cell(e.verification_label)
                cells.cell(f"{amount(e.credits)} {e.credit_unit}")
                cells.cell(amount(e.hours))
                cells.cell(row.certificate_public_id or "")
                cells.cell(str(e.id))
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 11)
    if transcript.totals:
        for unit, (credits, hours) in sorted(transcript.totals.items()):
            hours_text = f" ({amount(hours)} h)" if hours else ""
            pdf.cell(
                width,
                7,
                f"Total: {amount(credits)} {unit}{hours_text}",
                new_x="LMARGIN",
                new_y="NEXT",
            )
    else:
        pdf.cell(width, 7, "Total: 0", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8.5)
    pdf.multi_cell(
        width,
        4.6,
        "Corrections appear as negative lines and are included in the totals. Each "
        "certificate can be checked at its verification link (see the CSV, or the "
        "certificate itself).",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
