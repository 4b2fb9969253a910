"""The settings form: a time zone from the IANA names this system knows."""

from __future__ import annotations

from wtforms import SelectField
from wtforms.validators import InputRequired

from lms.accounts.forms import LMSForm
from lms.times import zone_choices


class SettingsForm(LMSForm):
    time_zone = SelectField(
        "Time zone",
        description="Dates and times on every page are shown in this zone.",
        validators=[InputRequired("Choose a time zone.")],
        validate_choice=False,  # lms.profile.operations.set_time_zone judges the name
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone.choices = zone_choices()
