"""Item analysis: how each question of a quiz performed across learners. Pure: plain values in,
plain values out; no session, no clock.

Definitions (classical test theory, as in Moodle's quiz statistics):

* **Item score**: the fraction of a question's points earned in one attempt (0 to 1), found by
  re-grading the attempt's saved responses with the question type's ``grade``.
* **Facility** (share correct): the mean item score over the learners who were given the
  question. 1.0 = everyone got it right.
* **Discrimination**: the point-biserial correlation (Pearson's r, which is the point-biserial
  when the item is scored 0/1 and stays meaningful with partial credit) between the item score
  and the **rest score**, the learner's total points *without* this item. Leaving the item out
  keeps it from correlating with itself, which inflates r on short quizzes. Undefined (None)
  when every learner has the same item score or the same rest score.
* **Upper-lower index**: the mean item score of the top 27 % of learners by total score minus
  that of the bottom 27 % (Kelley's groups; at least one learner each; ties at the boundary
  fall in the order given). From -1 to 1.

Flags (only once an item has at least ``MIN_RESPONSES`` responses; fewer say little):

* facility below ``HARD_BELOW`` (0.20): too hard, or the key may be wrong;
* facility above ``EASY_ABOVE`` (0.95): too easy, it tells learners apart by nothing;
* discrimination below 0: stronger learners do worse on it, the key is likely wrong;
* discrimination from 0 to below ``WEAK_DISCRIMINATION`` (0.20): Ebel's "poor" band;
* every learner scored the same on it although that score is neither 0 nor 1 (no spread).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from quizzes.types import QUESTION_TYPES

#: Fewer responses than this: statistics are shown but nothing is flagged.
MIN_RESPONSES = 5
#: Facility below this: too hard.
HARD_BELOW = 0.20
#: Facility above this: too easy.
EASY_ABOVE = 0.95
#: Discrimination below this (and not negative): does not discriminate.
WEAK_DISCRIMINATION = 0.20
#: Share of learners in each of the upper and lower groups.
GROUP_SHARE = 0.27

K = TypeVar("K", bound=Hashable)


class GradableQuestion(Protocol):
    qtype: str
    config: Any


def item_fractions(
    layout: Sequence[Mapping[str, Any]],
    responses: Mapping[str, Sequence[str]],
    questions: Mapping[int, GradableQuestion],
) -> dict[int, Decimal]:
    """Each question's score fraction (0 to 1) in a graded attempt, by question id.

    Only the questions the attempt was given (its frozen layout) count; an unanswered one
    scores 0, as it did when graded. A question deleted since, or whose saved answer no longer
    grades under its edited key, is left out rather than guessed.
    """
    fractions: dict[int, Decimal] = {}
    for item in layout:
        question_id = item.get("question_id")
        question = questions.get(question_id) if isinstance(question_id, int) else None
        kind = QUESTION_TYPES.get(question.qtype) if question is not None else None
        if question is None or kind is None:
            continue
        try:
            fraction = kind.grade(question.config, list(responses.get(str(question_id), [])))
        except (KeyError, IndexError, TypeError, ValueError, ArithmeticError):
            continue
        fractions[question_id] = min(Decimal(1), max(Decimal(0), fraction))
    return fractions


@dataclass(frozen=True)
class Flag:
    #: "hard", "easy", "negative", "weak" or "flat".
    kind: str
    #: Plain words for the page: "too hard: 12% correct".
    reason: str


@dataclass(frozen=True)
class ItemStatistics:
    #: How many learners were given the item (and so have a score on it).
    responses: int
    #: Mean item score, 0 to 1; None without responses.
    facility: float | None
    #: Item-rest point-biserial correlation; None when undefined (no spread, < 2 responses).
    discrimination: float | None
    #: Upper minus lower 27 % group's mean item score; None with fewer than 2 responses.
    upper_lower: float | None
    flags: tuple[Flag, ...]

    @property
    def judged(self) -> bool:
        """Enough responses for the flags to mean something."""
        return self.responses >= MIN_RESPONSES


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r; None when either side has no spread (a division by zero otherwise)."""
    if len(xs) != len(ys) or len(xs) < 2:
        return None
    mx, my = _mean(xs), _mean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    # Float sums of equal values can leave a residue like 1e-32: treat that as no spread.
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def upper_lower_index(item: Sequence[float], totals: Sequence[float]) -> float | None:
    """Mean item score of the top 27 % by total minus that of the bottom 27 %."""
    n = len(item)
    if n < 2 or len(totals) != n:
        return None
    size = max(1, round(GROUP_SHARE * n))
    order = sorted(range(n), key=lambda i: totals[i])  # stable: ties keep the given order
    lower = [item[i] for i in order[:size]]
    upper = [item[i] for i in order[-size:]]
    return _mean(upper) - _mean(lower)


def flags_for(
    responses: int, facility: float | None, spread: bool, r: float | None
) -> tuple[Flag, ...]:
    """Why an item is worth a look, in plain words; nothing below MIN_RESPONSES."""
    if responses < MIN_RESPONSES or facility is None:
        return ()
    found: list[Flag] = []
    percent = f"{facility * 100:.0f}%"
    if facility < HARD_BELOW:
        found.append(Flag("hard", f"too hard: {percent} correct"))
    elif facility > EASY_ABOVE:
        found.append(Flag("easy", f"too easy: {percent} correct"))
    elif not spread:
        found.append(Flag("flat", f"does not discriminate: everyone scored {percent} on it"))
    if r is not None and r < 0:
        found.append(
            Flag("negative", f"negative discrimination: r = {r:.2f}; check the answer key")
        )
    elif r is not None and r < WEAK_DISCRIMINATION:
        found.append(Flag("weak", f"does not discriminate: r = {r:.2f}"))
    return tuple(found)


def item_statistics(
    scores: Sequence[Mapping[K, Decimal | float]],
    weights: Mapping[K, Decimal | float | int] | None = None,
) -> dict[K, ItemStatistics]:
    """Statistics for every item seen in ``scores``: one mapping per learner (their first
    graded attempt) from item to score fraction. ``weights`` are the items' points (default 1)
    and make the total and rest scores the points the learner earned."""
    weight = {k: float(v) for k, v in (weights or {}).items()}
    rows = [{k: float(v) for k, v in row.items()} for row in scores]
    totals = [sum(weight.get(k, 1.0) * v for k, v in row.items()) for row in rows]
    items = list(dict.fromkeys(k for row in scores for k in row))  # first-seen order
    result: dict[K, ItemStatistics] = {}
    for key in items:
        given = [(row[key], total) for row, total in zip(rows, totals, strict=True) if key in row]
        xs = [x for x, _ in given]
        rest = [total - weight.get(key, 1.0) * x for x, total in given]
        facility = _mean(xs) if xs else None
        spread = len(xs) > 1 and max(xs) - min(xs) > 1e-9
        r = correlation(xs, rest)
        result[key] = ItemStatistics(
            responses=len(xs),
            facility=facility,
            discrimination=r,
            upper_lower=upper_lower_index(xs, [total for _, total in given]),
            flags=flags_for(len(xs), facility, spread, r),
        )
    return result
