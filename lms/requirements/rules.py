"""The requirement engine, pure: plain dataclasses in, plain dataclasses out (no Flask, no
database), so every rule below is tested over hand-computed cases in
``tests/test_requirement_rules.py``.

Semantics
=========

Rules and versions
    A rule (``code``) has one or more versions; each applies from its ``effective_from``.
    Which certifications a rule covers and whether it is pooled belong to the rule, not to a
    version: the admin page copies them into every new version, and the engine reads them
    from the newest version.

Who a rule applies to
    *Per certification* (``pooled`` false): one requirement for each listed certification
    the person holds, its cycles anchored on that holding's ``certified_on``.
    *Pooled*: one requirement per person however many of the listed certifications they
    hold, anchored on the earliest ``certified_on`` among them.

Cycles
    Cycle k runs from ``anchor + M_k months`` to the day before ``anchor + M_(k+1) months``,
    where ``M_k`` is the total length of the cycles before it. Months are added to the
    anchor itself, never to the previous cycle's start, so a month-end anchor does not drift:
    the day is kept, or clamped to the month's last day (anchor 2024-02-29: + 12 months is
    2025-02-28, + 48 months is 2028-02-29; anchor 2024-01-31, 1-month cycles start on
    02-29, 03-31, 04-30...). Cycles follow each other with neither gap nor overlap.

Which version governs a cycle
    The version in effect on the cycle's *start* date (the latest ``effective_from`` on or
    before it); its ``cycle_months`` sets that cycle's length. A change therefore applies to
    cycles that begin on or after its date; a cycle in progress and past cycles are never
    rewritten. If no version was in effect at the start (the rule was introduced in the
    middle of the cycle), the earliest version governs the cycle when its ``effective_from``
    falls on or before the cycle's end; a cycle that ended before the rule existed has no
    requirement.

Which credits count in a cycle
    Ledger entries of the person with ``earned_on`` from the cycle's start through its end
    (both days included), and not before the certification date (cycle 0 starts on it, so a
    credit earned before someone was certified never counts), that count toward one of the
    requirement's certifications (``Credit.certification_codes``: from the course's
    certifications, the event's, or the codes recorded in the entry's cycles), or, for a
    pooled requirement, whose recorded cycles name the pooled rule (``Credit.pooled_rules``).
    The window is recomputed from ``earned_on``; the cycles an entry recorded when written
    are not trusted for dates (a corrected certification date moves the cycles).

Reversals
    A reversal (``reverses_id``) is folded into the entry it reverses: the two count as one
    entry of their net credits (and net hours); a net of zero or less counts nothing. A
    reversal of an entry not in the person's log counts nothing.

Units
    An entry in the rule's ``credit_unit`` counts its credits as they are; an entry in
    another unit counts ``hours / hours_per_unit`` (rounded down to 0.01) when its hours are
    known, and is skipped with a reason when they are not.

Caps per source
    ``{"source": "event", "per": "each", "max": 2}``: at most 2 credits from any one event
    (entries are grouped by the first two parts of their ``source_ref``: "event:3:user:7" ->
    "event:3"). ``"per": "all"``: at most that much from the source in the cycle. Entries are
    taken oldest first (``earned_on``, then id) until a cap is reached; the "each" cap applies
    before the "all" cap. Categories count what is left after the caps.

Category minimums
    ``{"technical": 1}``: at least 1 of the credits counted must be in that category (they
    count toward the total too). ``missing_by_category`` lists each category still short,
    with how much.

Status (``today`` is the day the standing is computed for)
    * ``complete``: earned >= required and every category minimum met (whatever the date);
    * ``overdue``: not complete and today is after the cycle's end;
    * ``at_risk``: not complete and fewer than ``AT_RISK_DAYS`` (90) days until the due date
      (``(end - today).days < 90``: at risk from 89 days before the due date; 90 days before
      is not), or behind pace: ``earned / required`` below the share of the cycle's days
      already past (``(today - start).days / days in the cycle``) minus ``PACE_MARGIN``
      (0.25); exactly on that line is not behind;
    * ``on_track`` otherwise.

Standings
    ``standings`` reports, per requirement, the cycle containing today; and the previous
    cycle too, as ``overdue``, if it ended incomplete at most ``OVERDUE_GRACE_DAYS`` (90) days
    ago. Order: rule code, certification, cycle start.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

AT_RISK_DAYS = 90
PACE_MARGIN = Decimal("0.25")
OVERDUE_GRACE_DAYS = 90
POOLED = "pooled"
CENT = Decimal("0.01")
ZERO = Decimal(0)


@dataclass(frozen=True)
class SourceCap:
    source: str
    #: "each" (per event, class or claim) or "all" (per cycle).
    per: str
    max: Decimal


@dataclass(frozen=True)
class RuleVersion:
    code: str
    name: str
    certification_codes: tuple[str, ...]
    pooled: bool
    credits_required: Decimal
    credit_unit: str
    hours_per_unit: Decimal
    cycle_months: int
    effective_from: date
    category_minimums: Mapping[str, Decimal] = field(default_factory=dict)
    source_caps: tuple[SourceCap, ...] = ()
    id: int | None = None


@dataclass(frozen=True)
class HeldCertification:
    code: str
    certified_on: date


@dataclass(frozen=True)
class Credit:
    """A ledger entry, as the engine needs it."""

    id: int
    source: str
    source_ref: str
    credits: Decimal
    credit_unit: str
    earned_on: date
    hours: Decimal | None = None
    category: str = "general"
    #: The certifications the entry counts toward.
    certification_codes: frozenset[str] = frozenset()
    #: Pooled rules the entry's recorded cycles name (claims and events carry no course).
    pooled_rules: frozenset[str] = frozenset()
    reverses_id: int | None = None


@dataclass(frozen=True)
class Requirement:
    rule_code: str
    #: The certification's code, or "pooled".
    certification: str
    #: The certifications whose credits count.
    certification_codes: tuple[str, ...]
    anchor: date
    #: The rule's versions, oldest first.
    versions: tuple[RuleVersion, ...]

    @property
    def pooled(self) -> bool:
        return self.certification == POOLED


@dataclass(frozen=True)
class Cycle:
    start: date
    end: date
    #: The version that governs the cycle; None when the rule was not yet in force.
    version: RuleVersion | None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Counted:
    credit_id: int
    #: What the entry counts for, after conversion and caps.
    amount: Decimal
    category: str
    #: What the caps took off.
    capped: Decimal = ZERO


@dataclass(frozen=True)
class Skipped:
    credit_id: int
    reason: str


@dataclass(frozen=True)
class Evaluation:
    requirement: Requirement
    cycle: Cycle
    version: RuleVersion
    required: Decimal
    earned: Decimal
    by_category: dict[str, Decimal]
    missing_by_category: dict[str, Decimal]
    status: str
    counted: tuple[Counted, ...] = ()
    skipped: tuple[Skipped, ...] = ()


# Dates ------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, the day clamped to the month's end (01-31 + 1 -> 02-28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def version_in_effect(versions: Sequence[RuleVersion], on: date) -> RuleVersion | None:
    """The latest version whose effective date is on or before ``on``."""
    found = None
    for version in sorted(versions, key=lambda v: v.effective_from):
        if version.effective_from <= on:
            found = version
    return found


def cycles(requirement: Requirement, through: date) -> Iterator[Cycle]:
    """The requirement's cycles from its anchor, up to the one containing ``through``."""
    versions = sorted(requirement.versions, key=lambda v: v.effective_from)
    if not versions:
        return
    months = 0
    while True:
        start = add_months(requirement.anchor, months)
        if start > through:
            return
        governing = version_in_effect(versions, start)
        length = max(1, (governing or versions[0]).cycle_months)  # never a zero-length loop
        end = add_months(requirement.anchor, months + length) - timedelta(days=1)
        if governing is None and versions[0].effective_from <= end:
            governing = versions[0]  # introduced mid-cycle: its first version governs
        yield Cycle(start, end, governing)
        months += length


