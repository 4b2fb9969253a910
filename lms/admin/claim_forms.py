"""The reviewer's reject form; ``claims.operations.reject_claim`` judges the reason."""

from __future__ import annotations

from wtforms import TextAreaField

from lms.claims.operations import MAX_REASON
from lms.forms import ServiceCheckedForm, required


class RejectClaimForm(ServiceCheckedForm):
    reason = TextAreaField(
        "Why is the claim rejected?",
        description="The learner reads this.",
        render_kw={**required, "rows": 4, "maxlength": MAX_REASON},
    )
