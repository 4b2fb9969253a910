"""The completion roster a certifying body asks for, as CSV: one row per completion of any
version of a course.

Every cell that a spreadsheet could take for a formula is neutralised (OWASP, "CSV
Injection"): a learner can choose their own name, and "=HYPERLINK(...)" in a roster opened by
the certifying body's staff would run there, not here.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import aliased, selectinload

from certificates import Certificate
from lms.accounts.models import User
from lms.catalogue.models import Certification, Course, Holding
from lms.credits.models import CreditEntry
from lms.db import session
from lms.learning.models import Enrolment

HEADER = (
    "Provider",
    "Course ID",
    "Approval number",
    "Learner name",
    "E-mail",
    "Certification number",
    "Completion date",
    "Credits",
    "Credit unit",
    "Course version",
)

#: A cell starting with one of these is read as a formula by Excel, LibreOffice or Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")

#: Excel opens a UTF-8 CSV without a byte order mark as the local ANSI code page, turning
#: "Zoë" into "ZoÃ«"; with it, Excel, LibreOffice, Google Sheets and Python's "utf-8-sig" all
#: read the names right. The certifying bodies' staff mostly open rosters in Excel.
BOM = "\ufeff"


def neutralise(cell: str) -> str:
    """Prefix an apostrophe to a cell a spreadsheet would evaluate, so it is shown as text.
    Leading spaces are looked past: some spreadsheets trim them before parsing."""
    return "'" + cell if cell.lstrip(" ").startswith(FORMULA_TRIGGERS) else cell


def credits_text(value: Decimal | None) -> str:
    return "" if value is None else format(Decimal(value).normalize(), "f")


def roster_rows(slug: str) -> list[list[str]]:
    """The roster's rows (without the header), in order of completion, leaving out
    completions whose credit was taken back (a revoked certificate). A fixed number of
    queries, however many learners completed."""
    db = session()
    versions = {
        v.id: v
        for v in db.scalars(
            select(Course)
            .where(Course.slug == slug)
            .options(selectinload(Course.provider), selectinload(Course.certifications))
        )
    }
    if not versions:
        return []
    completed = db.execute(
        select(Enrolment, User)
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.course_id.in_(list(versions)), Enrolment.completed_at.is_not(None))
        .order_by(Enrolment.completed_at, User.name, Enrolment.id)
    ).all()
    # The holdings of everyone who completed, in one query (joined, not a long IN list).
    holdings: dict[int, dict[int, str]] = defaultdict(dict)
    for user_id, certification_id, code, number in db.execute(
        select(Holding.user_id, Holding.certification_id, Certification.code, Holding.number)
        .join(Certification, Certification.id == Holding.certification_id)
        .join(Enrolment, Enrolment.user_id == Holding.user_id)
        .where(Enrolment.course_id.in_(list(versions)), Enrolment.completed_at.is_not(None))
    ):
        holdings[user_id][certification_id] = f"{code} {number}"
    awarded = {}
    revoked = set()
    printed: dict[str, str] = {}
    reversal = aliased(CreditEntry)
    for entry, reversed_by, facts in db.execute(
        select(CreditEntry, reversal.id, Certificate.facts)
        .outerjoin(Certificate, Certificate.id == CreditEntry.certificate_id)
        .outerjoin(reversal, reversal.reverses_id == CreditEntry.id)
        .where(CreditEntry.course_id.in_(list(versions)), CreditEntry.source == "online_course")
    ):
        awarded[entry.source_ref] = entry
        printed[entry.source_ref] = (facts or {}).get("certification_numbers", "")
        # Its credit was taken back (the certificate revoked, or the entry reversed); a
        # reissue revokes the first certificate but keeps the credit, and the completion.
        if reversed_by is not None:
            revoked.add(entry.source_ref)
    rows = []
    for enrolment, user in completed:
        version = versions[enrolment.course_id]
        held = holdings.get(user.id, {})
        # The numbers printed on the certificate; those on file today when it printed none.
        numbers = printed.get(f"enrolment:{enrolment.id}") or "; ".join(
            sorted(held[c.id] for c in version.certifications if c.id in held)
        )
        if f"enrolment:{enrolment.id}" in revoked:
            continue  # a revoked certificate is no longer a completion to report
        entry = awarded.get(f"enrolment:{enrolment.id}")
        assert enrolment.completed_at is not None
        rows.append(
            [
                version.provider.name,
                version.slug,
                version.approval_number or "",
                user.name,
                user.email,
                numbers,
                enrolment.completed_at.date().isoformat(),
                credits_text(entry.credits if entry else None),
                entry.credit_unit if entry else "",
                str(enrolment.course_version),
            ]
        )
    return rows


def roster_csv(rows: Iterable[Sequence[str]]) -> str:
    """The CSV text: a BOM, the header, then the rows, every cell quoted and neutralised."""
    out = io.StringIO()
    out.write(BOM)
    # QUOTE_ALL: OWASP asks for every cell quoted as well as prefixed, so a stray separator
    # or quote inside a name can never start a new cell that escapes the prefix.
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([neutralise(str(cell)) for cell in row])
    return out.getvalue()


def roster_filename(slug: str, today: date) -> str:
    """Only [a-z0-9-] from the slug (the access check already holds it to that)."""
    safe = "".join(ch for ch in slug if ch.isascii() and (ch.isalnum() or ch == "-"))[:80]
    return f"roster-{safe or 'course'}-{today.isoformat()}.csv"