def cycle_containing(requirement: Requirement, day: date) -> Cycle | None:
    """The cycle that contains ``day``; None before the anchor."""
    last = None
    for last in cycles(requirement, day):  # noqa: B007  (the last one contains the day)
        pass
    return last


# Who needs what ---------------------------------------------------------------------------


def requirements_of(
    rules: Mapping[str, Sequence[RuleVersion]], holdings: Sequence[HeldCertification]
) -> list[Requirement]:
    """The requirements that apply to someone holding ``holdings``, in a stable order."""
    held: dict[str, date] = {}
    for holding in holdings:
        earlier = held.get(holding.code)
        held[holding.code] = min(holding.certified_on, earlier or holding.certified_on)
    found = []
    for code in sorted(rules):
        versions = tuple(sorted(rules[code], key=lambda v: v.effective_from))
        if not versions:
            continue
        newest = versions[-1]
        covered = tuple(sorted(set(newest.certification_codes)))
        if newest.pooled:
            dates = [held[c] for c in covered if c in held]
            if dates:
                found.append(Requirement(code, POOLED, covered, min(dates), versions))
        else:
            for certification in covered:
                if certification in held:
                    found.append(
                        Requirement(
                            code, certification, (certification,), held[certification], versions
                        )
                    )
    return found


# Counting ---------------------------------------------------------------------------------


