"""A module's form (title, Markdown text, media link or file); ``courses.check_module_form``
judges it. The file is read from the request by the view (see ``lms.studio.media``)."""

from __future__ import annotations

from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, StringField, TextAreaField, URLField
from wtforms.widgets import NumberInput

from lms.forms import ServiceCheckedForm, required


class ModuleForm(ServiceCheckedForm):
    title = StringField("Title", render_kw={**required, "maxlength": 200})
    body = TextAreaField(
        "Text (Markdown: ## headings, **bold**, *italic*, - lists, [links](https://…), tables)",
        render_kw={"rows": 18},
    )
    media_url = URLField(
        "Link to a video or other media (https only)",
        render_kw={"maxlength": 500, "placeholder": "https://"},
    )
    file = FileField("Or upload a file")
    remove_file = BooleanField("Remove the uploaded file from this module")
    media_minutes = StringField(
        "Minutes of media a learner watches or listens to",
        widget=NumberInput(min=0, step=1),
        default="0",
    )

    def sent(self) -> MultiDict[str, str]:
        """The values as ``check_module_form`` reads them."""
        return MultiDict(
            {
                "title": self.title.data or "",
                "body": self.body.data or "",
                "media_url": self.media_url.data or "",
                "media_minutes": self.media_minutes.data or "",
                "remove_file": "1" if self.remove_file.data else "",
            }
        )
