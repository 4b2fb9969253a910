"""A person's standing against the requirement rules, and adding a rule version.

Reading: ``cycles_for`` (called by every award, inside its transaction: it only reads),
``standing_of`` (the reminders and the transcript) and ``compliance_of`` (the compliance
page). Each loads the rules, the person's holdings and ledger in a fixed number of queries and
hands plain values to the pure engine in ``lms.requirements.rules``, whose docstring holds the
semantics.

Writing: ``parse_rule_version`` checks the admin form's fields and ``add_rule_version``
stores a new version (a new row; an existing version is never edited or deleted).
"""

from __future__ import annotations

import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from weakref import WeakKeyDictionary

from flask import Flask, current_app
from sqlalchemy import Select, bindparam, func, or_, select, true, union_all
from sqlalchemy.exc import IntegrityError

from lms.catalogue.models import Certification, Course, Holding, course_certification
from lms.credits.models import SOURCES, CreditEntry
from lms.db import session
from lms.events.models import Event
from lms.learning.models import Enrolment
from lms.rendering import format_number
from lms.requirements import rules
from lms.requirements.models import RequirementRule
from lms.validation import CONTROL_CHARACTERS, CREDIT_UNIT, CREDIT_UNIT_MESSAGE


@dataclass(frozen=True)
class Standing:
    """Where a person stands in one cycle of one rule."""

    rule_code: str
    rule_name: str
    #: The certifications the requirement covers (one, or several when pooled).
    certification_codes: tuple[str, ...]
    cycle_start: date
    #: The due date: the last day of the cycle.
    cycle_end: date
    credit_unit: str
    required: Decimal
    #: Credits that count this cycle, after caps and conversion.
    earned: Decimal
    #: "complete", "on_track", "at_risk" or "overdue".
    status: str
    missing_by_category: dict[str, Decimal] = field(default_factory=dict)
    #: Ids of the ledger entries counted.
    entry_ids: tuple[int, ...] = ()
    #: The certification's code, or "pooled" for a per-person requirement.
    certification: str = ""
    #: Category -> the minimum the rule asks for in it.
    category_minimums: dict[str, Decimal] = field(default_factory=dict)
    #: Entries in the cycle that could not count, with the reason.
    skipped: tuple[tuple[int, str], ...] = ()
    #: Credits the caps per source took off.
    capped: Decimal = Decimal(0)

    @property
    def missing(self) -> Decimal:
        return max(self.required - self.earned, Decimal(0))

    @property
    def pooled(self) -> bool:
        return self.certification == rules.POOLED

    @property
    def key(self) -> tuple[str, str, date]:
        """Names this standing among a person's: what ``courses_that_count`` is keyed by."""
        return (self.rule_code, self.certification, self.cycle_start)


STATUS_LABELS = {
    "complete": "Complete",
    "on_track": "On track",
    "at_risk": "At risk",
    "overdue": "Overdue",
}


# Loading plain values ---------------------------------------------------------------------


def rule_version_of(row: RequirementRule) -> rules.RuleVersion:
    return rules.RuleVersion(
        code=row.code,
        name=row.name,
        certification_codes=tuple(row.certification_codes or ()),
        pooled=bool(row.pooled),
        credits_required=Decimal(row.credits_required),
        credit_unit=row.credit_unit,
        hours_per_unit=Decimal(row.hours_per_unit),
        cycle_months=int(row.cycle_months),
        effective_from=row.effective_from,
        category_minimums={
            k: _decimal_or_zero(v) for k, v in (row.category_minimums or {}).items()
        },
        source_caps=tuple(
            rules.SourceCap(
                str(cap.get("source", "")), str(cap.get("per", "")), _decimal_or_zero(cap["max"])
            )
            for cap in row.source_caps or ()
            if isinstance(cap, dict) and "max" in cap
        ),
        id=row.id,
    )


def _decimal_or_zero(value: Any) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)
    return number if number.is_finite() else Decimal(0)


