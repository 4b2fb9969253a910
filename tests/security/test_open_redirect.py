"""Open redirect: no return address (``next``) sends anyone off the site, whatever its
disguise: ``//x``, ``/\\x``, ``\\\\x``, ``https:x``, ``javascript:``, tabs and newlines, the
percent-encoded and doubly encoded forms, a fullwidth slash.

The places that take one: the sign-in page (GET puts it in a hidden field; POST redirects to
it, from the form or the query string), the sign-up form (POST) and ``login_required``, which
sends an anonymous visitor to the sign-in page with the page they asked for. After each, the
Location header must be a path on this site, as a browser would read it, and a local target
must be kept (the positive control).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from itertools import count
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

HOSTILE = [
    "//evil.example",
    " //evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "https:evil.example",
    "https://evil.example",
    "http:/evil.example",
    "HTTPS://evil.example/my/transcript",
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "%2F%2Fevil.example",
    "%2f%5cevil.example",
    "%252F%252Fevil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "%5C%5Cevil.example",
    "https%3A%2F%2Fevil.example",
    "//evil.example/%2F..",
    "///evil.example",
    "////evil.example",
    "/\t/evil.example",
    "/%09/evil.example",
    "/\n/evil.example",
    "\x00//evil.example",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example@good",
    "\uff0f\uff0fevil.example",  # fullwidth solidus
    "/%0d%0aLocation:%20//evil.example",
    "/\r\nLocation: //evil.example",
    "evil.example",
    "@evil.example",
]
#: Local targets that must be kept as they are (the positive control).
LOCAL = ["/my/transcript", "/.evil.example", "/my/claims?kind=course"]
PASSWORD = "correct horse battery"


def as_browser_reads(location: str) -> str:
    """A Location as a browser reads it: tabs and newlines dropped, leading and trailing
    controls and spaces trimmed, a backslash taken for a slash."""
    text = re.sub(r"[\t\n\r]", "", location).strip("\x00\x01\x02\x03 ")
    return text.replace("\\", "/")


def is_local(location: str) -> bool:
    """A path on this site: no scheme, no host, and not ``//`` or ``/\\`` even once decoded."""
    for text in (location, unquote(location), unquote(unquote(location))):
        read = as_browser_reads(text)
        parts = urlsplit(read)
        if parts.scheme or parts.netloc or not read.startswith("/") or read.startswith("//"):
            return False
        if any(ord(ch) < 32 for ch in text):
            return False
    return True


def in_query(target: str) -> str:
    """The target written into a link's query string as an attacker would: only what cannot
    travel in a URL (controls, spaces, non-ASCII, ``&``, ``+``, ``#``) is percent-encoded, so
    the app receives the encoded forms decoded once."""
    return "".join(ch if 33 <= ord(ch) < 127 and ch not in "&+#" else quote(ch) for ch in target)


HIDDEN_NEXT_RE = re.compile(r'<input[^>]*name="next"[^>]*>')


def hidden_next(page: str) -> str:
    tag = HIDDEN_NEXT_RE.search(page)
    assert tag, "the sign-in form has no next field"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