def counts_toward(credit: Credit, requirement: Requirement) -> bool:
    if credit.certification_codes & set(requirement.certification_codes):
        return True
    return requirement.pooled and requirement.rule_code in credit.pooled_rules


def group_key(source_ref: str) -> str:
    """What an "each" cap groups by: "event:3:user:7" -> "event:3"."""
    return ":".join(source_ref.split(":")[:2])


def _fold_reversals(
    credits: Sequence[Credit],
) -> tuple[list[tuple[Credit, Decimal, Decimal | None]], list[Credit]]:
    """Each non-reversal entry with its net credits and net hours; orphan reversals."""
    originals = {c.id: c for c in credits if c.reverses_id is None}
    net: dict[int, tuple[Decimal, Decimal | None]] = {
        i: (Decimal(c.credits), c.hours) for i, c in originals.items()
    }
    orphans = []
    for credit in credits:
        if credit.reverses_id is None:
            continue
        if credit.reverses_id not in net:
            orphans.append(credit)
            continue
        amount, hours = net[credit.reverses_id]
        if hours is not None and credit.hours is not None:
            hours = hours + Decimal(credit.hours)
        net[credit.reverses_id] = (amount + Decimal(credit.credits), hours)
    return [(originals[i], *net[i]) for i in originals], orphans


def _convert(
    credit: Credit, amount: Decimal, hours: Decimal | None, version: RuleVersion
) -> tuple[Decimal | None, str | None]:
    """(credits in the rule's unit, None) or (None, the reason it cannot count)."""
    if credit.credit_unit == version.credit_unit:
        return amount, None
    if hours is not None and version.hours_per_unit > 0:
        return (Decimal(hours) / Decimal(version.hours_per_unit)).quantize(
            CENT, rounding=ROUND_DOWN
        ), None
    return None, (
        f"In {credit.credit_unit}, not {version.credit_unit}, and no hours are recorded to "
        "convert it."
    )


def status_of(
    cycle: Cycle, required: Decimal, earned: Decimal, missing_categories: bool, today: date
) -> str:
    """complete, overdue, at_risk or on_track (see the module's docstring)."""
    if earned >= required and not missing_categories:
        return "complete"
    if today > cycle.end:
        return "overdue"
    if (cycle.end - today).days < AT_RISK_DAYS:
        return "at_risk"
    elapsed = Decimal(max((today - cycle.start).days, 0)) / Decimal(cycle.days)
    progress = earned / required if required > 0 else Decimal(1)
    if progress < elapsed - PACE_MARGIN:
        return "at_risk"
    return "on_track"


def evaluate(
    requirement: Requirement, cycle: Cycle, credits: Sequence[Credit], today: date
) -> Evaluation:
    """Where the person stands in ``cycle`` (which must have a governing version)."""
    version = cycle.version
    if version is None:
        raise ValueError("no version of the rule governs this cycle")
    entries, orphans = _fold_reversals(credits)
    skipped = [
        Skipped(c.id, "Reverses an entry that is not in the log.")
        for c in orphans
        if cycle.start <= c.earned_on <= cycle.end and counts_toward(c, requirement)
    ]
    relevant = sorted(
        (
            (credit, amount, hours)
            for credit, amount, hours in entries
            if cycle.start <= credit.earned_on <= cycle.end
            and credit.earned_on >= requirement.anchor
            and counts_toward(credit, requirement)
        ),
        key=lambda row: (row[0].earned_on, row[0].id),
    )
    each = _caps(version, "each")
    whole = _caps(version, "all")
    used_each: dict[str, Decimal] = {}
    used_all: dict[str, Decimal] = {}
    counted = []
    for credit, amount, hours in relevant:
        if amount <= 0 and credit.credits > 0:
            skipped.append(Skipped(credit.id, "Reversed."))
            continue
        value, reason = _convert(credit, amount, hours, version)
        if value is None:
            skipped.append(Skipped(credit.id, reason or ""))
            continue
        allowed = value
        key = group_key(credit.source_ref)
        if credit.source in each:
            allowed = min(allowed, max(each[credit.source] - used_each.get(key, ZERO), ZERO))
        if credit.source in whole:
            room = max(whole[credit.source] - used_all.get(credit.source, ZERO), ZERO)
            allowed = min(allowed, room)
        used_each[key] = used_each.get(key, ZERO) + allowed
        used_all[credit.source] = used_all.get(credit.source, ZERO) + allowed
        counted.append(Counted(credit.id, allowed, credit.category, value - allowed))

    earned = sum((c.amount for c in counted), ZERO)
    by_category: dict[str, Decimal] = {}
    for c in counted:
        by_category[c.category] = by_category.get(c.category, ZERO) + c.amount
    missing = {
        category: Decimal(minimum) - by_category.get(category, ZERO)
        for category, minimum in sorted(version.category_minimums.items())
        if by_category.get(category, ZERO) < Decimal(minimum)
    }
    required = Decimal(version.credits_required)
    return Evaluation(
        requirement=requirement,
        cycle=cycle,
        version=version,
        required=required,
        earned=earned,
        by_category=by_category,
        missing_by_category=missing,
        status=status_of(cycle, required, earned, bool(missing), today),
        counted=tuple(counted),
        skipped=tuple(skipped),
    )


