"""Short answer: typed text compared with several accepted answers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from quizzes.types import (
    DefinitionError,
    QuestionType,
    ReviewDetail,
    best_weight,
    one_text,
    register,
    required_text,
    weight_text,
)

WHITESPACE_RULES = ("normalize", "exact")


def _comparable(text: str, config: dict[str, Any]) -> str:
    # NFC so that "é" typed as one or two code points compares equal.
    text = unicodedata.normalize("NFC", text)
    if config["whitespace"] == "normalize":
        text = re.sub(r"\s+", " ", text).strip()
    if not config["case_sensitive"]:
        text = text.casefold()
    return text


@register
class ShortAnswer(QuestionType):
    """Each accepted answer has a weight (100 = full marks); the best match counts.

    ``case_sensitive`` (default false) and ``whitespace``: ``normalize`` (default: ends trimmed,
    runs of spaces count as one) or ``exact``.
    """

    name = "short"
    label = "Short answer"
    widget = "text"

    @classmethod
    def build_config(cls, spec: dict[str, Any]) -> dict[str, Any]:
        raw = spec.get("answers") or []
        if not isinstance(raw, list) or not raw:
            raise DefinitionError("a short-answer question needs at least one accepted answer")
        answers = [
            {
                "text": required_text(a.get("text"), "an accepted answer"),
                "weight": weight_text(a.get("weight", 100)),
                "feedback": str(a.get("feedback") or "").strip(),
            }
            for a in raw
            if isinstance(a, dict)
        ]
        if len(answers) != len(raw):
            raise DefinitionError("every accepted answer needs a text")
        if not any(Decimal(a["weight"]) == 100 for a in answers):
            raise DefinitionError("at least one accepted answer must be worth 100%")
        whitespace = spec.get("whitespace") or "normalize"
        if whitespace not in WHITESPACE_RULES:
            raise DefinitionError("whitespace must be normalize or exact")
        return {
            "answers": answers,
            "case_sensitive": bool(spec.get("case_sensitive", False)),
            "whitespace": whitespace,
        }

    @classmethod
    def spec_of(cls, config: dict[str, Any]) -> dict[str, Any]:
        return {
            "answers": [dict(a) for a in config["answers"]],
            "case_sensitive": config["case_sensitive"],
            "whitespace": config["whitespace"],
        }

    @classmethod
    def read(cls, config: dict[str, Any], values: Sequence[str]) -> list[str]:
        return one_text(values)

    @classmethod
    def _matches(cls, config: dict[str, Any], response: Sequence[str]) -> list[dict[str, Any]]:
        if not response:
            return []
        given = _comparable(response[0], config)
        return [a for a in config["answers"] if _comparable(a["text"], config) == given]

    @classmethod
    def grade(cls, config: dict[str, Any], response: Sequence[str]) -> Decimal:
        return best_weight(cls._matches(config, response))

    @classmethod
    def correct_response(cls, config: dict[str, Any]) -> list[str]:
        return [next(a["text"] for a in config["answers"] if Decimal(a["weight"]) == 100)]

    @classmethod
    def review(cls, config: dict[str, Any], response: Sequence[str]) -> ReviewDetail:
        matches = cls._matches(config, response)
        return ReviewDetail(
            given=list(response),
            correct=cls.correct_response(config),
            feedback=[a["feedback"] for a in matches[:1] if a["feedback"]],
        )
