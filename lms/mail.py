"""Sending e-mail through the backend named by ``LMS_MAIL_BACKEND``."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app

log = logging.getLogger("lms.mail")


def send_mail(to: str, subject: str, body: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["LMS_MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="lms.local")
    message.set_content(body)

    backend = config["LMS_MAIL_BACKEND"] or "file"  # unset: allowed on a single host only
    if backend == "smtp":
        try:
            _send_smtp(message)
        except (OSError, smtplib.SMTPException) as exc:
            log.exception("Sending e-mail to %s failed", to)
            raise MailError("The e-mail could not be sent right now.") from exc
    elif backend == "console":
        log.warning("E-mail (console backend):\n%s", message.as_string())
    elif backend == "file":
        folder = mail_dir()
        folder.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("@", "_") + ".eml"
        (folder / name).write_text(message.as_string(), encoding="utf-8")
        log.info("E-mail to %s written to %s", to, folder / name)
    else:
        raise RuntimeError(f"LMS_MAIL_BACKEND must be smtp, console or file, not {backend!r}")


class MailError(RuntimeError):
    """The mail server could not take the message; the caller tells the user to retry."""


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["LMS_SMTP_HOST"], int(config["LMS_SMTP_PORT"]), timeout=30) as smtp:
        if config["LMS_SMTP_STARTTLS"]:
            smtp.starttls()
        if config["LMS_SMTP_USERNAME"]:
            smtp.login(str(config["LMS_SMTP_USERNAME"]), str(config["LMS_SMTP_PASSWORD"] or ""))
        smtp.send_message(message)


def mail_dir() -> Path:
    return Path(current_app.config["LMS_MAIL_DIR"] or Path(current_app.instance_path) / "mail")
