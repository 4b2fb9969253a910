"""Links: absolute ones for e-mails, certificates and QR codes, and the pages' own."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, request, url_for

#: Page links remembered per application before the memo is emptied (it is keyed by the
#: values, so links to each certificate or course each take a slot).
PAGE_URLS_KEPT = 4096


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


def page_url(endpoint: str, **values: Any) -> str:
    """``url_for`` for the LMS's templates, remembered per application: a page builds ten or
    more links, and the same ones on every request (the stylesheet, the menu), each costing
    a walk of the URL map. Anything that could make the same call give another URL is not
    remembered: a relative endpoint, an ``_external``-style option, unhashable values, or
    a host's ``url_defaults`` functions (which may read the request)."""
    if (
        endpoint.startswith(".")
        or current_app.url_default_functions
        or any(key.startswith("_") for key in values)
    ):
        return url_for(endpoint, **values)
    try:
        # The host and scheme too: a rule on another host or subdomain builds an absolute URL.
        # The values' types too: True and 1 are equal keys but different query strings.
        key = (
            request.script_root,
            request.host,
            request.scheme,
            endpoint,
            tuple(sorted((name, type(value).__name__, value) for name, value in values.items())),
        )
        hash(key)
    except TypeError:
        return url_for(endpoint, **values)
    memo = current_app.extensions["lms"].page_urls
    url = memo.get(key)
    if url is None:
        if len(memo) >= PAGE_URLS_KEPT:
            memo.clear()
        url = memo[key] = url_for(endpoint, **values)
    return url
