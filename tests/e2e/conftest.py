"""Browser journeys: one headless Chromium per session, one context per test, against
pytest-django's live server on PostgreSQL.

Everything a journey does goes through what a person sees (roles, labels, button texts from
/work/shared/CONTRACT.md); the database is only read afterwards to check the books.
"""

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import ROOT, require
from tests.factories import CategoryFactory, ProductFactory, UserFactory, VariantFactory

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
    """Factory for fresh browser contexts (own cookies) pointed at the live server."""
    contexts = []

    def make(**options):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, **options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


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


class Catalog:
    """The handful of products the journeys buy, made directly with the factories."""

    def __init__(self):
        self.apparel = CategoryFactory(name="Apparel", slug="apparel")
        self.footwear = CategoryFactory(name="Footwear", slug="footwear", parent=self.apparel)
        self.kitchen = CategoryFactory(name="Kitchen", slug="kitchen")

        self.shoe = ProductFactory(
            name="Trail Runner Shoe",
            slug="trail-runner-shoe",
            description="A light running shoe with a grippy sole for muddy trails.",
            brand="Stride",
            min_price=Decimal("89.00"),
            categories=[self.footwear],
        )
        self.shoe_sizes = {
            size: VariantFactory(
                product=self.shoe,
                sku=f"TRS-{size}",
                options={"Size": size},
                price=Decimal("89.00"),
                stock=10,
                position=position,
            )
            for position, size in enumerate(["42", "43", "44"])
        }
        self.road_shoe = ProductFactory(
            name="Road Runner Shoe",
            slug="road-runner-shoe",
            description="A cushioned running shoe for tarmac; currently sold out.",
            brand="Stride",
            min_price=Decimal("79.00"),
            categories=[self.footwear],
        )
        VariantFactory(product=self.road_shoe, sku="RRS-1", price=Decimal("79.00"), stock=0)

        self.beanie = ProductFactory(
            name="Merino Beanie",
            slug="merino-beanie",
            description="A warm merino wool beanie.",
            brand="Woolly",
            min_price=Decimal("25.00"),
            categories=[self.apparel],
        )
        self.beanie_variant = VariantFactory(
            product=self.beanie, sku="BEANIE-1", price=Decimal("25.00"), stock=20
        )
        self.mug = ProductFactory(
            name="Enamel Mug",
            slug="enamel-mug",
            description="A camping mug that survives being dropped.",
            brand="Camp",
            min_price=Decimal("12.50"),
            categories=[self.kitchen],
        )
        self.mug_variant = VariantFactory(
            product=self.mug, sku="MUG-1", price=Decimal("12.50"), stock=30
        )


@pytest.fixture
def catalog(live_server, postgres):
    return Catalog()


@pytest.fixture
def staff_user():
    return UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
