"""What every browser test shares: Debian's Chromium driven by Playwright, the two screen sizes
the site is designed for, the Content-Security-Policy watch, axe-core's accessibility check and
screenshots kept in artifacts/screenshots/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# The same folder as tests/conftest.py's (not imported from there: conftest imports this).
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
SIZES = {"phone": PHONE, "desktop": DESKTOP}


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    # Playwright's synchronous API runs an event loop in this thread; the test's own database
    # reads between browser steps are plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()
        # Queries made while Playwright ran used a connection of their own (Playwright's
        # greenlet has its own context); close it, or the test database cannot be dropped.
        from django.db import connections

        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class PolicyWatch:
    """Collects what Chromium reports on the console of watched pages about the
    Content-Security-Policy: anything the policy blocked."""

    def __init__(self):
        self.violations: list[str] = []

    def __call__(self, page):
        def heard(message):
            if "Content Security Policy" in message.text:
                self.violations.append(f"{page.url}: {message.text}")

        page.on("console", heard)
        return page


@pytest.fixture
def csp():
    return PolicyWatch()


def log_in(context, live_server, user) -> None:
    """The browser gets the session of a login made through Django's test client."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def shot(page, name: str) -> None:
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def axe_violations(page) -> list[str]:
    """axe-core's violations on the page as it is now, one readable line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in results["violations"]
    ]


def check_page(page, name: str) -> None:
    """Screenshot the page for the artifacts and fail on any axe-core violation."""
    shot(page, name)
    assert axe_violations(page) == []
