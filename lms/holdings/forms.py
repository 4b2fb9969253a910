"""The "Add or correct a certification" form; ``operations.record_holding`` judges it."""

from __future__ import annotations

from wtforms import SelectField, StringField

from lms.forms import DateStringField, ServiceCheckedForm, options, required


class HoldingForm(ServiceCheckedForm):
    certification_id = SelectField("Certification", validate_choice=False, render_kw=required)
    number = StringField(
        "Certification number",
        description="As printed on your card.",
        render_kw={**required, "maxlength": 40},
    )
    certified_on = DateStringField("Date certified", render_kw=required)

    def offer(self, certifications: list[tuple[int, str]]) -> None:
        """The certifications to choose from: (id, label)."""
        self.certification_id.choices = options(certifications)
