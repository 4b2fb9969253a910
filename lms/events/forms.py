"""The trainer's event form; ``operations.check_event_form`` judges it."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict
from wtforms import SelectField, StringField, TextAreaField
from wtforms.widgets import DateTimeLocalInput, NumberInput

from lms.claims import fields
from lms.forms import CheckboxListField, ServiceCheckedForm, options, required
from lms.times import zone_choices


class EventForm(ServiceCheckedForm):
    error_fields = {"certification_codes": "certification"}

    title = StringField("Title", render_kw={**required, "maxlength": 200})
    description = TextAreaField(
        "Description", description="Optional.", render_kw={"rows": 4, "maxlength": 5000}
    )
    place = StringField("Place", render_kw={**required, "maxlength": 200})
    time_zone = SelectField(
        "Time zone of the place",
        description="The start and end are local times there; learners see them in their own zone.",
        validate_choice=False,  # operations.check_event_form judges the name
    )
    starts_at = StringField(
        "Start (local date and time)", widget=DateTimeLocalInput(), render_kw=required
    )
    ends_at = StringField(
        "End (local date and time)", widget=DateTimeLocalInput(), render_kw=required
    )
    credits = StringField(
        "Credits per attendee",
        description="Such as 1 or 0.5.",
        render_kw={**required, "inputmode": "decimal", "maxlength": 8},
    )
    hours = StringField(
        "Hours of instruction", render_kw={**required, "inputmode": "decimal", "maxlength": 8}
    )
    credit_unit = SelectField("Credit unit", validate_choice=False, render_kw=required)
    category = SelectField(
        "Category",
        choices=options(fields.CATEGORIES),
        validate_choice=False,
        render_kw=required,
    )
    certification = CheckboxListField("Counts toward these certifications")
    capacity = StringField(
        "Capacity",
        description="Places; leave empty for no limit.",
        widget=NumberInput(min=1, step=1),
    )

    def offer(self, certifications: list[tuple[str, str]], units: list[str]) -> None:
        """The certifications (code, label) and credit units to choose from."""
        self.certification.choices = options(certifications)
        self.credit_unit.choices = options((unit, unit) for unit in units)
        self.time_zone.choices = zone_choices()

    def sent(self) -> MultiDict[str, str]:
        """The values as the service reads them (the certification codes repeat)."""
        values: MultiDict[str, str] = MultiDict()
        for field in self:
            if field.name == "certification":
                for code in field.data or []:
                    values.add("certification", code)
            elif field.name != "csrf_token":
                values.add(field.name, field.data or "")
        return values
