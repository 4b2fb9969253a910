"""Field checks shared by the claim form and the event form: text, amounts, units and
categories. Each check takes the form's string and raises ``FieldError`` naming the field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from lms.catalogue.models import Certification
from lms.db import session
from lms.validation import CONTROL_CHARACTERS

#: The credit categories a requirement rule may ask minimums for (value -> label).
CATEGORIES = {"general": "General", "technical": "Technical"}
MAX_CREDITS = Decimal("99")
#: hours is Numeric(6, 2) on claims and events.
MAX_HOURS = Decimal("999")
#: No continuing-education record predates this; an earlier date is a typing slip.
EARLIEST_DATE = date(1950, 1, 1)


class FieldError(ValueError):
    """A field's value is refused; ``field`` names it for the form."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def text(value: str, field: str, label: str, max_length: int, *, required: bool = True) -> str:
    """One line of text, spaces collapsed."""
    if CONTROL_CHARACTERS.search(value.strip()):
        raise FieldError(f"Remove the invisible control characters from the {label}.", field)
    value = " ".join(value.split())
    if (required and not value) or len(value) > max_length:
        raise FieldError(f"Give the {label} (at most {max_length} characters).", field)
    return value


def long_text(value: str, field: str, label: str, max_length: int) -> str:
    """Several lines (a description): newlines and tabs allowed, other controls not."""
    value = value.replace("\r\n", "\n").strip()
    if CONTROL_CHARACTERS.search(value.replace("\n", "").replace("\t", "")):
        raise FieldError(f"Remove the invisible control characters from the {label}.", field)
    if len(value) > max_length:
        raise FieldError(f"Keep the {label} under {max_length} characters.", field)
    return value


def amount(value: str, field: str, label: str, high: Decimal) -> Decimal:
    """A positive amount with at most two decimals, up to ``high``."""
    raw = value.strip().replace(",", ".")
    try:
        # Only plain digits: "1e3", "NaN" and "Infinity" are numbers to Decimal, not to people.
        if not raw or not all(c.isdigit() and c.isascii() or c == "." for c in raw):
            raise InvalidOperation
        number = Decimal(raw)
    except (InvalidOperation, ValueError):
        raise FieldError(f"The {label} must be a number, such as 1 or 0.5.", field) from None
    if not Decimal(0) < number <= high:
        raise FieldError(f"The {label} must be more than 0 and at most {high}.", field)
    if number != number.quantize(Decimal("0.01")):
        raise FieldError(f"The {label} takes at most two decimals.", field)
    return number.quantize(Decimal("0.01"))


def past_date(value: str, field: str, label: str, today: date) -> date:
    if not value.strip():  # the browser's date picker was left empty: no format to teach
        raise FieldError(f"Enter the {label}.", field)
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise FieldError(f"Give the {label} as YYYY-MM-DD.", field) from None
    if day > today:
        raise FieldError(f"The {label} cannot be in the future.", field)
    if day < EARLIEST_DATE:
        raise FieldError(f"The {label} is too far in the past.", field)
    return day


def credit_units() -> list[str]:
    """The units the certifications count in (CEC when there are none yet)."""
    units = session().scalars(select(Certification.credit_unit).distinct())
    return sorted(set(units)) or ["CEC"]


def choice(value: str, field: str, label: str, allowed: list[str] | dict[str, str]) -> str:
    value = value.strip()
    if value not in allowed:
        raise FieldError(f"Choose the {label} from the list.", field)
    return value