def _caps(version: RuleVersion, per: str) -> dict[str, Decimal]:
    """Source -> the tightest cap of that kind."""
    caps: dict[str, Decimal] = {}
    for cap in version.source_caps:
        if cap.per == per:
            limit = Decimal(cap.max)
            caps[cap.source] = min(limit, caps.get(cap.source, limit))
    return caps


# What the rest of the application asks ----------------------------------------------------


def standings(
    rules: Mapping[str, Sequence[RuleVersion]],
    holdings: Sequence[HeldCertification],
    credits: Sequence[Credit],
    today: date,
) -> list[Evaluation]:
    """The cycle containing today for every requirement, and the previous cycle as well when
    it ended incomplete at most OVERDUE_GRACE_DAYS ago."""
    found = []
    for requirement, cycle, lapsed in cycles_to_evaluate(rules, holdings, today):
        evaluation = evaluate(requirement, cycle, credits, today)
        if not lapsed or evaluation.status == "overdue":
            found.append(evaluation)
    return found


def cycles_to_evaluate(
    rules: Mapping[str, Sequence[RuleVersion]],
    holdings: Sequence[HeldCertification],
    today: date,
) -> list[tuple[Requirement, Cycle, bool]]:
    """(requirement, cycle, lapsed) for every cycle ``standings`` evaluates: the one containing
    today, and the previous one (lapsed) when it ended at most OVERDUE_GRACE_DAYS ago."""
    found = []
    for requirement in requirements_of(rules, holdings):
        previous = current = None
        for cycle in cycles(requirement, today):
            previous, current = current, cycle
        if (
            previous is not None
            and previous.version is not None
            and (today - previous.end).days <= OVERDUE_GRACE_DAYS
        ):
            found.append((requirement, previous, True))
        if current is not None and current.version is not None:
            found.append((requirement, current, False))
    return found


def credit_window(
    rules: Mapping[str, Sequence[RuleVersion]],
    holdings: Sequence[HeldCertification],
    today: date,
) -> tuple[date, date] | None:
    """The first and last ``earned_on`` that ``standings`` can count (None: it evaluates no
    cycle), so a caller may load only the credits in between. A reversal keeps the date of
    the entry it reverses, so the window never splits the two."""
    evaluated = cycles_to_evaluate(rules, holdings, today)
    if not evaluated:
        return None
    return min(c.start for _, c, _ in evaluated), max(c.end for _, c, _ in evaluated)


def cycles_of_credit(
    rules: Mapping[str, Sequence[RuleVersion]],
    holdings: Sequence[HeldCertification],
    certification_codes: Sequence[str],
    earned_on: date,
) -> list[dict[str, str]]:
    """The cycles a credit toward ``certification_codes`` earned on ``earned_on`` counts for:
    [{"rule": code, "certification": code or "pooled", "start": iso, "end": iso}]."""
    wanted = set(certification_codes)
    found = []
    for requirement in requirements_of(rules, holdings):
        if not wanted & set(requirement.certification_codes) or earned_on < requirement.anchor:
            continue
        cycle = cycle_containing(requirement, earned_on)
        if cycle is None or cycle.version is None:
            continue
        found.append(
            {
                "rule": requirement.rule_code,
                "certification": requirement.certification,
                "start": cycle.start.isoformat(),
                "end": cycle.end.isoformat(),
            }
        )
    return found
