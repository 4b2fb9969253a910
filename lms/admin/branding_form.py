"""The certificate branding form (the logo itself is read from the request's files by the
view: the LMS's forms read ordinary fields only)."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, FileField, StringField
from wtforms.fields import ColorField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from lms.accounts.forms import LMSForm, no_control_characters
from lms.awards.branding import EMAIL_RE

#: Text in the accent colour and white on it must both stay readable (WCAG AA for text).
MIN_CONTRAST = 4.5


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio of "#rrggbb" against white (1 to 21)."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)
    return 1.05 / (luminance + 0.05)


def _readable_on_white(_form: LMSForm, field: Any) -> None:
    if field.errors or not field.data:
        return
    ratio = contrast_with_white(field.data)
    if ratio < MIN_CONTRAST:
        raise ValidationError(
            f"This colour is too light to read on white (contrast {ratio:.1f}:1, at least "
            f"{MIN_CONTRAST}:1 is needed): choose a darker one."
        )


def _email_or_web_address(_form: LMSForm, field: Any) -> None:
    value = field.data or ""
    if value and not (EMAIL_RE.fullmatch(value) or value.startswith("https://")):
        raise ValidationError(
            "Give an e-mail address (name@example.com) or a web address starting with https://."
        )


class BrandingForm(LMSForm):
    organisation_name = StringField(
        "Organisation name",
        description="Printed at the top of every certificate, under the logo.",
        filters=[_strip],
        validators=[
            DataRequired(message="Enter the organisation's name."),
            no_control_characters,
            Length(max=200),
        ],
    )
    signer_name = StringField(
        "Signer's name",
        description="Printed under the signature line, e.g. Dana Whitfield.",
        filters=[_strip],
        validators=[Optional(), no_control_characters, Length(max=120)],
    )
    signer_title = StringField(
        "Signer's title",
        description="e.g. Director of Education.",
        filters=[_strip],
        validators=[Optional(), no_control_characters, Length(max=120)],
    )
    accent_colour = ColorField(
        "Accent colour",
        description="The border, title and seal; it must be dark enough to read on white.",
        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
        validators=[
            DataRequired(message="Choose a colour."),
            Regexp(r"^#[0-9a-f]{6}$", message="Give the colour as # and six hex digits."),
            _readable_on_white,
        ],
    )
    contact = StringField(
        "Contact for verifiers",
        description=(
            "An e-mail address or https:// web address; the verification page tells anyone "
            "who should not accept a certificate to ask here."
        ),
        filters=[_strip],
        validators=[Optional(), no_control_characters, Length(max=200), _email_or_web_address],
    )
    logo = FileField(
        "Logo",
        description="A PNG or JPEG image, up to 1 MB; a wide logo prints up to 7 cm wide.",
        render_kw={"accept": ".png,.jpg,.jpeg"},
    )
    remove_logo = BooleanField("Remove the current logo")
