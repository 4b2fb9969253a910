"""Forms of the account pages (a host can subclass and replace them)."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from lms.validation import CONTROL_CHARACTERS


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def no_control_characters(_form: FlaskForm, field: Any) -> None:
    """Tabs, newlines and NULs have no place in a name or an address (and NUL breaks SQL)."""
    if isinstance(field.data, str) and CONTROL_CHARACTERS.search(field.data):
        raise ValidationError("Remove the invisible control characters from this field.")


def _min_password_length(_form: FlaskForm, field: PasswordField) -> None:
    minimum = current_app.config["LMS_PASSWORD_MIN_LENGTH"]
    if len(field.data or "") < minimum:
        raise ValidationError(f"Use at least {minimum} characters.")


class LMSForm(FlaskForm):
    """Base of the LMS's forms: reads only ordinary form fields, never file parts."""

    class Meta:
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            # A field sent as a file upload is simply missing, instead of a crash on len().
            return request.form if formdata is not None and request.method == "POST" else None


class _NewPasswordMixin:
    password = PasswordField(
        "Password",
        validators=[
            DataRequired(message="Choose a password."),
            _min_password_length,
            Length(max=200),
            no_control_characters,
        ],
    )
    confirm = PasswordField(
        "Repeat password",
        validators=[
            DataRequired(message="Repeat the password."),
            EqualTo("password", message="The passwords do not match."),
        ],
    )


def _email_field() -> EmailField:
    return EmailField(
        "E-mail",
        filters=[_strip],
        validators=[
            DataRequired(message="Enter your e-mail address."),
            no_control_characters,
            Length(max=254),
            Email(),
        ],
    )


class RegisterForm(_NewPasswordMixin, LMSForm):
    name = StringField(
        "Full name (as on your certification)",
        filters=[_strip],
        validators=[
            DataRequired(message="Enter your name."),
            no_control_characters,
            Length(max=120),
        ],
    )
    email = _email_field()


class LoginForm(LMSForm):
    email = EmailField(
        "E-mail",
        filters=[_strip],
        validators=[
            DataRequired(message="Enter your e-mail address."),
            no_control_characters,
            Length(max=254),
        ],
    )
    password = PasswordField(
        "Password", validators=[DataRequired(message="Enter your password."), Length(max=200)]
    )
    next = HiddenField()


class ResetRequestForm(LMSForm):
    email = _email_field()


class ResetPasswordForm(_NewPasswordMixin, LMSForm):
    pass


class ChangePasswordForm(_NewPasswordMixin, LMSForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired(message="Enter your current password."), Length(max=200)],
    )
    # Beside the current password, "Password" alone does not say which one: these say "new",
    # and come after it (the error summary lists fields in this order).
    password = PasswordField(
        "New password",
        validators=[
            DataRequired(message="Choose a new password."),
            _min_password_length,
            Length(max=200),
            no_control_characters,
        ],
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[
            DataRequired(message="Repeat the new password."),
            EqualTo("password", message="The passwords do not match."),
        ],
    )


class ActionForm(LMSForm):
    """A button that changes state: carries only the CSRF token."""
