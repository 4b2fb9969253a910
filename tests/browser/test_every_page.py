"""Every page each demo person can reach by following links, on a phone in Chromium.

The journeys check the pages of a person's way through the site; this crawl checks the rest,
including pages added later without a journey of their own: signed out, as the demo
graduate (certificates, requirements, claims), the trainer (studio, events, reports) and the
admin. One address per route (ids and slugs stand for each other), each checked by axe-core
(no serious or critical WCAG 2.1 A/AA finding) and for sideways scrolling at phone width; the
routes checked join ``pages-checked.txt``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

from tests.browser.conftest import (  # noqa: E402
    PHONE,
    Journey,
    horizontal_scroll,
    sign_in,
    url_pattern,
)

#: Not pages: downloads, files, machine-readable documents, and leaving.
NOT_PAGES = re.compile(
    r"\.(pdf|csv|zip|gift|txt)$|^/(media|evidence|_static|static|credentials|issuer|status)/"
    r"|^/(issuer|healthz|logout)$|/evidence$|/export"
)
PEOPLE = {
    "signed-out": None,
    "graduate": ("graduate@example.com", "graduate-demo-pass"),
    "trainer": ("trainer@example.com", "trainer-demo-pass"),
    "admin": ("admin@example.com", "admin-demo-pass"),
}
#: A bound on the crawl, far above what the demo has; reaching it fails the test.
MOST_ROUTES = 200


def crawl(tab: Journey, base_url: str, start: list[str]) -> tuple[set[str], list[str]]:
    """Visit one address per route reachable from ``start``; returns the routes checked and
    what was found wrong."""
    page = tab.page
    queue = list(start)
    seen: set[str] = set()
    routes: set[str] = set()
    found: list[str] = []
    while queue:
        url = queue.pop(0).split("#")[0]
        path = urlsplit(url).path
        if url in seen or not url.startswith(base_url) or NOT_PAGES.search(path):
            continue
        seen.add(url)
        route = url_pattern(url)
        if route in routes:
            continue
        routes.add(route)
        assert len(routes) <= MOST_ROUTES, f"the crawl found more than {MOST_ROUTES} routes"
        response = page.goto(url)
        assert response is not None
        if response.status >= 500:
            found.append(f"{url}: HTTP {response.status}")
        if "text/html" not in response.headers.get("content-type", ""):
            tab.pass_over()
            continue
        tab.check()
        found += horizontal_scroll(page)
        queue += page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    return routes, found


@pytest.mark.parametrize("person", list(PEOPLE))
def test_every_page_a_person_can_reach_passes_axe_on_a_phone(
    journey, live_server, certificates, problems, person
):
    tab = journey(f"crawl-{person}", viewport=PHONE, is_mobile=True, has_touch=True)
    credentials = PEOPLE[person]
    start = [f"{live_server}/", f"{live_server}/no-such-page"]
    if credentials:
        sign_in(tab, *credentials)
        start += [f"{live_server}/dashboard", f"{live_server}/admin/", f"{live_server}/studio/"]
    routes, found = crawl(tab, live_server, start)
    print(f"{person}: {len(routes)} routes checked")
    # Not vacuous: each person reaches at least the pages their menu links to.
    assert len(routes) >= {"signed-out": 4, "graduate": 10, "trainer": 12, "admin": 15}[person]
    assert found == []
    tab.finish()
    assert problems == []
