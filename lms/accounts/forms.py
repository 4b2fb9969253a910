"""Forms of the account pages (a host can subclass and replace them)."""

from __future__ import annotations

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError


def _min_password_length(form: FlaskForm, field: PasswordField) -> None:
    minimum = current_app.config["LMS_PASSWORD_MIN_LENGTH"]
    if len(field.data or "") < minimum:
        raise ValidationError(f"Use at least {minimum} characters.")


class _NewPasswordMixin:
    password = PasswordField(
        "Password", validators=[DataRequired(), _min_password_length, Length(max=200)]
    )
    confirm = PasswordField(
        "Repeat password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )


class RegisterForm(_NewPasswordMixin, FlaskForm):
    name = StringField(
        "Full name (as on your certification)",
        validators=[DataRequired(message="Enter your name."), Length(max=120)],
    )
    email = EmailField(
        "E-mail",
        validators=[DataRequired(message="Enter your e-mail address."), Email(), Length(max=254)],
    )


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class ResetRequestForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])


class ResetPasswordForm(_NewPasswordMixin, FlaskForm):
    pass


class ActionForm(FlaskForm):
    """A button that changes state: carries only the CSRF token."""