def all_rules() -> dict[str, list[rules.RuleVersion]]:
    """Every rule's versions, oldest first (one query)."""
    found: dict[str, list[rules.RuleVersion]] = {}
    for row in session().scalars(
        select(RequirementRule).order_by(RequirementRule.code, RequirementRule.effective_from)
    ):
        found.setdefault(row.code, []).append(rule_version_of(row))
    return found


def held_certifications(user_id: int) -> list[rules.HeldCertification]:
    rows = session().execute(
        select(Certification.code, Holding.certified_on)
        .join(Certification, Certification.id == Holding.certification_id)
        .where(Holding.user_id == user_id)
        .order_by(Certification.code)
    )
    return [rules.HeldCertification(code, certified_on) for code, certified_on in rows]


def credits_of(user_id: int, window: tuple[date, date] | None = None) -> list[rules.Credit]:
    """The person's ledger as the engine sees it, only the entries earned within ``window``
    when given (two statements whatever its size: the entries with their courses'
    certifications, then the events'). Plain rows, not ORM objects: this runs on every
    dashboard and compliance page."""
    db = session()
    query = (
        select(
            CreditEntry.id,
            CreditEntry.source,
            CreditEntry.source_ref,
            CreditEntry.credits,
            CreditEntry.credit_unit,
            CreditEntry.earned_on,
            CreditEntry.hours,
            CreditEntry.category,
            CreditEntry.cycles,
            CreditEntry.reverses_id,
            CreditEntry.course_id,
            Certification.code,
        )
        # One row per certification of the entry's course (one row when it has none).
        .outerjoin(course_certification, course_certification.c.course_id == CreditEntry.course_id)
        .outerjoin(Certification, Certification.id == course_certification.c.certification_id)
        .where(CreditEntry.user_id == user_id)
        .order_by(CreditEntry.id)
    )
    if window is not None:
        query = query.where(CreditEntry.earned_on.between(*window))
    entries: dict[int, Any] = {}
    course_codes: dict[int, set[str]] = {}
    for row in db.execute(query):
        entries.setdefault(row.id, row)
        codes = course_codes.setdefault(row.id, set())
        if row.code is not None:
            codes.add(row.code)
    # Runs even when empty, so the page's statement count never varies.
    event_ids = {
        i for e in entries.values() if e.source == "event" for i in [_event_id(e.source_ref)] if i
    }
    by_event: dict[int, set[str]] = {}
    for event_id, codes in db.execute(
        select(Event.id, Event.certification_codes).where(Event.id.in_(event_ids))
    ):
        by_event[event_id] = {str(c) for c in codes or ()}
    found = []
    for entry in entries.values():
        codes = set(course_codes[entry.id])
        if entry.source == "event":
            codes |= by_event.get(_event_id(entry.source_ref) or 0, set())
        pooled: set[str] = set()
        for item in entry.cycles if isinstance(entry.cycles, list) else ():
            if not isinstance(item, dict):
                continue
            certification = str(item.get("certification", ""))
            if certification == rules.POOLED:
                pooled.add(str(item.get("rule", "")))
            elif certification:
                codes.add(certification)
        found.append(
            rules.Credit(
                id=entry.id,
                source=entry.source,
                source_ref=entry.source_ref,
                credits=Decimal(entry.credits),
                credit_unit=entry.credit_unit,
                earned_on=entry.earned_on,
                hours=None if entry.hours is None else Decimal(entry.hours),
                category=entry.category,
                certification_codes=frozenset(codes),
                pooled_rules=frozenset(pooled),
                reverses_id=entry.reverses_id,
            )
        )
    return found


def _event_id(source_ref: str) -> int | None:
    """ "event:3:user:7" -> 3."""
    kind, _, rest = source_ref.partition(":")
    number = rest.split(":")[0]
    return int(number) if kind == "event" and number.isdigit() and len(number) < 10 else None


# The interface the ledger, the transcript and the reminders use ---------------------------


