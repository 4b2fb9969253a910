"""Shared pieces of the LMS's WTForms forms: the checkbox list, the date input, and marking a
service's field errors on a form.

The forms declare what a page shows (labels, hints, choices, what was typed); the services'
checks (``check_claim_form``, ``parse_certification``, ...) stay the one place a value is
judged, so the CLI, the pages and the API refuse the same things with the same words."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from wtforms import SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, DateInput, ListWidget

from lms.accounts.forms import LMSForm

__all__ = ["CheckboxListField", "DateStringField", "ServiceCheckedForm", "options", "required"]

#: Marks a field ``required`` in the page (the service's check gives the message).
required: dict[str, Any] = {"required": True}


def options(pairs: Iterable[tuple[Any, str]] | Mapping[Any, str]) -> list[SelectChoice]:
    """A select's or checkbox list's choices from (value, label) pairs or a mapping."""
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    return [SelectChoice(str(value), label) for value, label in items]


class CheckboxListField(SelectMultipleField):
    """Several choices as checkboxes; the service judges the values (so no choice check here:
    a stale or forged value gets the service's message, not WTForms' "not a valid choice")."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)

    def pre_validate(self, form: Any) -> None:
        """Values are checked by the service."""


class DateStringField(StringField):
    """A browser date picker whose value (YYYY-MM-DD) the service parses and judges."""

    widget = DateInput()


class ServiceCheckedForm(LMSForm):
    """A form whose values a service checks; ``mark`` shows that check's messages."""

    #: Service error keys that name a field by another name (service key -> field name).
    error_fields: Mapping[str, str] = {}

    def mark(self, errors: Mapping[str, str]) -> None:
        """Put each message under its field; one that names no field goes above the form."""
        for key, message in errors.items():
            field = self._fields.get(self.error_fields.get(key, key))
            if field is None or field.name == "csrf_token":
                self.form_errors.append(message)
            else:
                field.errors = [*field.errors, message] if field.errors else [message]

    @property
    def has_errors(self) -> bool:
        return bool(self.form_errors) or any(f.errors for f in self)
