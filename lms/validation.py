"""Checks shared by forms, services and the CLI."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

#: Tabs, newlines, NUL and other invisible controls: never part of a name or an address.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
#: A credit unit as certificates and rules print it: "CEC", "CEU", "CE hours".
CREDIT_UNIT = re.compile(r"[A-Za-z][A-Za-z0-9 .-]{0,19}")
CREDIT_UNIT_MESSAGE = "The credit unit takes up to 20 letters and digits, such as CEC."


class Refused(ValueError):
    """A request a service refused with nothing written; the message says why and ``status``
    is the HTTP status the page answers with (400 a bad value, 409 a state that changed,
    413 too large, 404 not found)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Checked:
    """A form's values once checked, and the message of each field that is wrong (every field
    is checked, so the page can mark them all at once)."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