def cycles_for(
    user_id: int, certification_codes: list[str], earned_on: date
) -> list[dict[str, Any]]:
    """The certification cycles a credit earned on ``earned_on`` toward these certifications
    counts for: [{"rule": code, "certification": code, "start": iso, "end": iso}].

    Called inside the award's transaction: it only reads."""
    return rules.cycles_of_credit(
        all_rules(), held_certifications(user_id), certification_codes, earned_on
    )


def standing_of(user_id: int, today: date) -> list[Standing]:
    """The person's current cycle for every rule that applies to their holdings (and a cycle
    that ended incomplete within the last 90 days, as overdue)."""
    return compliance_of(user_id, today).standings


@dataclass(frozen=True)
class Compliance:
    standings: list[Standing]
    #: Codes of the certifications the person holds.
    held: tuple[str, ...]
    #: Held certifications no rule covers (yet).
    uncovered: tuple[str, ...]


def compliance_of(user_id: int, today: date) -> Compliance:
    """Where the person stands today, computed at most once per request (the pages call it
    once, never per row or from a template).

    Served from this process's memo when nothing it is computed from has changed: one
    statement reads the person's holdings with the stamps of the ledger and of the rules, and
    only when that key is new are the rules and the credits of the cycles evaluated read.
    Every host checks the database this way, so a credit appended anywhere shows at once."""
    holdings, stamps = _holdings_and_stamps(user_id)
    if not holdings:
        return Compliance(standings=[], held=(), uncovered=())
    key = (user_id, today, stamps, tuple(holdings))
    memo = _memo()
    found = memo.get(key)
    if found is None:
        found = _compute_compliance(user_id, holdings, today)
        memo.put(key, found)
    return found


def _compute_compliance(
    user_id: int, holdings: list[rules.HeldCertification], today: date
) -> Compliance:
    every_rule = all_rules()
    window = rules.credit_window(every_rule, holdings, today)
    credits = credits_of(user_id, window) if window else []
    evaluations = rules.standings(every_rule, holdings, credits, today)
    covered = {c for versions in every_rule.values() for c in versions[-1].certification_codes}
    held = tuple(h.code for h in holdings)
    return Compliance(
        standings=[_standing(e) for e in evaluations],
        held=held,
        uncovered=tuple(code for code in held if code not in covered),
    )


def _stamps_statement() -> Select[Any]:
    entry, rule = CreditEntry.__table__, RequirementRule.__table__
    holding, certification = Holding.__table__, Certification.__table__
    newest = entry.alias("newest")
    ledger = (
        select(func.count(entry.c.id).label("n"), func.max(entry.c.id).label("last"))
        .where(entry.c.user_id == bindparam("user_id"))
        .subquery()
    )
    versions = select(
        func.count(rule.c.id).label("n"), func.max(rule.c.id).label("last")
    ).subquery()
    return (
        select(
            certification.c.code,
            holding.c.certified_on,
            ledger.c.n,
            newest.c.entry_hash,
            versions.c.n,
            versions.c.last,
        )
        .select_from(holding)
        .join(certification, certification.c.id == holding.c.certification_id)
        .join(ledger, true())
        .outerjoin(newest, newest.c.id == ledger.c.last)
        .join(versions, true())
        .where(holding.c.user_id == bindparam("user_id"))
        .order_by(certification.c.code)
    )


#: Built once: it runs on every page that shows a standing (plain tables, no ORM).
_HOLDINGS_AND_STAMPS = _stamps_statement()


def _holdings_and_stamps(
    user_id: int,
) -> tuple[list[rules.HeldCertification], tuple[Any, ...]]:
    """The person's holdings, and what changes whenever anything else a standing is computed
    from does, in one statement. The ledger and the rules are append-only (an entry or a rule
    version is never edited or deleted): the rules are named by their count and newest id,
    the person's entries by their count and the hash of their newest one, which chains every
    entry before it (so a database restored to an older copy, then appended to, is not
    mistaken for what this process saw before). A course's or an event's certifications,
    which credits also count by, are fixed once they earn credit."""
    rows = session().execute(_HOLDINGS_AND_STAMPS, {"user_id": user_id}).all()
    holdings = [rules.HeldCertification(code, certified_on) for code, certified_on, *_ in rows]
    stamps = tuple(rows[0][2:]) if rows else ()
    return holdings, stamps


