"""True / false, with feedback for each of the two answers."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from quizzes.types import DefinitionError, register
from quizzes.types._choices import ChoiceType


@register
class TrueFalse(ChoiceType):
    name = "truefalse"
    label = "True / false"
    widget = "radio"
    shuffle = False  # "False, True" reads oddly

    @classmethod
    def build_config(cls, spec: dict[str, Any]) -> dict[str, Any]:
        answer = spec.get("answer")
        if not isinstance(answer, bool):
            raise DefinitionError("a true/false question needs answer: true or false")
        return {
            "choices": [
                {
                    "id": "true",
                    "text": "True",
                    "weight": "100" if answer else "0",
                    "correct": answer,
                    "feedback": str(spec.get("feedback_true") or "").strip(),
                },
                {
                    "id": "false",
                    "text": "False",
                    "weight": "0" if answer else "100",
                    "correct": not answer,
                    "feedback": str(spec.get("feedback_false") or "").strip(),
                },
            ]
        }

    @classmethod
    def spec_of(cls, config: dict[str, Any]) -> dict[str, Any]:
        true, false = config["choices"]
        return {
            "answer": bool(true["correct"]),
            "feedback_true": true["feedback"],
            "feedback_false": false["feedback"],
        }

    @classmethod
    def grade(cls, config: dict[str, Any], response: Sequence[str]) -> Decimal:
        right = cls.correct_response(config)
        return Decimal(1) if list(response) == right else Decimal(0)
