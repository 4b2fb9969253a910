"""Question types, one class each, in a registry (after CTFd's challenge types).

A type knows how to check an author's definition, what a learner may see of it, how to read a
learner's response and how to grade it. Grading is a pure function returning a fraction of the
question's points.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

QUESTION_TYPES: dict[str, type[QuestionType]] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    """Class decorator: make a question type available under its ``name``."""
    QUESTION_TYPES[cls.name] = cls
    return cls


class DefinitionError(ValueError):
    """An author's question definition is not usable."""


class QuestionType:
    name: ClassVar[str]
    label: ClassVar[str]
    #: "radio" for one answer, "checkbox" for several; used by templates.
    widget: ClassVar[str] = "radio"

    @classmethod
    def build_config(cls, spec: dict[str, Any]) -> dict[str, Any]:
        """Turn an author's definition into the stored config (with stable choice ids)."""
        raise NotImplementedError

    @classmethod
    def choices(cls, config: dict[str, Any]) -> list[dict[str, str]]:
        """The options a learner picks from: id and text only, never the key."""
        return [{"id": c["id"], "text": c["text"]} for c in config["choices"]]

    @classmethod
    def valid_response(cls, config: dict[str, Any], response: Sequence[str]) -> bool:
        ids = {c["id"] for c in cls.choices(config)}
        return set(response) <= ids and len(set(response)) == len(response)

    @classmethod
    def grade(cls, config: dict[str, Any], response: Sequence[str]) -> Decimal:
        """Fraction of the points earned, between 0 and 1."""
        raise NotImplementedError


def _choice_list(spec: dict[str, Any]) -> list[dict[str, Any]]:
    raw = spec.get("choices") or []
    if len(raw) < 2:
        raise DefinitionError("a choice question needs at least two choices")
    choices = []
    for choice in raw:
        text = str(choice.get("text", "")).strip()
        if not text:
            raise DefinitionError("every choice needs a text")
        choices.append(
            {
                "id": choice.get("id") or secrets.token_hex(4),
                "text": text,
                "correct": bool(choice.get("correct")),
                "feedback": str(choice.get("feedback", "")),
            }
        )
    if len({c["id"] for c in choices}) != len(choices):
        raise DefinitionError("choice ids must be unique")
    return choices


def _correct_ids(config: dict[str, Any]) -> set[str]:
    return {c["id"] for c in config["choices"] if c["correct"]}


@register
class SingleChoice(QuestionType):
    name = "single"
    label = "Single choice"

    @classmethod
    def build_config(cls, spec: dict[str, Any]) -> dict[str, Any]:
        choices = _choice_list(spec)
        if sum(c["correct"] for c in choices) != 1:
            raise DefinitionError("a single-choice question needs exactly one correct choice")
        return {"choices": choices, "explanation": str(spec.get("explanation", ""))}

    @classmethod
    def valid_response(cls, config: dict[str, Any], response: Sequence[str]) -> bool:
        return len(response) <= 1 and super().valid_response(config, response)

    @classmethod
    def grade(cls, config: dict[str, Any], response: Sequence[str]) -> Decimal:
        return Decimal(1) if set(response) == _correct_ids(config) else Decimal(0)


@register
class MultipleSelect(QuestionType):
    """All-or-nothing: every correct choice and no wrong one."""

    name = "multiple"
    label = "Multiple select"
    widget = "checkbox"

    @classmethod
    def build_config(cls, spec: dict[str, Any]) -> dict[str, Any]:
        choices = _choice_list(spec)
        if not any(c["correct"] for c in choices):
            raise DefinitionError("a multiple-select question needs at least one correct choice")
        return {"choices": choices, "explanation": str(spec.get("explanation", ""))}

    @classmethod
    def grade(cls, config: dict[str, Any], response: Sequence[str]) -> Decimal:
        return Decimal(1) if set(response) == _correct_ids(config) else Decimal(0)


@register
class TrueFalse(SingleChoice):
    name = "truefalse"
    label = "True / false"

    @classmethod
    def build_config(cls, spec: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(spec.get("answer"), bool):
            raise DefinitionError("a true/false question needs answer: true or false")
        answer = spec["answer"]
        choices = [
            {"id": "true", "text": "True", "correct": answer, "feedback": ""},
            {"id": "false", "text": "False", "correct": not answer, "feedback": ""},
        ]
        return {"choices": choices, "explanation": str(spec.get("explanation", ""))}