class _Memo:
    """A small least-recently-used map, safe across threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Any, Compliance] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any) -> Compliance | None:
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: Any, value: Compliance) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


#: People whose standings one process keeps (a few hundred bytes each).
MEMO_SIZE = 4096
#: One memo per app: tests (and a host) may run several apps, each on its own database.
_MEMOS: WeakKeyDictionary[Flask, _Memo] = WeakKeyDictionary()


def _memo() -> _Memo:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    memo = _MEMOS.get(app)
    if memo is None:
        memo = _MEMOS.setdefault(app, _Memo(MEMO_SIZE))
    return memo


def _standing(evaluation: rules.Evaluation) -> Standing:
    version = evaluation.version
    return Standing(
        rule_code=evaluation.requirement.rule_code,
        rule_name=version.name,
        certification_codes=evaluation.requirement.certification_codes,
        cycle_start=evaluation.cycle.start,
        cycle_end=evaluation.cycle.end,
        credit_unit=version.credit_unit,
        required=evaluation.required,
        earned=evaluation.earned,
        status=evaluation.status,
        missing_by_category=dict(evaluation.missing_by_category),
        entry_ids=tuple(c.credit_id for c in evaluation.counted),
        certification=evaluation.requirement.certification,
        category_minimums=dict(version.category_minimums),
        skipped=tuple((s.credit_id, s.reason) for s in evaluation.skipped),
        capped=sum((c.capped for c in evaluation.counted), Decimal(0)),
    )


MAX_SUGGESTIONS = 5


@dataclass(frozen=True)
class SuggestedCourse:
    """A published course offered on the compliance page."""

    id: int
    slug: str
    title: str
    credits: Decimal
    credit_unit: str


@functools.cache
def _suggestions_statement(codes: int) -> Select[Any]:
    """For ``codes`` certifications (bound as code_0, code_1...): the first courses by title
    that count toward each, then all of them by title (the database's collation)."""
    course, certification = Course.__table__, Certification.__table__
    enrolment = Enrolment.__table__
    # A completion whose certificate was revoked with a retake does not count as done: the
    # course is offered again (its page offers the retake).
    completed_slugs = (
        select(course.c.slug)
        .join(enrolment, enrolment.c.course_id == course.c.id)
        .where(
            enrolment.c.user_id == bindparam("user_id"),
            enrolment.c.completed_at.is_not(None),
            enrolment.c.retake_allowed_at.is_(None),
        )
    )
    firsts = [
        select(
            certification.c.code,
            course.c.id,
            course.c.slug,
            course.c.title,
            course.c.credits,
            course.c.credit_unit,
        )
        .join(course_certification, course_certification.c.course_id == course.c.id)
        .join(certification, certification.c.id == course_certification.c.certification_id)
        .where(
            certification.c.code == bindparam(f"code_{n}"),
            course.c.status == "published",
            or_(
                course.c.approval_expires_on.is_(None),
                course.c.approval_expires_on >= bindparam("today"),
            ),
            course.c.slug.not_in(completed_slugs),
        )
        .order_by(course.c.title, course.c.id)
        .limit(MAX_SUGGESTIONS)
        .subquery(f"first_{n}")
        for n in range(codes)
    ]
    found = union_all(*(select(*first.c) for first in firsts)).subquery("found")
    return select(found).order_by(found.c.title, found.c.id)


def courses_that_count(
    user_id: int, standings: list[Standing], today: date
) -> dict[tuple[str, str, date], list[SuggestedCourse]]:
    """Up to five published courses per unfinished standing that count toward it: toward one
    of its certifications, not completed by the learner (in any version; a completion whose
    certificate was revoked with a retake does not count), approval holding today. Keyed by
    (rule code, certification, cycle start).

    One statement, whatever the size of the catalogue: the first five such courses (by title)
    of each certification wanted; a standing's five are among the first five of its
    certifications."""
    open_standings = [s for s in standings if s.status != "complete"]
    if not open_standings:
        return {}
    wanted = sorted({code for s in open_standings for code in s.certification_codes})
    params: dict[str, Any] = {"user_id": user_id, "today": today}
    params.update({f"code_{n}": code for n, code in enumerate(wanted)})
    # In the database's title order: a standing with several certifications takes the
    # first five among theirs.
    rows = session().execute(_suggestions_statement(len(wanted)), params)
    ordered = [
        (r.code, SuggestedCourse(r.id, r.slug, r.title, Decimal(r.credits), r.credit_unit))
        for r in rows
    ]
    found = {}
    for standing in open_standings:
        codes = set(standing.certification_codes)
        chosen: dict[int, SuggestedCourse] = {}
        for code, course in ordered:
            if code in codes and len(chosen) < MAX_SUGGESTIONS:
                chosen.setdefault(course.id, course)
        found[standing.key] = list(chosen.values())
    return found


# Adding a version -------------------------------------------------------------------------

RULE_CODE_RE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,39}")
CATEGORY_RE = re.compile(r"[a-z0-9][a-z0-9 _-]{0,39}")
CAP_SOURCES = {k: v for k, v in SOURCES.items() if k != "reversal"}
CAP_PER = {"each": "from any one", "all": "in all, per cycle"}
#: Rows offered for category minimums and caps on the form.
FORM_ROWS = 3
MAX_REQUIRED = Decimal("9999.99")  # Numeric(6, 2)
MAX_HOURS_PER_UNIT = Decimal("999.99")  # Numeric(5, 2)
EARLIEST_EFFECTIVE = date(1950, 1, 1)
LATEST_EFFECTIVE = date(2200, 1, 1)


