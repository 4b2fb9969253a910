"""The e-mail preferences form: one checkbox per kind of notification."""

from __future__ import annotations

from collections.abc import Mapping

from wtforms import BooleanField

from lms.accounts.forms import LMSForm
from lms.notifications.kinds import KINDS


def field_name(kind: str) -> str:
    return "email_" + kind.replace("-", "_")


class PreferencesForm(LMSForm):
    """Fields are added per kind by ``preferences_form`` (the kinds are data, not code)."""

    def chosen(self) -> dict[str, bool]:
        return {code: bool(self[field_name(code)].data) for code in KINDS}


def preferences_form(current: Mapping[str, bool]) -> PreferencesForm:
    form_class = type(
        "KindPreferencesForm",
        (PreferencesForm,),
        {
            field_name(code): BooleanField(
                f"E-mail me: {kind.label}", description=kind.description, default=current[code]
            )
            for code, kind in KINDS.items()
        },
    )
    return form_class()
