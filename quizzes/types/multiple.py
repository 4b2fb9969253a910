"""Multiple select: all-or-nothing, or partial credit with a penalty for wrong picks."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from quizzes.types import DefinitionError, clamp_fraction, decimal_text, register
from quizzes.types._choices import ChoiceType, build_choices, spec_choices

SCORINGS = ("all_or_nothing", "partial")


@register
class MultipleSelect(ChoiceType):
    """``all_or_nothing``: every correct choice and no wrong one earns the points.

    ``partial``: the weights of the picked choices are summed and divided by the sum of the
    positive weights, floored at zero and kept to four decimals. Without explicit weights, each
    correct choice weighs 100/C and each wrong one -penalty/C (``penalty`` in percent of one
    right pick, default 100, so one wrong pick cancels one right pick).
    """

    name = "multiple"
    label = "Multiple select"
    widget = "checkbox"

    @classmethod
    def build_config(cls, spec: dict[str, Any]) -> dict[str, Any]:
        scoring = spec.get("scoring") or "all_or_nothing"
        if scoring not in SCORINGS:
            raise DefinitionError("scoring must be all_or_nothing or partial")
        raw = spec.get("choices") or []
        correct_count = sum(1 for c in raw if isinstance(c, dict) and c.get("correct"))
        penalty = Decimal(decimal_text(spec.get("penalty", 100), "the penalty"))
        if not 0 <= penalty <= 100:
            raise DefinitionError("the penalty is a percentage from 0 to 100")
        per_right = Decimal(100) / max(correct_count, 1)

        def default_weight(correct: bool) -> Decimal:
            return (per_right if correct else -penalty / max(correct_count, 1)).quantize(
                Decimal("0.00001")
            )

        choices = build_choices(spec, default_weight)
        if not any(c["correct"] for c in choices):
            raise DefinitionError("a multiple-select question needs at least one correct choice")
        return {"choices": choices, "scoring": scoring}

    @classmethod
    def spec_of(cls, config: dict[str, Any]) -> dict[str, Any]:
        return {"scoring": config["scoring"], "choices": spec_choices(config)}

    @classmethod
    def grade(cls, config: dict[str, Any], response: Sequence[str]) -> Decimal:
        picked = set(response)
        if config["scoring"] == "all_or_nothing":
            right = {c["id"] for c in config["choices"] if c["correct"]}
            return Decimal(1) if picked == right else Decimal(0)
        weights = [Decimal(c["weight"]) for c in config["choices"]]
        best = sum(w for w in weights if w > 0)
        earned = sum(Decimal(c["weight"]) for c in config["choices"] if c["id"] in picked)
        # Four decimals, as stored: default weights like 33.33333 must not leave 0.99999.
        return clamp_fraction(earned / best).quantize(Decimal("0.0001"))
