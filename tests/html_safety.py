"""Parse HTML the way a browser would read its tags, and list anything that could run script."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

#: A script file from the LMS's own static folder (under any mount prefix).
OWN_SCRIPT = re.compile(r"(/[\w-]+)*/_static/[\w-]+\.js")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_own_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and OWN_SCRIPT.fullmatch(dict(attrs).get("src") or ""):
            # One of our own static files (time_zone.js is on every page), as the CSP allows;
            # any code written inside the element is still a finding (handle_data).
            self.in_own_script = True
        elif tag in {"script", "iframe", "object", "embed"}:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name} attribute on <{tag}>")
            if name in URL_ATTRIBUTES and value:
                compact = "".join(value.split()).lower()
                if compact.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.problems.append(f"{name}={value!r} on <{tag}>")
            if name == "style" and value and "javascript:" in value.lower():
                self.problems.append(f"script in style on <{tag}>")

    def handle_data(self, data: str) -> None:
        if self.in_own_script and data.strip():
            self.problems.append("<script> element with code inside")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_own_script = False


def script_hazards(html: str) -> list[str]:
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.problems


def _policy(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_secure_headers(response: Any, path: str) -> None:
    """The headers every page carries, with a CSP that allows no inline script or style."""
    headers = response.headers
    policy = _policy(headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"], path
    assert policy["script-src"] == ["'self'"], path  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["style-src"] == ["'self'"], path
    assert policy["object-src"] == ["'none'"], path
    assert policy["base-uri"] == ["'none'"], path
    assert policy["frame-ancestors"] == ["'none'"], path
    assert policy["form-action"] == ["'self'"], path
    assert headers["X-Content-Type-Options"] == "nosniff", path
    assert headers["X-Frame-Options"] == "DENY", path
    assert headers["Referrer-Policy"] == "same-origin", path
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin", path
    assert "camera=()" in headers["Permissions-Policy"], path


class _InlineCode(HTMLParser):
    """What a strict CSP would block in our own markup: inline script, handlers and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.found.append("inline <script>")
        if tag == "script" and names.get("src", "").startswith(("http:", "https:", "//")):
            self.found.append(f"script from another site: {names['src']}")
        if tag == "style":
            self.found.append("inline <style>")
        if tag == "link" and (names.get("href") or "").startswith(("http:", "https:", "//")):
            self.found.append(f"stylesheet or font from another site: {names['href']}")
        for name, _value in attrs:
            if name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            if name == "style":
                self.found.append(f"style= on <{tag}>")


def inline_code(html: str) -> list[str]:
    parser = _InlineCode()
    parser.feed(html)
    return parser.found
