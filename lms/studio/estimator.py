"""The credit estimator shown beside a course's claimed credits: pure arithmetic, no Flask.

NASBA's self-study formula, with the regime's own length of a credit and step:

    estimate = floor_to_step((words / 180 + media minutes + questions x 1.85)
                             / minutes per credit, step)

Everything is exact: the study time is kept in 180ths of a minute (one word is one 180th and
one question 1.85 x 180 = 333 of them), so no repeating decimal can be rounded up across a
step's boundary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

WORDS_PER_MINUTE = 180
MINUTES_PER_QUESTION = Decimal("1.85")
# The study time in 180ths of a minute: integers only until the last division.
_PER_QUESTION = int(MINUTES_PER_QUESTION * WORDS_PER_MINUTE)  # 333


def _study_units(words: int, media_minutes: int, questions: int) -> int:
    if min(words, media_minutes, questions) < 0:
        raise ValueError("words, media minutes and questions cannot be negative")
    return words + media_minutes * WORDS_PER_MINUTE + questions * _PER_QUESTION


def study_minutes(words: int, media_minutes: int, questions: int) -> Decimal:
    """The estimated study time in minutes, exact to 28 significant digits."""
    return Decimal(_study_units(words, media_minutes, questions)) / WORDS_PER_MINUTE


def floor_to_step(value: Decimal, step: Decimal) -> Decimal:
    """The largest multiple of ``step`` not above ``value``: 0.64 in steps of 0.5 -> 0.5."""
    step = Decimal(step)
    if step <= 0:
        raise ValueError("the step must be more than 0")
    return (Decimal(value) / step).to_integral_value(rounding=ROUND_FLOOR) * step


def estimate(
    words: int,
    media_minutes: int,
    questions: int,
    minutes_per_credit: int | Decimal,
    step: Decimal | str,
) -> Decimal:
    """Credits the content supports under one regime, rounded down to its step."""
    minutes_per_credit = Decimal(minutes_per_credit)
    step = Decimal(step)
    if minutes_per_credit <= 0 or step <= 0:
        raise ValueError("minutes per credit and the step must be more than 0")
    units = Decimal(_study_units(words, media_minutes, questions))
    # units / (180 x minutes per credit x step) steps, floored, with exact operands.
    steps = units // (WORDS_PER_MINUTE * minutes_per_credit * step)
    return steps * step


# Markdown's markup, dropped before counting: link and image targets, HTML-ish tags, and
# the punctuation that only formats (headings, emphasis, quotes, tables, rules, fences).
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_AUTOLINK = re.compile(r"<[a-z][a-z0-9+.-]*:[^>\s]*>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-z][^>]*>", re.IGNORECASE)
_MARKUP = re.compile(r"[#*_>`|~\[\]!=+-]")
_HAS_WORD = re.compile(r"\w")


def count_words(markdown: str) -> int:
    """Words a learner reads in Markdown text: the markup and link addresses don't count."""
    text = _LINK_TARGET.sub("] ", markdown or "")
    text = _AUTOLINK.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _MARKUP.sub(" ", text)
    return sum(1 for token in text.split() if _HAS_WORD.search(token))


def questions_drawn(
    questions: Sequence[tuple[str | None, Sequence[str]]], draw_rules: Sequence[Mapping[str, Any]]
) -> int:
    """How many questions one attempt shows: every question without draw rules, otherwise
    what the rules draw (tagged rules first, as the quiz engine draws them; a rule without a
    count takes every question of its pool that earlier rules left). ``questions`` are
    (pool, tags) pairs."""
    if not draw_rules:
        return len(questions)
    taken: set[int] = set()
    drawn = 0
    for rule in sorted(draw_rules, key=lambda r: r.get("tag") is None):
        candidates = [
            n
            for n, (pool, tags) in enumerate(questions)
            if pool == rule.get("pool")
            and (rule.get("tag") is None or rule["tag"] in (tags or []))
            and n not in taken
        ]
        count = rule.get("count")
        # Which questions a counted rule draws is random; take the first ones, which only
        # matters when rules overlap, and then by a question or two at most.
        picked = candidates if count is None else candidates[: int(count)]
        taken.update(picked)
        drawn += len(picked)
    return drawn


@dataclass(frozen=True)
class CourseContent:
    """What a course asks of a learner, as the estimator counts it."""

    words: int
    media_minutes: int
    questions: int

    @property
    def minutes(self) -> Decimal:
        return study_minutes(self.words, self.media_minutes, self.questions)

    def estimate(self, minutes_per_credit: int | Decimal, step: Decimal | str) -> Decimal:
        return estimate(self.words, self.media_minutes, self.questions, minutes_per_credit, step)


def course_content(
    bodies: Iterable[str], media_minutes: Iterable[int], questions: int
) -> CourseContent:
    """Totals over a course's modules (their Markdown bodies and media minutes) and the
    number of questions an attempt at its final quiz shows."""
    return CourseContent(
        words=sum(count_words(body) for body in bodies),
        media_minutes=sum(int(m or 0) for m in media_minutes),
        questions=questions,
    )
