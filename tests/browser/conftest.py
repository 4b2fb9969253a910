"""Shared fixtures of the browser tests: Debian's Chromium through Playwright, the app served
on a free local port, and axe-core."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

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
AXE = Path(__file__).parent / "vendor" / "axe.min.js"  # axe-core 4.14.1, MPL-2.0


def _no_browser(reason: str) -> None:
    """Skip, or fail when the environment says a browser is required (CI)."""
    if os.environ.get("LMS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (LMS_REQUIRE_BROWSER=1 makes this a failure)", pytrace=False)
    pytest.skip(reason)


try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None


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
    # bypass_csp lets the test inject axe-core, which the pages' CSP would refuse.
    page = open_page(browser, live_server, problems, bypass_csp=True)
    yield page
    page.context.close()


@pytest.fixture
def phone(browser: Browser, live_server: str, problems: list[str]) -> Iterator[Page]:
    page = open_page(browser, live_server, problems, viewport=PHONE, is_mobile=True, has_touch=True)
    yield page
    page.context.close()


def accessibility_violations(page: Page) -> list[str]:
    """Serious and critical WCAG 2.1 A/AA findings of axe-core on the current page."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {
               runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               resultTypes: ["violations"]})).violations
             .filter(v => v.impact === "serious" || v.impact === "critical")
             .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(" ")).join(", ")}`)"""
    )
    return [f"{page.url} {finding}" for finding in found]
