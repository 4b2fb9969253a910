"""Pure grading over plain values: no session, no clock."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from quizzes.types import QUESTION_TYPES


@dataclass(frozen=True)
class GradedQuestion:
    qtype: str
    points: int
    config: Mapping[str, Any]
    response: Sequence[str]

    @property
    def earned(self) -> Decimal:
        return QUESTION_TYPES[self.qtype].grade(self.config, self.response) * self.points


@dataclass(frozen=True)
class Grade:
    score: Decimal
    max_score: int
    pass_percent: int

    @property
    def percent(self) -> Decimal:
        if not self.max_score:
            return Decimal(0)
        return (self.score * 100 / self.max_score).quantize(Decimal("0.01"))

    @property
    def passed(self) -> bool:
        # Compare without division so 69.999...% never rounds up to a pass.
        return self.max_score > 0 and self.score * 100 >= self.pass_percent * self.max_score


def grade(questions: Iterable[GradedQuestion], pass_percent: int) -> Grade:
    """Sum the points earned; the denominator is the questions given, never the answers sent.

    The score keeps the four decimals the database stores, so the pass decision made here is
    the one the stored score supports (three thirds make 1.0000, not 0.9999).
    """
    items = list(questions)
    max_score = sum(q.points for q in items)
    score = sum((q.earned for q in items), Decimal(0)).quantize(Decimal("0.0001"))
    return Grade(
        score=min(score, Decimal(max_score)), max_score=max_score, pass_percent=pass_percent
    )
