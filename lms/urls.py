"""Absolute links for e-mails, certificates and QR codes."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for


class BaseUrlMissing(RuntimeError):
    """A link meant for someone else cannot be built: ``LMS_BASE_URL`` is not set."""


def external_url(endpoint: str, **values: Any) -> str:
    """``LMS_BASE_URL`` + the endpoint's path when the base is set (always, in production:
    otherwise the link trusts the request's Host header); else the request's own URL."""
    base = current_app.config["LMS_BASE_URL"]
    if base and not has_request_context():  # a CLI command: build the path from the URL map
        return base.rstrip("/") + current_app.url_map.bind("localhost").build(endpoint, values)
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, **values, _external=True)


def require_base_url(purpose: str) -> None:
    """Refuse, outside testing and debug mode, to build a link that leaves this request (an
    e-mail) from the request itself: its Host header is whatever the sender chose, so a
    password-reset link built from it could lead the account's owner to the sender's site."""
    app = current_app
    if not app.config["LMS_BASE_URL"] and not (app.testing or app.debug):
        raise BaseUrlMissing(
            f"{purpose} cannot be sent: the site's address is not configured (LMS_BASE_URL)"
        )
