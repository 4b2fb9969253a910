"""The learner's claim form. Its values are judged by ``operations.check_claim_form``; the
form shows them, keeps what was typed and carries kept evidence (``evidence_token``)."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField

from lms.claims import fields
from lms.claims.operations import EVIDENCE_ACCEPT, KINDS
from lms.forms import DateStringField, ServiceCheckedForm, options, required

#: The certification choice's first option: the claim counts toward every certification in
#: its unit, as claims did before the choice existed.
NO_CERTIFICATION = ("", "Not for one certification in particular")


class ClaimForm(ServiceCheckedForm):
    kind = SelectField(
        "What did you attend?",
        choices=options(KINDS),
        validate_choice=False,
        render_kw=required,
    )
    certification_id = SelectField(
        "Which certification is it for?",
        description="The credits count toward this certification's renewal, as its rules allow.",
        validate_choice=False,
    )
    title = StringField("Title of the course or event", render_kw={**required, "maxlength": 200})
    provider = StringField("Provider or organiser", render_kw={**required, "maxlength": 200})
    # A date picker shows the date in the browser's own format: the label names no format.
    completed_on = DateStringField("Date you completed it", render_kw=required)
    hours = StringField(
        "Hours of instruction",
        render_kw={**required, "inputmode": "decimal", "maxlength": 8},
    )
    credits = StringField(
        "Credits on your certificate",
        description="Such as 1 or 0.5.",
        render_kw={**required, "inputmode": "decimal", "maxlength": 8},
    )
    credit_unit = SelectField("Credit unit", validate_choice=False, render_kw=required)
    category = SelectField(
        "Category",
        choices=options(fields.CATEGORIES),
        validate_choice=False,
        render_kw=required,
    )
    evidence = FileField(
        "Evidence: your certificate or attendance record",
        render_kw={**required, "accept": EVIDENCE_ACCEPT},
    )
    #: Names evidence kept from an earlier send of this form (see PendingEvidence).
    evidence_token = HiddenField()

    def offer(self, held: dict[str, str], units: list[str]) -> None:
        """The choices that depend on the learner (``held``: their certifications, id ->
        label) and on the catalogue (the credit units)."""
        self.held = held
        self.certification_id.choices = options([NO_CERTIFICATION, *held.items()])
        self.credit_unit.choices = options((unit, unit) for unit in units)