def token_of(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Visitor:
    """Fresh browsers for one case, each from an address of its own (the sign-up limit is per
    client address; every sign-in here succeeds, and only failed ones are limited)."""

    addresses = count(1)

    def __init__(self, app: Flask, create_user: Callable[..., Any]) -> None:
        self.app = app
        self.create_user = create_user
        self.emails = count(1)

    def client(self) -> FlaskClient:
        client = self.app.test_client()
        n = next(self.addresses)
        client.environ_base["REMOTE_ADDR"] = f"10.{n // 65025 % 255}.{n // 255 % 255}.{n % 255}"
        return client

    def account(self) -> str:
        return self.create_user(password=PASSWORD).email

    def login_page(self, query: dict | str) -> TestResponse:
        return self.client().get("/login", query_string=query)

    def sign_in(self, form_next: str | None, query: str = "") -> TestResponse:
        client = self.client()
        data = {"email": self.account(), "password": PASSWORD}
        data["csrf_token"] = token_of(client.get("/login").get_data(as_text=True))
        if form_next is not None:
            data["next"] = form_next
        return client.post("/login" + query, data=data)

    def sign_up(self, form_next: str) -> TestResponse:
        client = self.client()
        page = client.get("/register").get_data(as_text=True)
        return client.post(
            "/register",
            data={
                "csrf_token": token_of(page),
                "name": "Rita Redirect",
                "email": f"signup{next(self.emails)}@example.org",
                "password": PASSWORD,
                "confirm": PASSWORD,
                "next": form_next,
            },
        )


def outcomes(visitor: Visitor, target: str) -> Iterator[tuple[str, str | None, str]]:
    """(place, what the app kept of the target, the page or Location) for each place; None
    when the request was refused as a whole (a 400, e.g. for a NUL), which sends nobody
    anywhere. The local targets prove the places do keep a ``next``."""
    raw = in_query(target)
    for how, query in (("encoded", {"next": target}), ("raw", f"next={raw}")):
        response = visitor.login_page(query)
        page = response.get_data(as_text=True)
        if response.status_code == 400:
            yield f"GET /login ({how} query)", None, page
            continue
        assert response.status_code == 200, (how, response.status_code)
        yield f"GET /login ({how} query)", hidden_next(page), page
    for place, response in (
        ("POST /login (form)", visitor.sign_in(target)),
        ("POST /login (query)", visitor.sign_in(None, f"?next={raw}")),
        ("POST /register (form)", visitor.sign_up(target)),
    ):
        if response.status_code == 400 and "Location" not in response.headers:
            yield place, None, response.get_data(as_text=True)
            continue
        assert response.status_code == 302, (place, response.get_data(as_text=True)[:500])
        location = response.headers["Location"]
        yield place, location, location


def test_no_hostile_next_leaves_the_site(app: Flask, create_user: Callable[..., Any]) -> None:
    assert len(HOSTILE) >= 25
    visitor = Visitor(app, create_user)
    leaks = []
    checks = 0
    refused = 0
    for target in HOSTILE:
        for place, kept, shown in outcomes(visitor, target):
            checks += 1
            if kept is None:
                refused += 1
            elif place.startswith("GET"):
                # The form does not carry it, nor does the page show it anywhere.
                if kept or "evil.example" in shown or "alert(1)" in shown:
                    leaks.append((target, place, kept))
            elif kept != "/dashboard" or not is_local(kept):
                leaks.append((target, place, kept))
    print(
        f"open redirect: {len(HOSTILE)} hostile targets x 5 places = {checks} checks "
        f"({refused} refused outright)"
    )
    assert leaks == []


@pytest.mark.parametrize("target", LOCAL)
def test_a_local_next_is_kept(app: Flask, create_user: Callable[..., Any], target: str) -> None:
    """The positive control: the same places keep a path on this site."""
    visitor = Visitor(app, create_user)
    places = list(outcomes(visitor, target))
    assert len(places) == 5
    for place, kept, _shown in places:
        assert kept == target, place
        assert is_local(kept)


@pytest.mark.parametrize(
    "page, kept",
    [
        ("/my/transcript", True),
        ("/my/transcript?next=//evil.example", True),
        # A backslash anywhere makes the whole target suspect: dropped, the dashboard instead.
        ("/my/claims?next=https://evil.example&x=/\\evil.example", False),
    ],
)
def test_the_sign_in_detour_keeps_the_visitor_on_the_site(
    app: Flask, create_user: Callable[..., Any], page: str, kept: bool
) -> None:
    """``login_required`` sends an anonymous visitor to sign in and back: both hops local."""
    visitor = Visitor(app, create_user)
    client = visitor.client()
    detour = client.get(page)
    assert detour.status_code == 302
    assert is_local(detour.headers["Location"]), detour.headers["Location"]
    login = client.get(detour.headers["Location"]).get_data(as_text=True)
    assert hidden_next(login) == (page if kept else "")
    response = client.post(
        "/login",
        data={
            "csrf_token": token_of(login),
            "email": visitor.account(),
            "password": PASSWORD,
            "next": hidden_next(login),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == (page if kept else "/dashboard")
    assert is_local(response.headers["Location"])


@pytest.mark.parametrize(
    "location, local",
    [
        ("/dashboard", True),
        ("/my/transcript?x=1", True),
        ("//evil.example", False),
        ("/\\evil.example", False),
        ("/\t/evil.example", False),
        ("https://evil.example/", False),
        ("javascript:alert(1)", False),
        ("/%2F%2Fevil.example", False),
        ("/%252F%252Fevil.example", False),
        ("evil.example", False),
    ],
)
def test_the_oracle_tells_local_from_foreign(location: str, local: bool) -> None:
    assert is_local(location) is local