class RuleRefused(ValueError):
    """The version was refused; ``errors`` maps each form field at fault to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def versions_of(code: str) -> list[RequirementRule]:
    return list(
        session().scalars(
            select(RequirementRule)
            .where(RequirementRule.code == code)
            .order_by(RequirementRule.effective_from)
        )
    )


def form_values(row: RequirementRule | None) -> dict[str, str]:
    """The admin form's fields, from a version (the newest, to prefill the next one)."""
    if row is None:
        values = {
            "code": "",
            "name": "",
            "pooled": "",
            "credits_required": "",
            "credit_unit": "CEC",
            "hours_per_unit": "1",
            "cycle_months": "24",
            "effective_from": "",
        }
        codes: list[str] = []
        minimums: list[tuple[str, str]] = []
        caps: list[dict[str, Any]] = []
    else:
        values = {
            "code": row.code,
            "name": row.name,
            "pooled": "1" if row.pooled else "",
            "credits_required": format_number(row.credits_required),
            "credit_unit": row.credit_unit,
            "hours_per_unit": format_number(row.hours_per_unit),
            "cycle_months": str(row.cycle_months),
            "effective_from": "",
        }
        codes = list(row.certification_codes or ())
        minimums = [
            (k, format_number(_decimal_or_zero(v))) for k, v in row.category_minimums.items()
        ]
        caps = [c for c in row.source_caps or () if isinstance(c, dict)]
    for code in codes:
        values[f"certification-{code}"] = "1"
    for n in range(FORM_ROWS + max(len(minimums), len(caps))):
        category, minimum = minimums[n] if n < len(minimums) else ("", "")
        values[f"category-{n}"], values[f"minimum-{n}"] = category, minimum
        cap = caps[n] if n < len(caps) else {}
        values[f"cap-source-{n}"] = str(cap.get("source", ""))
        values[f"cap-per-{n}"] = str(cap.get("per", "each"))
        values[f"cap-max-{n}"] = (
            str(_decimal_or_zero(cap["max"]).normalize()) if "max" in cap else ""
        )
    return values


