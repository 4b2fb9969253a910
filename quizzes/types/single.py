"""Single choice: one answer; other choices may carry partial credit (GIFT's ``~%50%``)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from quizzes.types import DefinitionError, clamp_fraction, register
from quizzes.types._choices import ChoiceType, build_choices, spec_choices


@register
class SingleChoice(ChoiceType):
    name = "single"
    label = "Single choice"
    widget = "radio"

    @classmethod
    def build_config(cls, spec: dict[str, Any]) -> dict[str, Any]:
        choices = build_choices(spec, lambda correct: 100 if correct else 0)
        if sum(Decimal(c["weight"]) == 100 for c in choices) != 1:
            raise DefinitionError("a single-choice question needs exactly one fully correct choice")
        for choice in choices:
            choice["correct"] = Decimal(choice["weight"]) == 100
        return {"choices": choices}

    @classmethod
    def spec_of(cls, config: dict[str, Any]) -> dict[str, Any]:
        return {"choices": spec_choices(config)}

    @classmethod
    def grade(cls, config: dict[str, Any], response: Sequence[str]) -> Decimal:
        weights = {c["id"]: Decimal(c["weight"]) for c in config["choices"]}
        if len(response) != 1 or response[0] not in weights:
            return Decimal(0)
        return clamp_fraction(weights[response[0]] / 100)
