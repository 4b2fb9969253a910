"""The requirement engine over tricky cases, each expectation computed by hand (the semantics
are in lms/requirements/rules.py's docstring). Pure: no app, no database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D
from itertools import count

import pytest

from lms.requirements.rules import (
    Credit,
    Cycle,
    HeldCertification,
    Requirement,
    RuleVersion,
    SourceCap,
    add_months,
    cycle_containing,
    cycles,
    cycles_of_credit,
    evaluate,
    requirements_of,
    standings,
    status_of,
)

_ids = count(1)


def rule(
    code: str = "CCT",
    *,
    codes: tuple[str, ...] | None = None,
    pooled: bool = False,
    required: str = "2",
    months: int = 24,
    since: date = date(2015, 1, 1),
    unit: str = "CEC",
    hours: str = "1",
    minimums: dict[str, str] | None = None,
    caps: tuple[tuple[str, str, str], ...] = (),
) -> RuleVersion:
    return RuleVersion(
        code=code,
        name=f"{code} rule",
        certification_codes=codes or (code,),
        pooled=pooled,
        credits_required=D(required),
        credit_unit=unit,
        hours_per_unit=D(hours),
        cycle_months=months,
        effective_from=since,
        category_minimums={k: D(v) for k, v in (minimums or {}).items()},
        source_caps=tuple(SourceCap(s, per, D(m)) for s, per, m in caps),
    )


def credit(
    on: date,
    amount: str = "1",
    *,
    codes: tuple[str, ...] = ("CCT",),
    source: str = "online_course",
    ref: str | None = None,
    unit: str = "CEC",
    hours: str | None = None,
    category: str = "general",
    reverses: int | None = None,
    pooled_rules: tuple[str, ...] = (),
    id: int | None = None,
) -> Credit:
    n = id or next(_ids)
    return Credit(
        id=n,
        source=source,
        source_ref=ref or f"enrolment:{n}",
        credits=D(amount),
        credit_unit=unit,
        earned_on=on,
        hours=None if hours is None else D(hours),
        category=category,
        certification_codes=frozenset(codes),
        pooled_rules=frozenset(pooled_rules),
        reverses_id=reverses,
    )


def requirement(anchor: date, *versions: RuleVersion) -> Requirement:
    versions = versions or (rule(),)
    first = versions[0]
    return Requirement(
        first.code,
        "pooled" if first.pooled else first.certification_codes[0],
        first.certification_codes,
        anchor,
        tuple(versions),
    )


def earned_in(req: Requirement, day: date, credits: list[Credit], today: date | None = None):
    cycle = cycle_containing(req, day)
    return evaluate(req, cycle, credits, today or day)


# Month arithmetic and cycle boundaries ----------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 31), 3, date(2024, 4, 30)),
        (date(2024, 11, 15), 2, date(2025, 1, 15)),
        (date(2024, 3, 15), 0, date(2024, 3, 15)),
    ],
)
def test_months_keep_the_day_or_clamp_it_to_the_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_cycles_follow_each_other_without_gap_and_month_ends_do_not_drift():
    req = requirement(date(2024, 1, 31), rule(months=1))
    found = list(cycles(req, date(2024, 6, 1)))
    assert [(c.start, c.end) for c in found[:4]] == [
        (date(2024, 1, 31), date(2024, 2, 28)),
        (date(2024, 2, 29), date(2024, 3, 30)),
        (date(2024, 3, 31), date(2024, 4, 29)),
        (date(2024, 4, 30), date(2024, 5, 30)),
    ]
    # Always counted from the anchor: after April's 30 it is the 31st again, not the 30th.
    assert found[4].start == date(2024, 5, 31)
    for before, after in zip(found, found[1:], strict=False):
        assert after.start == before.end + timedelta(days=1)


def test_a_credit_on_the_first_and_last_day_counts_the_next_day_is_the_next_cycle():
    req = requirement(date(2024, 3, 15))  # 24 months: 2024-03-15 .. 2026-03-14
    first, last, after = date(2024, 3, 15), date(2026, 3, 14), date(2026, 3, 15)
    credits = [credit(first), credit(last), credit(after, "0.5")]
    cycle = cycle_containing(req, first)
    assert (cycle.start, cycle.end) == (first, last)
    assert evaluate(req, cycle, credits, first).earned == D(2)
    following = cycle_containing(req, after)
    assert (following.start, following.end) == (after, date(2028, 3, 14))
    assert evaluate(req, following, credits, after).earned == D("0.5")
    # The day before the anchor is in no cycle.
    assert cycle_containing(req, date(2024, 3, 14)) is None


def test_a_leap_day_anchor():
    req = requirement(date(2024, 2, 29), rule(months=12))
    spans = [(c.start, c.end) for c in cycles(req, date(2028, 3, 1))]
    assert spans == [
        (date(2024, 2, 29), date(2025, 2, 27)),
        (date(2025, 2, 28), date(2026, 2, 27)),
        (date(2026, 2, 28), date(2027, 2, 27)),
        (date(2027, 2, 28), date(2028, 2, 28)),
        (date(2028, 2, 29), date(2029, 2, 27)),
    ]
    credits = [credit(date(2025, 2, 27)), credit(date(2025, 2, 28), "0.5")]
    assert earned_in(req, date(2025, 2, 27), credits).earned == D(1)
    assert earned_in(req, date(2025, 2, 28), credits).earned == D("0.5")
    # 48 months on, the cycle starts on a leap day again.
    assert cycle_containing(req, date(2028, 2, 29)).start == date(2028, 2, 29)


# Rule versions ----------------------------------------------------------------------------


OLD = rule(required="2", since=date(2015, 1, 1))
NEW = rule(required="4", months=12, since=date(2025, 1, 1))


def test_a_change_mid_cycle_applies_from_the_next_cycle_only():
    req = requirement(date(2024, 6, 1), OLD, NEW)
    # The cycle in progress when the change took effect keeps the old version, even read
    # after the change, and its length (24 months).
    current = cycle_containing(req, date(2025, 6, 1))
    assert (current.start, current.end, current.version) == (
        date(2024, 6, 1),
        date(2026, 5, 31),
        OLD,
    )
    assert evaluate(req, current, [], date(2025, 6, 1)).required == D(2)
    # The next one begins after the change: the new version, its 12-month length.
    following = cycle_containing(req, date(2026, 6, 1))
    assert (following.start, following.end, following.version) == (
        date(2026, 6, 1),
        date(2027, 5, 31),
        NEW,
    )
    assert evaluate(req, following, [], date(2026, 6, 1)).required == D(4)


def test_a_cycle_starting_on_the_effective_date_takes_the_new_version():
    req = requirement(date(2023, 1, 1), OLD, NEW)
    assert cycle_containing(req, date(2024, 12, 31)).version == OLD
    assert cycle_containing(req, date(2025, 1, 1)).version == NEW


def test_a_rule_introduced_mid_cycle_governs_that_cycle_but_not_cycles_ended_before_it():
    only = rule(since=date(2025, 1, 1))
    req = requirement(date(2020, 1, 1), only)
    spans = [(c.start, c.end, c.version) for c in cycles(req, date(2025, 6, 1))]
    assert spans == [
        (date(2020, 1, 1), date(2021, 12, 31), None),
        (date(2022, 1, 1), date(2023, 12, 31), None),
        (date(2024, 1, 1), date(2025, 12, 31), only),
    ]
    holdings = [HeldCertification("CCT", date(2020, 1, 1))]
    assert cycles_of_credit({"CCT": [only]}, holdings, ["CCT"], date(2021, 5, 1)) == []
    assert cycles_of_credit({"CCT": [only]}, holdings, ["CCT"], date(2024, 2, 1)) == [
        {"rule": "CCT", "certification": "CCT", "start": "2024-01-01", "end": "2025-12-31"}
    ]


def test_a_version_not_yet_in_force_changes_nothing_today():
    future = rule(required="9", since=date(2030, 1, 1))
    req = requirement(date(2024, 6, 1), OLD, future)
    assert cycle_containing(req, date(2026, 7, 1)).version == OLD


# Which credits count ----------------------------------------------------------------------


def test_credits_earned_before_the_certification_date_do_not_count():
    holdings = [
        HeldCertification("CCT", date(2024, 3, 1)),
        HeldCertification("WRT", date(2023, 1, 1)),
    ]
    rules = {"CCT": [rule("CCT")], "WRT": [rule("WRT", required="4")]}
    early = credit(date(2024, 2, 28), codes=("CCT", "WRT"))
    on_the_day = credit(date(2024, 3, 1), "0.5", codes=("CCT", "WRT"))
    found = {
        e.requirement.rule_code: e.earned
        for e in standings(rules, holdings, [early, on_the_day], date(2024, 6, 1))
    }
    assert found == {"CCT": D("0.5"), "WRT": D("1.5")}
    # And the credit's cycles name WRT only.
    assert [
        c["rule"] for c in cycles_of_credit(rules, holdings, ["CCT", "WRT"], early.earned_on)
    ] == ["WRT"]


def test_credits_toward_other_certifications_do_not_count():
    req = requirement(date(2024, 1, 1))
    credits = [credit(date(2024, 5, 1), codes=("WRT",)), credit(date(2024, 5, 2), "0.5")]
    assert earned_in(req, date(2024, 6, 1), credits).earned == D("0.5")


def test_pooled_counts_a_course_once_per_certification_counts_it_for_each():
    holdings = [
        HeldCertification("WRT", date(2024, 5, 1)),
        HeldCertification("CCT", date(2024, 1, 10)),
    ]
    pooled = rule("POOL", codes=("CCT", "WRT", "MWR"), pooled=True, required="14", months=48)
    rules = {
        "CCT": [rule("CCT")],
        "WRT": [rule("WRT", required="4")],
        "POOL": [pooled],
    }
    both = credit(date(2024, 6, 1), codes=("CCT", "WRT"))
    found = standings(rules, holdings, [both], date(2024, 7, 1))
    assert [(e.requirement.rule_code, e.requirement.certification, e.earned) for e in found] == [
        ("CCT", "CCT", D(1)),
        ("POOL", "pooled", D(1)),  # one requirement, the course counted once
        ("WRT", "WRT", D(1)),
    ]
    # Pooled: anchored on the earliest certification held.
    pool = next(e for e in found if e.requirement.pooled)
    assert (pool.cycle.start, pool.cycle.end) == (date(2024, 1, 10), date(2028, 1, 9))
    assert cycles_of_credit(rules, holdings, ["CCT", "WRT"], both.earned_on) == [
        {"rule": "CCT", "certification": "CCT", "start": "2024-01-10", "end": "2026-01-09"},
        {"rule": "POOL", "certification": "pooled", "start": "2024-01-10", "end": "2028-01-09"},
        {"rule": "WRT", "certification": "WRT", "start": "2024-05-01", "end": "2026-04-30"},
    ]


def test_a_pooled_rule_needs_only_one_of_its_certifications_and_counts_recorded_cycles():
    pooled = rule("POOL", codes=("CCT", "WRT"), pooled=True, required="14", months=48)
    holdings = [HeldCertification("WRT", date(2024, 5, 1))]
    # A claim carries no course: what it counts toward comes from the cycles it recorded.
    claim = credit(date(2024, 6, 1), "3", codes=(), source="external_claim", pooled_rules=("POOL",))
    other = credit(date(2024, 6, 2), "2", codes=(), pooled_rules=("ELSEWHERE",))
    (found,) = standings({"POOL": [pooled]}, holdings, [claim, other], date(2024, 7, 1))
    assert (found.requirement.anchor, found.earned) == (date(2024, 5, 1), D(3))
    assert requirements_of({"POOL": [pooled]}, []) == []


def test_a_reversal_cancels_what_it_reverses():
    req = requirement(date(2024, 1, 1))
    wrong = credit(date(2024, 5, 1), "2", id=9001)
    undo = credit(date(2024, 5, 1), "-2", source="reversal", ref="entry:9001", reverses=9001)
    kept = credit(date(2024, 5, 3), "0.5")
    result = earned_in(req, date(2024, 6, 1), [wrong, undo, kept])
    assert result.earned == D("0.5")
    assert [c.credit_id for c in result.counted] == [kept.id]
    assert [(s.credit_id, s.reason) for s in result.skipped] == [(9001, "Reversed.")]


def test_a_reversed_claim_frees_its_room_under_a_cap():
    req = requirement(date(2024, 1, 1), rule(required="8", caps=(("external_claim", "all", "4"),)))
    first = credit(date(2024, 2, 1), "3", source="external_claim", ref="claim:1", id=9101)
    undo = credit(date(2024, 2, 1), "-3", source="reversal", ref="entry:9101", reverses=9101)
    second = credit(date(2024, 3, 1), "3", source="external_claim", ref="claim:2")
    assert earned_in(req, date(2024, 6, 1), [first, second]).earned == D(4)
    assert earned_in(req, date(2024, 6, 1), [first, undo, second]).earned == D(3)


def test_units_convert_through_hours_or_the_entry_is_skipped_with_a_reason():
    old = rule(hours="7", required="2")
    req = requirement(date(2024, 1, 1), old)
    same_unit = credit(date(2024, 2, 1), "1", hours="7")
    ceu = credit(date(2024, 2, 2), "1.4", unit="CEU", hours="14")  # 14 h / 7 = 2 CEC
    odd = credit(date(2024, 2, 3), "1", unit="CEU", hours="10")  # 10 / 7 = 1.428... -> 1.42
    unknown = credit(date(2024, 2, 4), "3", unit="PDH")
    result = earned_in(req, date(2024, 6, 1), [same_unit, ceu, odd, unknown])
    assert {c.credit_id: c.amount for c in result.counted} == {
        same_unit.id: D(1),
        ceu.id: D(2),
        odd.id: D("1.42"),
    }
    assert result.earned == D("4.42")
    assert [s.credit_id for s in result.skipped] == [unknown.id]
    assert "PDH" in result.skipped[0].reason and "no hours" in result.skipped[0].reason


# Caps -------------------------------------------------------------------------------------


def test_at_most_two_credits_from_any_one_event():
    capped = rule("WRT", required="8", caps=(("event", "each", "2"),))
    req = requirement(date(2024, 1, 1), capped)

    def event(n: int, amount: str, on: date, category: str = "general") -> Credit:
        return credit(
            on, amount, codes=("WRT",), source="event", ref=f"event:{n}:user:7", category=category
        )

    big = event(1, "3", date(2024, 2, 1), "technical")
    small = event(2, "1.5", date(2024, 3, 1))
    course = credit(date(2024, 4, 1), "3", codes=("WRT",))  # courses are not capped
    result = earned_in(req, date(2024, 6, 1), [big, small, course])
    assert result.earned == D("6.5")  # 2 + 1.5 + 3
    assert {c.credit_id: (c.amount, c.capped) for c in result.counted}[big.id] == (D(2), D(1))
    assert result.by_category == {"technical": D(2), "general": D("4.5")}
    # The same event's cap holds per event and per cycle: a later rule without it counts all.
    assert earned_in(
        requirement(date(2024, 1, 1), rule("WRT", required="8")),
        date(2024, 6, 1),
        [big, small, course],
    ).earned == D("7.5")


def test_a_cap_on_a_source_in_all_oldest_first_and_with_a_cap_per_each():
    capped = rule(
        "WRT",
        required="20",
        caps=(("external_claim", "all", "4"), ("event", "each", "2"), ("event", "all", "3")),
    )
    req = requirement(date(2024, 1, 1), capped)
    claims = [
        credit(date(2024, 2, d), "3", codes=("WRT",), source="external_claim", ref=f"claim:{d}")
        for d in (1, 2)
    ]
    events = [
        credit(date(2024, 3, n), amount, codes=("WRT",), source="event", ref=f"event:{n}:user:7")
        for n, amount in ((1, "3"), (2, "2"), (3, "1"))
    ]
    result = earned_in(req, date(2024, 6, 1), [*reversed(claims), *events])
    amounts = {c.credit_id: c.amount for c in result.counted}
    # Claims: the older one in full (3), the newer gets the last 1 of 4.
    assert [amounts[c.id] for c in claims] == [D(3), D(1)]
    # Events: event 1 capped at 2 each; event 2 gets the 1 left of 3 in all; event 3 nothing.
    assert [amounts[e.id] for e in events] == [D(2), D(1), D(0)]
    assert result.earned == D(7)


# Category minimums and status -------------------------------------------------------------


def test_category_minimums_report_what_is_short():
    wrt = rule("WRT", required="4", minimums={"technical": "1", "safety": "0.5"})
    req = requirement(date(2024, 1, 1), wrt)
    general = credit(date(2024, 2, 1), "4", codes=("WRT",))
    result = earned_in(req, date(2024, 6, 1), [general])
    assert result.earned == D(4)
    assert result.missing_by_category == {"safety": D("0.5"), "technical": D(1)}
    assert result.status != "complete"
    technical = credit(date(2024, 3, 1), "1.5", codes=("WRT",), category="technical")
    safety = credit(date(2024, 3, 2), "0.5", codes=("WRT",), category="safety")
    done = earned_in(req, date(2024, 6, 1), [general, technical, safety])
    assert (done.missing_by_category, done.status) == ({}, "complete")


CYCLE = Cycle(date(2024, 1, 1), date(2025, 2, 3), None)  # 400 days


@pytest.mark.parametrize(
    ("today", "earned", "missing_categories", "expected"),
    [
        # Complete: enough credits and no category short, even after the due date.
        (date(2024, 1, 1), "4", False, "complete"),
        (date(2025, 6, 1), "5", False, "complete"),
        (date(2024, 6, 1), "4", True, "on_track"),
        # Overdue: the day after the due date, not on it.
        (date(2025, 2, 4), "3.99", False, "overdue"),
        (date(2025, 2, 3), "3.99", False, "at_risk"),
        # 90 days before the due date is not yet at risk by time; 89 days before is.
        (date(2025, 2, 3) - timedelta(days=90), "3.99", False, "on_track"),
        (date(2025, 2, 3) - timedelta(days=89), "3.99", False, "at_risk"),
        # Pace: 200 of 400 days gone (50 %), so 25 % (1 of 4) is just on the line.
        (date(2024, 7, 19), "1", False, "on_track"),
        (date(2024, 7, 19), "0.99", False, "at_risk"),
        # On the first day nothing is behind.
        (date(2024, 1, 1), "0", False, "on_track"),
        # 100 days gone (25 %): nothing earned is exactly on the line.
        (date(2024, 4, 10), "0", False, "on_track"),
        (date(2024, 4, 11), "0", False, "at_risk"),
    ],
)
def test_status_boundaries(today, earned, missing_categories, expected):
    assert CYCLE.days == 400
    assert status_of(CYCLE, D(4), D(earned), missing_categories, today) == expected


def test_a_lapsed_cycle_is_reported_as_overdue_for_90_days_then_dropped():
    holdings = [HeldCertification("CCT", date(2022, 1, 1))]  # cycle ends 2023-12-31
    rules = {"CCT": [rule()]}
    one = [credit(date(2022, 6, 1))]

    def report(today: date) -> list[tuple[date, str]]:
        return [(e.cycle.start, e.status) for e in standings(rules, holdings, one, today)]

    assert report(date(2024, 3, 30)) == [  # 90 days after the due date
        (date(2022, 1, 1), "overdue"),
        (date(2024, 1, 1), "on_track"),
    ]
    assert report(date(2024, 3, 31)) == [(date(2024, 1, 1), "on_track")]
    # A lapsed cycle that was completed is not repeated.
    done = [credit(date(2022, 6, 1), "2")]
    assert [e.status for e in standings(rules, holdings, done, date(2024, 1, 5))] == ["on_track"]


def test_several_certifications_under_one_non_pooled_rule_are_separate_requirements():
    both = rule("TECH", codes=("CCT", "WRT"))
    holdings = [
        HeldCertification("WRT", date(2023, 5, 1)),
        HeldCertification("CCT", date(2024, 1, 1)),
    ]
    found = requirements_of({"TECH": [both]}, holdings)
    assert [(r.certification, r.anchor) for r in found] == [
        ("CCT", date(2024, 1, 1)),
        ("WRT", date(2023, 5, 1)),
    ]
