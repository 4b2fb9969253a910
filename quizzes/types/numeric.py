"""Numeric: a value with a tolerance, or a range; several answers with weights."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, localcontext
from typing import Any

from quizzes.types import (
    MAX_DIGITS,
    DefinitionError,
    QuestionType,
    ResponseError,
    ReviewDetail,
    best_weight,
    decimal_text,
    one_text,
    register,
    weight_text,
)

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def parse_number(text: str) -> Decimal:
    """A learner's number: digits with one decimal point; a lone comma counts as the point."""
    cleaned = text.strip().replace(" ", "").replace("\u2212", "-")
    if "," in cleaned and "." not in cleaned and cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    if not _NUMBER.fullmatch(cleaned):
        raise ResponseError("the answer must be a number, such as 3.5")
    return Decimal(cleaned)


def _bounds(answer: dict[str, str]) -> tuple[Decimal, Decimal]:
    if "min" in answer:
        return Decimal(answer["min"]), Decimal(answer["max"])
    value, tolerance = Decimal(answer["value"]), Decimal(answer["tolerance"])
    with localcontext() as context:  # exact for every number a definition may hold
        context.prec = 4 * MAX_DIGITS
        return value - tolerance, value + tolerance


@register
class Numeric(QuestionType):
    """Each answer is ``value`` ± ``tolerance`` or ``min``..``max`` (inclusive), with a weight;
    the best matching answer counts."""

    name = "numeric"
    label = "Numeric"
    widget = "number"

    @classmethod
    def build_config(cls, spec: dict[str, Any]) -> dict[str, Any]:
        raw = spec.get("answers") or []
        if not isinstance(raw, list) or not raw:
            raise DefinitionError("a numeric question needs at least one answer")
        answers = []
        for item in raw:
            if not isinstance(item, dict):
                raise DefinitionError("every numeric answer needs a value or a range")
            answer: dict[str, str]
            if item.get("min") is not None or item.get("max") is not None:
                low = decimal_text(item.get("min"), "a range's minimum")
                high = decimal_text(item.get("max"), "a range's maximum")
                if Decimal(low) > Decimal(high):
                    raise DefinitionError("a range's minimum cannot exceed its maximum")
                answer = {"min": low, "max": high}
            else:
                tolerance = decimal_text(item.get("tolerance", 0), "a tolerance")
                if Decimal(tolerance) < 0:
                    raise DefinitionError("a tolerance cannot be negative")
                answer = {
                    "value": decimal_text(item.get("value"), "a value"),
                    "tolerance": tolerance,
                }
            answer["weight"] = weight_text(item.get("weight", 100))
            answer["feedback"] = str(item.get("feedback") or "").strip()
            answers.append(answer)
        if not any(Decimal(a["weight"]) == 100 for a in answers):
            raise DefinitionError("at least one numeric answer must be worth 100%")
        return {"answers": answers}

    @classmethod
    def spec_of(cls, config: dict[str, Any]) -> dict[str, Any]:
        return {"answers": [dict(a) for a in config["answers"]]}

    @classmethod
    def read(cls, config: dict[str, Any], values: Sequence[str]) -> list[str]:
        text = one_text(values)
        if text:
            return [format(parse_number(text[0]), "f")]
        return []

    @classmethod
    def _matches(cls, config: dict[str, Any], response: Sequence[str]) -> list[dict[str, str]]:
        if not response:
            return []
        try:
            given = parse_number(response[0])
        except ResponseError:
            return []
        return [a for a in config["answers"] if _bounds(a)[0] <= given <= _bounds(a)[1]]

    @classmethod
    def grade(cls, config: dict[str, Any], response: Sequence[str]) -> Decimal:
        return best_weight(cls._matches(config, response))

    @classmethod
    def correct_response(cls, config: dict[str, Any]) -> list[str]:
        best = next(a for a in config["answers"] if Decimal(a["weight"]) == 100)
        return [best["min"] if "min" in best else best["value"]]

    @classmethod
    def review(cls, config: dict[str, Any], response: Sequence[str]) -> ReviewDetail:
        best = next(a for a in config["answers"] if Decimal(a["weight"]) == 100)
        if "min" in best:
            correct = f"from {best['min']} to {best['max']}"
        elif Decimal(best["tolerance"]):
            correct = f"{best['value']} ± {best['tolerance']}"
        else:
            correct = best["value"]
        matches = sorted(cls._matches(config, response), key=lambda a: -Decimal(a["weight"]))
        return ReviewDetail(
            given=list(response),
            correct=[correct],
            feedback=[a["feedback"] for a in matches[:1] if a["feedback"]],
        )
