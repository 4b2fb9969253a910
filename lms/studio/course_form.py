"""The course's fields (new course and a draft's details); ``courses.check_course_form``
judges them."""

from __future__ import annotations

from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import NumberInput

from lms.catalogue.models import Certification
from lms.forms import CheckboxListField, ServiceCheckedForm, required
from lms.rendering import format_number


class CourseForm(ServiceCheckedForm):
    error_fields = {"certifications": "certification"}

    title = StringField("Title", render_kw={**required, "maxlength": 200})
    summary = TextAreaField(
        "Summary",
        description="Shown in the catalogue.",
        render_kw={"rows": 4, "maxlength": 5000},
    )
    provider = StringField(
        "Provider",
        description="Pick one or type a new name.",
        render_kw={**required, "maxlength": 200, "list": "provider-names"},
    )
    credits = StringField(
        "Credits claimed",
        description="Such as 1 or 0.5.",
        render_kw={**required, "inputmode": "decimal", "maxlength": 8},
    )
    certification = CheckboxListField("Counts toward these certifications")
    pass_percent = StringField(
        "Pass mark of the final quiz (%)",
        widget=NumberInput(min=1, max=100, step=1),
        render_kw=required,
    )

    def offer(self, certifications: list[Certification], *, with_pass_mark: bool) -> None:
        """The certifications to choose from (each with its regime); the pass mark only when
        the course has a final quiz."""
        label = Markup('{}: {} <span class="muted">({} min per {}, in steps of {})</span>')
        self.certification.choices = [
            SelectChoice(
                str(c.id),
                label.format(
                    c.code,
                    c.name,
                    c.minutes_per_credit,
                    c.credit_unit,
                    format_number(c.credit_step),
                ),
            )
            for c in certifications
        ]
        if not with_pass_mark:
            del self.pass_percent

    def sent(self) -> MultiDict[str, str]:
        """The values as ``check_course_form`` reads them (the certification ids repeat)."""
        values: MultiDict[str, str] = MultiDict()
        for field in self:
            if field.name == "certification":
                for chosen in field.data or []:
                    values.add("certification", chosen)
            elif field.name != "csrf_token":
                values.add(field.name, field.data or "")
        return values
