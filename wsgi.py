"""The standalone host for production: ``gunicorn wsgi:app``."""

from lms import create_app

app = create_app()
if not app.config["LMS_BASE_URL"]:
    app.logger.warning(
        "LMS_BASE_URL is not set: links in e-mails and on certificates follow the Host header "
        "of each request. Set LMS_BASE_URL (and Flask's TRUSTED_HOSTS) in production."
    )
