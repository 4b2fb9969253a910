"""Matching: pair each item on the left with one option on the right; partial credit."""

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


@register
class Matching(QuestionType):
    """Config: ``items`` [{id, text, answer: option id}] and ``options`` [{id, text}].

    Two items may share a right-hand text; it is offered once. ``distractors`` are extra
    options that match nothing. The response is ``"<item id>:<option id>"`` per answered item;
    each correct pair earns its share of the points.
    """

    name = "matching"
    label = "Matching"
    widget = "matching"

    @classmethod
    def build_config(cls, spec: dict[str, Any]) -> dict[str, Any]:
        pairs = spec.get("pairs") or []
        if not isinstance(pairs, list) or len(pairs) < 2:
            raise DefinitionError("a matching question needs at least two pairs")
        options: dict[str, dict[str, str]] = {}

        def option_for(text: str) -> str:
            if text not in options:
                options[text] = {"id": new_id(), "text": text}
            return options[text]["id"]

        items = []
        for pair in pairs:
            if not isinstance(pair, dict):
                raise DefinitionError("every pair needs a left and a right text")
            left = required_text(pair.get("left"), "a pair's left side")
            right = required_text(pair.get("right"), "a pair's right side")
            items.append({"id": new_id(), "text": left, "answer": option_for(right)})
        for distractor in spec.get("distractors") or []:
            option_for(required_text(distractor, "a distractor"))
        if len({i["text"] for i in items}) != len(items):
            raise DefinitionError("the left-hand items must all differ")
        return {"items": items, "options": list(options.values())}

    @classmethod
    def spec_of(cls, config: dict[str, Any]) -> dict[str, Any]:
        texts = {o["id"]: o["text"] for o in config["options"]}
        used = {i["answer"] for i in config["items"]}
        return {
            "pairs": [{"left": i["text"], "right": texts[i["answer"]]} for i in config["items"]],
            "distractors": [o["text"] for o in config["options"] if o["id"] not in used],
        }

    @classmethod
    def layout(cls, config: dict[str, Any], rng: Random) -> dict[str, Any]:
        items = [i["id"] for i in config["items"]]
        options = [o["id"] for o in config["options"]]
        rng.shuffle(items)
        rng.shuffle(options)
        return {"items": items, "choices": options}

    @classmethod
    def present(cls, config: dict[str, Any], layout: dict[str, Any]) -> dict[str, Any]:
        items = {i["id"]: i["text"] for i in config["items"]}
        options = {o["id"]: o["text"] for o in config["options"]}
        return {
            "items": [
                {"id": i, "text": items[i]} for i in layout.get("items", items) if i in items
            ],
            "choices": [
                {"id": o, "text": options[o]}
                for o in layout.get("choices", options)
                if o in options
            ],
        }

    @classmethod
    def read(cls, config: dict[str, Any], values: Sequence[str]) -> list[str]:
        items = {i["id"] for i in config["items"]}
        options = {o["id"] for o in config["options"]}
        pairs: dict[str, str] = {}
        for value in values:
            item, _, option = value.partition(":")
            if not option:  # "<item>:" is an item left unanswered
                continue
            if item not in items or option not in options or item in pairs:
                raise ResponseError("the answer is not one of its choices")
            pairs[item] = option
        return [f"{item}:{option}" for item, option in pairs.items()]

    @classmethod
    def grade(cls, config: dict[str, Any], response: Sequence[str]) -> Decimal:
        given = dict(value.partition(":")[::2] for value in response)
        right = sum(1 for i in config["items"] if given.get(i["id"]) == i["answer"])
        return Decimal(right) / len(config["items"])

    @classmethod
    def correct_response(cls, config: dict[str, Any]) -> list[str]:
        return [f"{i['id']}:{i['answer']}" for i in config["items"]]

    @classmethod
    def review(cls, config: dict[str, Any], response: Sequence[str]) -> ReviewDetail:
        texts = {o["id"]: o["text"] for o in config["options"]}
        given = dict(value.partition(":")[::2] for value in response)
        return ReviewDetail(
            given=[
                f"{i['text']} → {texts.get(given.get(i['id'], ''), '(none)')}"
                for i in config["items"]
            ],
            correct=[f"{i['text']} → {texts[i['answer']]}" for i in config["items"]],
        )
