"""The requirement rule's form (a new rule, or a new version of one); ``add_rule_version``
judges it. Its certification checkboxes and its category and cap rows are named as the
service reads them (``certification-CCT``, ``category-0``, ``cap-max-2``), so the class is
built per page: the certifications that exist and the rows the page shows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wtforms import BooleanField, SelectField, StringField

from lms.forms import DateStringField, ServiceCheckedForm, options, required
from lms.requirements.operations import CAP_PER, CAP_SOURCES


class RuleForm(ServiceCheckedForm):
    #: How many category and cap rows the page shows (set by ``rule_form``).
    rows = 0

    code = StringField(
        "Rule code",
        description="2 to 40 capital letters, digits and hyphens, such as IICRC-POOLED.",
        render_kw={**required, "maxlength": 40, "autocapitalize": "characters"},
    )
    pooled = BooleanField(
        "Pooled: one requirement per person, however many of these certifications they hold "
        "(cycles from their earliest certification date)"
    )
    name = StringField(
        "Name",
        description="Shown to learners, such as Water Damage Restoration Technician.",
        render_kw={**required, "maxlength": 200},
    )
    credits_required = StringField(
        "Credits required per cycle", render_kw={**required, "inputmode": "decimal"}
    )
    credit_unit = StringField(
        "Credit unit",
        description="Such as CEC. Entries in another unit count their hours divided by the "
        "hours per credit.",
        render_kw={**required, "maxlength": 20},
    )
    hours_per_unit = StringField(
        "Hours of learning per credit",
        description="1 under the newer IICRC rule, 7 under the older one.",
        render_kw={**required, "inputmode": "decimal"},
    )
    cycle_months = StringField(
        "Cycle length in months",
        description="1 to 120. Cycles start on the holder's certification date.",
        render_kw={**required, "inputmode": "numeric"},
    )
    effective_from = DateStringField("In effect from", render_kw=required)

    def sent(self) -> dict[str, str]:
        """Every field as the service reads it (a ticked box as "1")."""
        return {
            f.name: ("1" if f.data else "") if f.type == "BooleanField" else (f.data or "")
            for f in self
            if f.name != "csrf_token"
        }


def rule_form(certifications: Mapping[str, str], rows: int, **kwargs: Any) -> RuleForm:
    """A RuleForm with a checkbox per certification (code -> label) and ``rows`` category and
    cap rows; ``kwargs`` go to the form (``data=`` for a page's first view)."""

    class PageRuleForm(RuleForm):
        pass

    for code, label in certifications.items():
        setattr(PageRuleForm, f"certification-{code}", BooleanField(label))
    for n in range(rows):
        row = n + 1
        setattr(
            PageRuleForm,
            f"category-{n}",
            StringField(f"Category, row {row}", render_kw={"maxlength": 40}),
        )
        setattr(
            PageRuleForm,
            f"minimum-{n}",
            StringField(
                f"Minimum credits, row {row}",
                render_kw={"inputmode": "decimal", "class": "narrow-input"},
            ),
        )
        setattr(
            PageRuleForm,
            f"cap-source-{n}",
            SelectField(
                f"Source, row {row}",
                choices=options({"": "(no cap)", **CAP_SOURCES}),
                validate_choice=False,
            ),
        )
        setattr(
            PageRuleForm,
            f"cap-per-{n}",
            SelectField(f"Applies, row {row}", choices=options(CAP_PER), validate_choice=False),
        )
        setattr(
            PageRuleForm,
            f"cap-max-{n}",
            StringField(
                f"At most, row {row}",
                render_kw={"inputmode": "decimal", "class": "narrow-input"},
            ),
        )
    form = PageRuleForm(**kwargs)
    form.rows = rows
    return form
