"""Browser tests: real pages in Debian's Chromium through Playwright (no browser download),
with axe-core (from npm) checking WCAG 2.1 A/AA on every page visited."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the tests talk to the database from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[4]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "var" / "screenshots"
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
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


_AXE_SOURCE: list[str] = []


def _axe_source() -> str:
    if not _AXE_SOURCE:
        _AXE_SOURCE.append(AXE.read_text() + "\n;true")
    return _AXE_SOURCE[0]


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="session")
def browser() -> Iterator:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; .ci/run installs Debian's chromium package.")
        pytest.skip(
            "Chromium is not installed here (apt-get install chromium); CI runs these tests."
        )
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make assets` (npm ci).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visitor:
    """One person in the browser: logs in, visits pages, checks each page with axe."""

    def __init__(self, browser, base_url: str, *, viewport=(1280, 900), locale="nl-NL"):
        self.context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, locale=locale
        )
        self.page = self.context.new_page()
        self.base_url = base_url
        self.checked: list[str] = []
        self.console_errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))

    def go(self, path: str, *, check: bool = True):
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status < 400, (
            f"{path}: HTTP {response and response.status}"
        )
        if check:
            self.axe()
        return response

    def login(self, username: str, password: str = "demo"):
        self.go("/inloggen/")
        self.page.get_by_label("Gebruikersnaam").fill(username)
        self.page.get_by_label("Wachtwoord").fill(password)
        self.page.get_by_role("button", name="Inloggen").click()
        self.page.wait_for_load_state()
        self.axe()
        return self

    def axe(self) -> None:
        """Zero WCAG 2.1 A/AA violations on the page as it is now."""
        # evaluate() runs through the DevTools protocol, so axe needs no hole in our strict CSP
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(_axe_source())
        result = self.page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            WCAG_TAGS,
        )
        violations = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
        ]
        self.checked.append(self.page.url)
        csp = [e for e in self.console_errors if "Content Security Policy" in e]
        assert csp == [], f"CSP violations on {self.page.url}: {csp}"
        assert violations == [], f"axe on {self.page.url}:\n{json.dumps(violations, indent=2)}"

    def in_place(self, do) -> None:
        """Run `do` (a click or key press on a boosted form) and wait until htmx has swapped <main>."""
        before = self.page.evaluate("Number(document.documentElement.dataset.raSwaps || 0)")
        do()
        self.page.wait_for_function(
            "n => Number(document.documentElement.dataset.raSwaps || 0) > n", arg=before
        )
        self.axe()

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, live_server):
    """visit() opens a fresh browser context (a new person) on the live server."""
    opened: list[Visitor] = []

    def open_visitor(**kwargs) -> Visitor:
        visitor = Visitor(browser, live_server.url, **kwargs)
        opened.append(visitor)
        return visitor

    yield open_visitor
    for visitor in opened:
        visitor.close()
