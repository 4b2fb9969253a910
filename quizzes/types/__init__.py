"""Question types, one class per file, in a registry (after CTFd's challenge types).

A type knows how to check an author's definition (``build_config``) and give it back
(``spec_of``), how to lay a question out for one attempt, what a learner may see of it, how to
read a learner's answer, how to grade it (a pure function returning a fraction of the points)
and what a review may show once the review policy allows it. Adding a type is one new module
here that subclasses :class:`QuestionType` and is decorated with :func:`register`.

Responses are always a list of strings, so attempts store every type the same way.
"""

from __future__ import annotations

import importlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, localcontext
from random import Random
from typing import Any, ClassVar

QUESTION_TYPES: dict[str, type[QuestionType]] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    """Class decorator: make a question type available under its ``name``."""
    QUESTION_TYPES[cls.name] = cls
    return cls


class DefinitionError(ValueError):
    """An author's question definition is not usable; the message says why."""


class ResponseError(ValueError):
    """A learner's answer cannot be read (not one of the choices, not a number, ...)."""


#: The most digits a number in a definition may have (no quiz needs more; all kept exactly).
MAX_DIGITS = 40

#: The longest free-text answer kept; longer ones are refused rather than cut.
MAX_ANSWER_LENGTH = 1000


@dataclass(frozen=True)
class ReviewDetail:
    """What a review may show of one answered question, once the policy allows it."""

    #: The learner's answer, as readable lines.
    given: list[str]
    #: A correct answer, as readable lines.
    correct: list[str]
    #: Feedback the author wrote for the answers the learner gave.
    feedback: list[str] = field(default_factory=list)


class QuestionType:
    name: ClassVar[str]
    label: ClassVar[str]
    #: How templates draw it: radio, checkbox, text, number, matching or ordering.
    widget: ClassVar[str]

    @classmethod
    def build_config(cls, spec: dict[str, Any]) -> dict[str, Any]:
        """Check an author's definition and turn it into the stored config (with stable ids)."""
        raise NotImplementedError

    @classmethod
    def spec_of(cls, config: dict[str, Any]) -> dict[str, Any]:
        """The type-specific part of the definition, in canonical form (inverse of build)."""
        raise NotImplementedError

    @classmethod
    def layout(cls, config: dict[str, Any], rng: Random) -> dict[str, Any]:
        """What is frozen per attempt besides the question itself (e.g. shuffled choices)."""
        return {}

    @classmethod
    def present(cls, config: dict[str, Any], layout: dict[str, Any]) -> dict[str, Any]:
        """What a learner may see while answering: never the key, never feedback."""
        return {}

    @classmethod
    def read(cls, config: dict[str, Any], values: Sequence[str]) -> list[str]:
        """Check and normalise a learner's answer; [] means unanswered."""
        raise NotImplementedError

    @classmethod
    def grade(cls, config: dict[str, Any], response: Sequence[str]) -> Decimal:
        """Fraction of the points earned, between 0 and 1."""
        raise NotImplementedError

    @classmethod
    def correct_response(cls, config: dict[str, Any]) -> list[str]:
        """A response that earns full marks (for reviews and tests)."""
        raise NotImplementedError

    @classmethod
    def review(cls, config: dict[str, Any], response: Sequence[str]) -> ReviewDetail:
        raise NotImplementedError


# Shared helpers for the type modules ---------------------------------------------------------


def new_id() -> str:
    return secrets.token_hex(4)


def decimal_text(value: Any, what: str) -> str:
    """A decimal given as a number or a string, in canonical text ("50", "-33.3", "0.5")."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DefinitionError(f"{what} must be a number, not {value!r}") from None
    if not number.is_finite():
        raise DefinitionError(f"{what} must be a finite number")
    digits = len(number.as_tuple().digits)
    if digits > MAX_DIGITS or abs(number.adjusted()) > MAX_DIGITS:
        raise DefinitionError(f"{what} has more than {MAX_DIGITS} digits")
    with localcontext() as context:  # exact: never round an author's number
        context.prec = 2 * MAX_DIGITS
        text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0.0") else text


def weight_text(value: Any) -> str:
    """A weight in percent, from -100 to 100."""
    text = decimal_text(value, "a weight")
    if not Decimal(-100) <= Decimal(text) <= Decimal(100):
        raise DefinitionError("weights are percentages from -100 to 100")
    return text


def required_text(value: Any, what: str) -> str:
    text = str(value if value is not None else "").strip()
    if not text:
        raise DefinitionError(f"{what} cannot be empty")
    return text


def clamp_fraction(value: Decimal) -> Decimal:
    return min(Decimal(1), max(Decimal(0), value))


def best_weight(matches: Sequence[dict[str, Any]]) -> Decimal:
    """The fraction earned by the best-weighted accepted answer that matched (0 if none)."""
    return clamp_fraction(max((Decimal(m["weight"]) for m in matches), default=Decimal(0)) / 100)


def one_text(values: Sequence[str]) -> list[str]:
    """A free-text answer: one value, blank means unanswered."""
    if len(values) > 1:
        raise ResponseError("only one answer may be given")
    text = values[0].strip() if values else ""
    if len(text) > MAX_ANSWER_LENGTH:
        raise ResponseError(f"the answer is longer than {MAX_ANSWER_LENGTH} characters")
    return [text] if text else []


# Importing the modules registers the built-in types.
for _module in ("single", "multiple", "truefalse", "short", "numeric", "matching", "ordering"):
    importlib.import_module(f"quizzes.types.{_module}")
