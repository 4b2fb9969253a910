"""Shared fixtures of the browser tests: Debian's Chromium through Playwright, the app served
on a free local port, axe-core, and a ``Journey`` that checks every page a person lands on and
takes its screenshots at phone and desktop widths.

Screenshots go to ``LMS_SCREENSHOT_DIR`` (default ``tests/browser/screenshots/``, git-ignored),
with ``pages-checked.txt``: every URL pattern axe-core checked, and by which journeys."""

from __future__ import annotations

import functools
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
A4 = {"width": 794, "height": 1123}
AXE = Path(__file__).parent / "vendor" / "axe.min.js"  # axe-core 4.14.1, MPL-2.0


def _no_browser(reason: str) -> None:
    """Skip, or fail when the environment says a browser is required (CI)."""
    if _browser_required():
        pytest.fail(f"{reason} (LMS_REQUIRE_BROWSER=1 makes this a failure)", pytrace=False)
    pytest.skip(reason)


def _browser_required() -> bool:
    return os.environ.get("LMS_REQUIRE_BROWSER") == "1"


try:
    from playwright.sync_api import Browser, Frame, Page, sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    if _browser_required():  # the test modules' importorskip would only skip
        raise ImportError("LMS_REQUIRE_BROWSER=1 but Playwright is not installed") from None
    sync_playwright = None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """With LMS_REQUIRE_BROWSER=1 (CI), a browser test that skipped, for whatever reason, failed."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and _browser_required():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped ({reason}), but LMS_REQUIRE_BROWSER=1 requires it to run"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if sync_playwright is None:
        _no_browser("Playwright is not installed: pip install -e '.[test]'")
    executable = shutil.which("chromium")
    if executable is None:
        _no_browser("chromium is not on PATH: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(app: Flask, demo: None) -> Iterator[str]:
    """The app with demo data, served over HTTP on 127.0.0.1 and a free port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture
def problems() -> list[str]:
    """Server errors and uncaught script errors any page of the test ran into."""
    return []


def open_page(browser: Browser, base_url: str, problems: list[str], **options) -> Page:
    context = browser.new_context(base_url=base_url, **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None,
    )
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    # Everything a page needs comes from the site itself: no CDN, no web fonts.
    page.on(
        "request",
        lambda r: (
            problems.append(f"{r.resource_type} from elsewhere: {r.url}")
            if r.resource_type == "font" or not r.url.startswith((base_url, "data:"))
            else None
        ),
    )
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return page


@pytest.fixture
def page(browser: Browser, live_server: str, problems: list[str]) -> Iterator[Page]:
    page = open_page(browser, live_server, problems)
    yield page
    page.context.close()


@pytest.fixture
def phone(browser: Browser, live_server: str, problems: list[str]) -> Iterator[Page]:
    page = open_page(browser, live_server, problems, viewport=PHONE, is_mobile=True, has_touch=True)
    yield page
    page.context.close()


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def accessibility_violations(page: Page) -> list[str]:
    """Serious and critical WCAG 2.1 A/AA findings of axe-core on the current page.

    axe-core is evaluated through the DevTools protocol, which the page's Content Security
    Policy does not govern, so the pages are tested with their real CSP in force."""
    page.evaluate("source => { if (!window.axe) (0, eval)(source); }", _axe_source())
    found = page.evaluate(
        """async () => (await axe.run(document, {
               runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               resultTypes: ["violations"]})).violations
             .filter(v => v.impact === "serious" || v.impact === "critical")
             .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(" ")).join(", ")}`)"""
    )
    return [f"{page.url} {finding}" for finding in found]


SCREENSHOTS = Path(os.environ.get("LMS_SCREENSHOT_DIR") or Path(__file__).parent / "screenshots")


def url_pattern(url: str) -> str:
    """A visited URL as the route it stands for: ids, versions, slugs and tokens replaced."""
    parts = urlsplit(url)
    segments = parts.path.split("/")
    for index, segment in enumerate(segments):
        before = segments[index - 1] if index else ""
        if re.fullmatch(r"\d+", segment):
            segments[index] = "<id>"
        elif re.fullmatch(r"v\d+", segment):
            segments[index] = "v<n>"
        elif before == "courses" and segment != "new":
            segments[index] = "<slug>"
        elif before in ("certificates", "verify", "credentials"):
            segments[index] = "<public_id>"
    query = "&".join(sorted({f"{pair.split('=')[0]}=…" for pair in parts.query.split("&") if pair}))
    return "/".join(segments) + (f"?{query}" if query else "")


