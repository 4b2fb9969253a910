"""The standalone host for production: ``gunicorn wsgi:app``."""

from lms import create_app

app = create_app()
if not app.config["LMS_BASE_URL"]:
    app.logger.warning(
        "LMS_BASE_URL is not set: certificates cannot be issued (a passing learner gets a 503) "
        "and links in e-mails follow the Host header of each request. Set LMS_BASE_URL."
    )
