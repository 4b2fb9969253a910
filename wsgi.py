"""The standalone host for production: ``gunicorn wsgi:app``."""

from lms import create_app

app = create_app()
if not app.config["LMS_BASE_URL"]:
    app.logger.warning(
        "LMS_BASE_URL is not set: certificates cannot be issued (a passing learner gets a 503) "
        "and password-reset e-mails are not sent (a request's Host header may not decide "
        "their link). Set LMS_BASE_URL."
    )