@pytest.fixture(scope="session")
def checked_pages() -> Iterator[dict[str, set[str]]]:
    """URL pattern → the journeys whose axe-core check covered it; written out at the end."""
    log: dict[str, set[str]] = {}
    for pattern in ("*-phone.png", "*-desktop.png", "*-print.png"):  # the last run's
        for old in SCREENSHOTS.glob(pattern):
            old.unlink()
    yield log
    if log:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        lines = [
            f"{pattern}  ({', '.join(sorted(names))})" for pattern, names in sorted(log.items())
        ]
        (SCREENSHOTS / "pages-checked.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


class Journey:
    """One person's way through the site in one tab. Every page the tab lands on (each new
    document, redirects included) must get ``check()`` before the tab moves on: axe-core's
    serious and critical WCAG 2.1 A/AA findings, then, for named key pages, full-page
    screenshots at phone and desktop widths, checking at phone width that nothing scrolls
    sideways. ``finish()`` fails the test on anything found."""

    def __init__(self, page: Page, name: str, log: dict[str, set[str]]) -> None:
        self.page = page
        self.name = name
        self.log = log
        self.landed: list[str] = []  # documents loaded since the last check
        self.missed: list[str] = []  # documents left without a check
        self.findings: list[str] = []
        self.shots = 0
        page.on("framenavigated", self._landed)

    def _landed(self, frame: Frame) -> None:
        if frame.parent_frame is None and frame.url.startswith("http"):
            self.landed.append(frame.url.split("#")[0])

    def check(self, shot: str | None = None) -> None:
        """axe-core on the page now shown; with ``shot``, its screenshots too."""
        here = self.page.url.split("#")[0]
        self.missed += [url for url in self.landed if url != here]
        self.landed.clear()
        self.findings += accessibility_violations(self.page)
        self.log.setdefault(url_pattern(here), set()).add(self.name)
        if shot:
            self.screenshot(shot)

    def screenshot(self, shot: str) -> None:
        self.shots += 1
        self.findings += screenshots(self.page, f"{self.name}-{self.shots:02d}-{shot}")

    def print_screenshot(self, shot: str) -> None:
        """The page as the current media emulation shows it, at A4's width (96 dpi)."""
        self.shots += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        restore = self.page.viewport_size
        self.page.set_viewport_size(A4)
        path = SCREENSHOTS / f"{self.name}-{self.shots:02d}-{shot}-print.png"
        self.page.screenshot(path=path, full_page=True, animations="disabled")
        if restore:
            self.page.set_viewport_size(restore)

    def pass_over(self) -> None:
        """The tab shows a document that is not a page (JSON, a download): nothing to check."""
        self.landed.clear()

    def finish(self) -> None:
        self.missed += self.landed
        self.landed.clear()
        assert self.missed == [], f"pages visited without an accessibility check: {self.missed}"
        assert self.findings == [], "\n".join(self.findings)


def screenshots(page: Page, name: str) -> list[str]:
    """Full-page screenshots at phone and desktop widths, named ``<name>-phone.png`` and
    ``<name>-desktop.png``; returns the problem if the page scrolls sideways on the phone."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    found: list[str] = []
    restore = page.viewport_size
    for width, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        if width == "phone":
            found += horizontal_scroll(page)
        path = SCREENSHOTS / f"{name}-{width}.png"
        page.screenshot(path=path, full_page=True, animations="disabled")
    if restore:
        page.set_viewport_size(restore)
    return found


def horizontal_scroll(page: Page) -> list[str]:
    """The page is wider than the window (a table may scroll inside its own box)."""
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    if scroll_width <= inner_width:
        return []
    culprits = page.evaluate(
        """width => [...document.querySelectorAll("body *")]
             .filter(e => e.getBoundingClientRect().right > width
                          && e.parentElement.getBoundingClientRect().right <= width)
             .slice(0, 3)
             .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                       + (e.className ? "." + String(e.className).split(" ").join(".") : ""))""",
        inner_width,
    )
    return [f"{page.url} scrolls sideways at {inner_width}px ({scroll_width}px): {culprits}"]


@pytest.fixture
def journey(
    browser: Browser, live_server: str, problems: list[str], checked_pages: dict[str, set[str]]
) -> Iterator[Callable[..., Journey]]:
    """``journey(name, **context_options)``: a new browser context (a person) with one tab;
    the test calls ``finish()`` on it; its context is closed when the test ends."""
    opened: list[Journey] = []

    def start(name: str, **options: Any) -> Journey:
        tab = Journey(open_page(browser, live_server, problems, **options), name, checked_pages)
        opened.append(tab)
        return tab

    yield start
    for tab in opened:
        tab.page.context.close()


def sign_in(tab: Journey, email: str, password: str) -> None:
    """Sign in through the form, checking the sign-in page and the page it leads to."""
    from playwright.sync_api import expect

    page = tab.page
    page.goto("/login")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    tab.check()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    # Signed in: the header's account menu (Sign out is inside it) names the person.
    expect(page.locator("details.account-menu summary")).to_be_visible()
    tab.check()


@pytest.fixture
def certificates(app: Flask, live_server: str) -> None:
    """The demo graduate's certificates (two valid, one revoked), whose links lead to the
    live server."""
    from lms.demo import seed_demo_certificates

    app.config["LMS_BASE_URL"] = live_server
    with app.app_context():
        seed_demo_certificates()
