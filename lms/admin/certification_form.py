"""The admin's certification form; ``operations.parse_certification`` judges it."""

from __future__ import annotations

from wtforms import StringField

from lms.forms import ServiceCheckedForm, required


class CertificationForm(ServiceCheckedForm):
    code = StringField(
        "Code",
        description="2 to 20 capital letters and digits, such as WRT.",
        render_kw={**required, "maxlength": 20, "autocapitalize": "characters"},
    )
    name = StringField("Name", render_kw={**required, "maxlength": 200})
    credits_required = StringField(
        "Credits required per cycle", render_kw={**required, "inputmode": "decimal"}
    )
    credit_unit = StringField(
        "Credit unit",
        description="As printed on certificates, such as CEC.",
        render_kw={**required, "maxlength": 20},
    )
    cycle_years = StringField(
        "Renewal cycle in years",
        description="1 to 10.",
        render_kw={**required, "inputmode": "numeric"},
    )
    minutes_per_credit = StringField(
        "Minutes of study per credit",
        description="1 to 1000: 60 when one credit is an hour.",
        render_kw={**required, "inputmode": "numeric"},
    )
    credit_step = StringField(
        "Credit step",
        description="Credits are granted in multiples of this, from 0.01 to 10.",
        render_kw={**required, "inputmode": "decimal"},
    )

    def sent(self) -> dict[str, str]:
        """Only the certification's own fields (anything else posted is ignored)."""
        return {f.name: f.data or "" for f in self if f.name != "csrf_token"}
