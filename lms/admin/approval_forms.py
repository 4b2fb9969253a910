"""The approval page's two forms: approve (number and dates) and send back (a reason).
``lifecycle.parse_approval`` and ``lifecycle.send_back`` judge them."""

from __future__ import annotations

from datetime import date

from wtforms import StringField, TextAreaField

from lms.forms import DateStringField, ServiceCheckedForm, required


class ApprovalForm(ServiceCheckedForm):
    number = StringField(
        "Approval number",
        description="As the certifying body wrote it, such as IICRC-WRT-0042.",
        render_kw={**required, "maxlength": 60},
    )
    approved_on = DateStringField("Approval date", render_kw=required)
    expires_on = DateStringField("Expiry date", render_kw=required)
    note = TextAreaField(
        "A note for the trainer",
        description="Optional; sent with the approval.",
        render_kw={"rows": 3, "maxlength": 2000},
    )

    def sent(self) -> dict[str, str]:
        """The number and dates as ``lifecycle.parse_approval`` reads them."""
        return {"number": self.number.data or "", **self.dates()}

    def note_text(self) -> str:
        return (self.note.data or "").replace("\r\n", "\n").strip()

    def dates(self) -> dict[str, str]:
        return {
            "approved_on": self.approved_on.data or "",
            "expires_on": self.expires_on.data or "",
        }

    def field_of(self, message: str) -> str:
        """The field a refusal of ``parse_approval`` is about: the number, else the first
        date that is not a date, else the expiry (too early or already over)."""
        if "approval number" in message:
            return "number"
        if "note" in message:
            return "note"
        for name, value in self.dates().items():
            try:
                date.fromisoformat(value.strip())
            except ValueError:
                return name
        return "expires_on"


class SendBackForm(ServiceCheckedForm):
    reason = TextAreaField(
        "What should the trainer change?",
        description="The trainer reads this with the course.",
        render_kw={**required, "rows": 4, "maxlength": 2000},
    )
