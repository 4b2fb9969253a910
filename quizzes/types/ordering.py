"""Ordering: put the items in the right order."""

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
    register,
    required_text,
)

SCORINGS = ("all_or_nothing", "partial")


@register
class Ordering(QuestionType):
    """Config ``items`` in the correct order. The response lists item ids in the learner's
    order. ``partial`` scoring gives the share of items in their right place."""

    name = "ordering"
    label = "Ordering"
    widget = "ordering"

    @classmethod
    def build_config(cls, spec: dict[str, Any]) -> dict[str, Any]:
        raw = spec.get("items") or []
        if not isinstance(raw, list) or len(raw) < 2:
            raise DefinitionError("an ordering question needs at least two items")
        texts = [required_text(text, "an item") for text in raw]
        if len(set(texts)) != len(texts):
            raise DefinitionError("the items to order must all differ")
        scoring = spec.get("scoring") or "all_or_nothing"
        if scoring not in SCORINGS:
            raise DefinitionError("scoring must be all_or_nothing or partial")
        return {"items": [{"id": new_id(), "text": t} for t in texts], "scoring": scoring}

    @classmethod
    def spec_of(cls, config: dict[str, Any]) -> dict[str, Any]:
        return {"items": [i["text"] for i in config["items"]], "scoring": config["scoring"]}

    @classmethod
    def layout(cls, config: dict[str, Any], rng: Random) -> dict[str, Any]:
        ids = [i["id"] for i in config["items"]]
        # Never present the items already in order: that would give the answer away.
        for _ in range(10):
            rng.shuffle(ids)
            if ids != [i["id"] for i in config["items"]]:
                break
        return {"choices": ids}

    @classmethod
    def present(cls, config: dict[str, Any], layout: dict[str, Any]) -> dict[str, Any]:
        texts = {i["id"]: i["text"] for i in config["items"]}
        order = layout.get("choices") or list(texts)
        return {"choices": [{"id": i, "text": texts[i]} for i in order if i in texts]}

    @classmethod
    def read(cls, config: dict[str, Any], values: Sequence[str]) -> list[str]:
        """One value per place, in order; a blank place is "". A half-done order (blanks, an
        item in two places) is kept as it is, so autosave never loses work; it simply earns
        nothing for those places."""
        if not any(values):
            return []
        ids = {i["id"] for i in config["items"]}
        if len(values) != len(ids) or any(v and v not in ids for v in values):
            raise ResponseError("the answer is not one of its choices")
        return list(values)

    @classmethod
    def grade(cls, config: dict[str, Any], response: Sequence[str]) -> Decimal:
        right = [i["id"] for i in config["items"]]
        if config["scoring"] == "all_or_nothing":
            return Decimal(1) if list(response) == right else Decimal(0)
        in_place = sum(1 for given, want in zip(response, right, strict=False) if given == want)
        return Decimal(in_place) / len(right)

    @classmethod
    def correct_response(cls, config: dict[str, Any]) -> list[str]:
        return [i["id"] for i in config["items"]]

    @classmethod
    def review(cls, config: dict[str, Any], response: Sequence[str]) -> ReviewDetail:
        texts = {i["id"]: i["text"] for i in config["items"]}
        return ReviewDetail(
            given=[texts[r] for r in response if r in texts],
            correct=[i["text"] for i in config["items"]],
        )
