"""What the choice types (single, multiple, true/false) share: choices with weights."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from random import Random
from typing import Any

from quizzes.types import (
    DefinitionError,
    QuestionType,
    ResponseError,
    ReviewDetail,
    new_id,
    required_text,
    weight_text,
)


def build_choices(spec: dict[str, Any], default_weight: Any) -> list[dict[str, Any]]:
    """Choices with ids and weights. A choice without a weight gets ``default_weight(correct)``."""
    raw = spec.get("choices") or []
    if not isinstance(raw, list) or len(raw) < 2:
        raise DefinitionError("a choice question needs at least two choices")
    choices = []
    for item in raw:
        if not isinstance(item, dict):
            raise DefinitionError("every choice needs a text")
        correct = bool(item.get("correct"))
        weight = weight_text(
            item["weight"] if item.get("weight") is not None else default_weight(correct)
        )
        choices.append(
            {
                "id": str(item.get("id") or new_id()),
                "text": required_text(item.get("text"), "a choice's text"),
                "weight": weight,
                "correct": Decimal(weight) > 0,
                "feedback": str(item.get("feedback") or "").strip(),
            }
        )
    if len({c["id"] for c in choices}) != len(choices):
        raise DefinitionError("choice ids must be unique")
    return choices


def spec_choices(config: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {"text": c["text"], "weight": c["weight"], "feedback": c["feedback"]}
        for c in config["choices"]
    ]


class ChoiceType(QuestionType):
    """Pick from listed choices; the response is the chosen choice ids."""

    #: Whether the displayed order of choices is shuffled per attempt.
    shuffle: bool = True

    @classmethod
    def layout(cls, config: dict[str, Any], rng: Random) -> dict[str, Any]:
        ids = [c["id"] for c in config["choices"]]
        if cls.shuffle:
            rng.shuffle(ids)
        return {"choices": ids}

    @classmethod
    def present(cls, config: dict[str, Any], layout: dict[str, Any]) -> dict[str, Any]:
        texts = {c["id"]: c["text"] for c in config["choices"]}
        order = layout.get("choices") or list(texts)
        return {"choices": [{"id": cid, "text": texts[cid]} for cid in order if cid in texts]}

    @classmethod
    def read(cls, config: dict[str, Any], values: Sequence[str]) -> list[str]:
        picked = [v for v in values if v]
        known = {c["id"] for c in config["choices"]}
        if not set(picked) <= known or len(set(picked)) != len(picked):
            raise ResponseError("the answer is not one of its choices")
        if cls.widget == "radio" and len(picked) > 1:
            raise ResponseError("only one choice may be picked")
        return picked

    @classmethod
    def correct_response(cls, config: dict[str, Any]) -> list[str]:
        return [c["id"] for c in config["choices"] if c["correct"]]

    @classmethod
    def review(cls, config: dict[str, Any], response: Sequence[str]) -> ReviewDetail:
        by_id = {c["id"]: c for c in config["choices"]}
        picked = [by_id[r] for r in response if r in by_id]
        # The feedback of each answer picked. On a question that earned nothing, a right pick's
        # feedback ("Correct. ...") would contradict the verdict: the correct answers listed
        # say which picks were right, and the wrong picks' feedback says why they were not.
        earned = cls.grade(config, response) > 0
        return ReviewDetail(
            given=[c["text"] for c in picked],
            correct=[by_id[cid]["text"] for cid in cls.correct_response(config)],
            feedback=[
                c["feedback"] for c in picked if c["feedback"] and (earned or not c["correct"])
            ],
        )
