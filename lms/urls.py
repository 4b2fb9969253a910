"""Absolute links for e-mails, certificates and QR codes."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values: Any) -> str:
    """``LMS_BASE_URL`` + the endpoint's path when the base is set (always, in production:
    otherwise the link trusts the request's Host header); else the request's own URL."""
    base = current_app.config["LMS_BASE_URL"]
    if base and not has_request_context():  # a CLI command: build the path from the URL map
        return base.rstrip("/") + current_app.url_map.bind("localhost").build(endpoint, values)
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, **values, _external=True)