def row_count(fields: Mapping[str, str]) -> int:
    """How many category and cap rows the fields hold (at least FORM_ROWS, at most 20)."""
    n = FORM_ROWS
    while n < 20 and any(f"{name}-{n}" in fields for name in ("category", "cap-source")):
        n += 1
    return n


def _number(
    fields: Mapping[str, str], name: str, label: str, high: Decimal, errors: dict[str, str]
) -> Decimal | None:
    text = fields.get(name, "").strip().replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors[name] = f"The {label} must be a number, such as 2 or 1.5."
        return None
    if not number.is_finite() or not Decimal(0) < number <= high:
        errors[name] = f"The {label} must be more than 0 and at most {high}."
        return None
    if number != number.quantize(Decimal("0.01")):
        errors[name] = f"The {label} takes at most two decimals."
        return None
    return number


def parse_rule_version(
    fields: Mapping[str, str],
    *,
    existing: list[RequirementRule],
    known_codes: set[str],
    today: date,
) -> tuple[dict[str, Any], dict[str, str]]:
    """The new version's values from the form's fields, and an error per bad field.

    ``existing`` are the rule's versions (empty for a new rule). A new version keeps the
    rule's certifications and pooling (they are the rule's identity), takes effect after its
    newest version and not before today, so no cycle already begun is rewritten; a new rule
    may start on any date (it is an introduction, see ``rules``)."""
    errors: dict[str, str] = {}
    if any(CONTROL_CHARACTERS.search(v) for v in fields.values()):
        return {}, {"form": "Remove the invisible control characters from the form."}
    newest = existing[-1] if existing else None
    values: dict[str, Any] = {}

    if newest is not None:
        values["code"] = newest.code
        values["certification_codes"] = list(newest.certification_codes)
        values["pooled"] = bool(newest.pooled)
    else:
        code = fields.get("code", "").strip().upper()
        if not RULE_CODE_RE.fullmatch(code):
            errors["code"] = (
                "The rule's code takes 2 to 40 capital letters, digits and hyphens, such as "
                "IICRC-POOLED."
            )
        values["code"] = code
        chosen = sorted(
            name.removeprefix("certification-")
            for name, value in fields.items()
            if name.startswith("certification-") and value
        )
        unknown = [c for c in chosen if c not in known_codes]
        if unknown:
            errors["certifications"] = f"There is no certification {', '.join(unknown)[:80]}."
        elif not chosen:
            errors["certifications"] = "Choose at least one certification the rule covers."
        values["certification_codes"] = chosen
        values["pooled"] = fields.get("pooled", "") in ("1", "on", "yes", "true")

    name = " ".join(fields.get("name", "").split())
    if not 1 <= len(name) <= 200:
        errors["name"] = "Give the rule a name (at most 200 characters)."
    values["name"] = name
    values["credits_required"] = _number(
        fields, "credits_required", "credits required", MAX_REQUIRED, errors
    )
    unit = " ".join(fields.get("credit_unit", "").split())
    if not CREDIT_UNIT.fullmatch(unit):
        errors["credit_unit"] = CREDIT_UNIT_MESSAGE
    values["credit_unit"] = unit
    values["hours_per_unit"] = _number(
        fields, "hours_per_unit", "hours per credit", MAX_HOURS_PER_UNIT, errors
    )
    months = fields.get("cycle_months", "").strip()
    if months.isascii() and months.isdecimal() and 1 <= int(months[:4]) <= 120:
        values["cycle_months"] = int(months)
    else:
        errors["cycle_months"] = "The cycle is a whole number of months from 1 to 120."
    try:
        effective = date.fromisoformat(fields.get("effective_from", "").strip())
    except ValueError:
        effective = None
        errors["effective_from"] = "Give the date the version takes effect as YYYY-MM-DD."
    if effective is not None:
        if not EARLIEST_EFFECTIVE <= effective <= LATEST_EFFECTIVE:
            errors["effective_from"] = "The effective date must be between 1950 and 2200."
        elif newest is not None and effective <= newest.effective_from:
            errors["effective_from"] = (
                f"A new version must take effect after the newest one "
                f"({newest.effective_from.isoformat()})."
            )
        elif newest is not None and effective < today:
            errors["effective_from"] = (
                "A new version cannot take effect in the past: cycles already begun would be "
                "rewritten. Choose today or a later date."
            )
    values["effective_from"] = effective

    minimums: dict[str, str] = {}
    caps: list[dict[str, str]] = []
    for n in range(row_count(fields)):
        category = " ".join(fields.get(f"category-{n}", "").split()).lower()
        minimum = fields.get(f"minimum-{n}", "").strip()
        if category or minimum:
            if not CATEGORY_RE.fullmatch(category):
                errors[f"category-{n}"] = (
                    f"Category row {n + 1}: name the category in up to 40 lower-case letters, "
                    "digits, spaces, _ or -."
                )
            elif category in minimums:
                errors[f"category-{n}"] = f"Category row {n + 1}: {category} is listed twice."
            amount = _number(
                fields, f"minimum-{n}", f"minimum in category row {n + 1}", MAX_REQUIRED, errors
            )
            if (
                amount is not None
                and values["credits_required"]
                and amount > values["credits_required"]
            ):
                errors[f"minimum-{n}"] = (
                    f"Category row {n + 1}: the minimum is more than the credits required."
                )
            if amount is not None and f"category-{n}" not in errors:
                minimums[category] = str(amount.normalize())
        source = fields.get(f"cap-source-{n}", "").strip()
        per = fields.get(f"cap-per-{n}", "").strip() or "each"
        maximum = fields.get(f"cap-max-{n}", "").strip()
        if source or maximum:
            if source not in CAP_SOURCES:
                errors[f"cap-source-{n}"] = f"Cap row {n + 1}: choose a source from the list."
            if per not in CAP_PER:
                errors[f"cap-per-{n}"] = f"Cap row {n + 1}: choose per each or in all."
            if any(c["source"] == source and c["per"] == per for c in caps):
                errors[f"cap-source-{n}"] = f"Cap row {n + 1}: that cap is listed twice."
            amount = _number(
                fields, f"cap-max-{n}", f"maximum in cap row {n + 1}", MAX_REQUIRED, errors
            )
            if amount is not None and f"cap-source-{n}" not in errors:
                caps.append({"source": source, "per": per, "max": str(amount.normalize())})
    values["category_minimums"] = minimums
    values["source_caps"] = caps
    return values, errors


