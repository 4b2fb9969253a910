"""Every link on every page each kind of user can reach leads somewhere that answers: no 404
from our own links, never a 500. A broken template or a wrong url_for shows up here."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from lms.served_files import UPLOADED_FILE_CSP
from tests.conftest import signed_in
from tests.html_safety import assert_secure_headers, inline_code

LINK = re.compile(r'(?:href|src)="([^"#]+)"')
#: Downloads are fetched once but not parsed for links.
HTML = "text/html"


def crawl(web, start: str, limit: int = 250, visit=None) -> dict[str, int]:  # noqa: ANN001
    """Follow our own links from ``start``; ``visit(path, response)`` sees every answer."""
    seen: dict[str, int] = {}
    queue = [start]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        response = web.get(path)
        seen[path] = response.status_code
        if visit is not None:
            visit(path, response)
        if response.status_code == 302:
            target = urlsplit(response.headers["Location"])
            if not target.netloc:
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
            continue
        if response.status_code != 200 or response.mimetype != HTML:
            continue
        for link in LINK.findall(response.get_data(as_text=True)):
            url = urlsplit(urljoin(path, link.replace("&amp;", "&")))
            if url.netloc or not url.path.startswith("/"):
                continue
            queue.append(url.path + (f"?{url.query}" if url.query else ""))
    return seen


@pytest.mark.parametrize(
    "email, password",
    [
        ("graduate@example.com", "graduate-demo-pass"),
        ("trainer@example.com", "trainer-demo-pass"),
        ("admin@example.com", "admin-demo-pass"),
    ],
)
def test_every_link_answers(app, demo, email, password):
    from lms.demo import seed_demo_certificates

    app.config["LMS_BASE_URL"] = "http://lms.example"
    with app.app_context():
        seed_demo_certificates()
    web = signed_in(app, email, password)
    inline: dict[str, list[str]] = {}

    def visit(path: str, response) -> None:  # noqa: ANN001
        # Every page also carries the security headers and needs no inline script or style,
        # so the strict Content-Security-Policy costs the page nothing. An uploaded file (a
        # logo, module media) carries the stricter sandbox policy of lms/served_files instead.
        if response.mimetype != HTML and path.startswith(("/media/", "/branding/logo/")):
            assert response.headers["Content-Security-Policy"] == UPLOADED_FILE_CSP, path
        else:
            assert_secure_headers(response, path)
        if response.status_code == 200 and response.mimetype == HTML:
            found = inline_code(response.get_data(as_text=True))
            if found:
                inline[path] = found

    seen = crawl(web, "/dashboard", visit=visit)
    broken = {path: code for path, code in seen.items() if code >= 500 or code == 404}
    assert not broken, broken
    assert not inline, inline
    assert len(seen) > 15, seen


def test_the_crawl_does_find_a_broken_link(app, demo):
    """The crawl itself can fail: a page linking to a missing address is reported."""
    web = signed_in(app, "admin@example.com", "admin-demo-pass")
    seen = crawl(web, "/studio/courses/no-such-course/")
    assert seen == {"/studio/courses/no-such-course/": 404}
