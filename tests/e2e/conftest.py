"""Browser journeys: one headless Chromium per session, one context per test, against
pytest-django's live server on PostgreSQL.

Everything a journey does goes through what a person sees (roles, labels and button texts of
the shop's contract). The data a journey needs is made beforehand with the factories
(tests/e2e/data.py); the database is read afterwards only to check the books.
"""

import os
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, require
from tests.e2e.data import Catalog
from tests.factories import UserFactory

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run inside
# one unless told that this is deliberate (the tests never await anything).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, live_server, postgres):
    """Factory for fresh browser contexts (own cookies) pointed at the live server. Requests
    anywhere else are refused and fail the test: the shop loads nothing from outside."""
    contexts = []
    outside = []

    def refuse(route):
        outside.append(route.request.url)
        route.abort()

    def make(allow=(), **options):
        """`allow`: other origins the journey visits on purpose (e.g. the fake Stripe)."""
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, **options
        )
        context.set_default_timeout(10_000)
        allowed = (live_server.url, *allow)
        context.route(lambda url: not url.startswith(allowed), refuse)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert not outside, f"pages requested outside addresses: {outside}"


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def screenshot(request):
    """`screenshot(page, "cart")` saves a full-page PNG under tests/artifacts/screenshots/."""
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    taken = []

    def take(page, name):
        taken.append(name)
        path = folder / f"{len(taken):02d}-{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def catalog(live_server, postgres):
    return Catalog()


@pytest.fixture
def staff_user():
    return UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