def add_rule_version(
    fields: Mapping[str, str], *, code: str | None, admin_id: int | None, now: datetime
) -> RequirementRule:
    """Check the form's fields and store a new version of rule ``code`` (None: a new rule).
    Commits once; raises RuleRefused with nothing written."""
    db = session()
    existing = versions_of(code) if code else []
    if code and not existing:
        raise RuleRefused({"code": f"There is no rule {code[:40]}."})
    known = set(db.scalars(select(Certification.code)))
    values, errors = parse_rule_version(
        fields, existing=existing, known_codes=known, today=now.date()
    )
    if not errors and not existing and versions_of(values["code"]):
        errors["code"] = (
            f"There is already a rule {values['code']}: add a version to it from the rules list."
        )
    if errors:
        raise RuleRefused(errors)
    row = RequirementRule(
        code=values["code"],
        name=values["name"],
        certification_codes=values["certification_codes"],
        pooled=values["pooled"],
        credits_required=values["credits_required"],
        credit_unit=values["credit_unit"],
        hours_per_unit=values["hours_per_unit"],
        cycle_months=values["cycle_months"],
        anchor="certified_on",
        category_minimums=values["category_minimums"],
        source_caps=values["source_caps"],
        effective_from=values["effective_from"],
        created_at=now.replace(microsecond=0),
        created_by_id=admin_id,
    )
    db.add(row)
    try:
        db.commit()
    except IntegrityError:  # another admin added a version with that date (or rule) meanwhile
        db.rollback()
        raise RuleRefused(
            {"effective_from": "A version of this rule with that date was just added."}
        ) from None
    return row
