"""Every key page is valid HTML by the Nu HTML checker (vnu.jar from npm, run with Java): the
pages as served, including forms showing errors and the thank-you page. One checker run for
all pages keeps it to a few seconds."""

import json
import shutil
import subprocess
from decimal import Decimal

import pytest

from catalog.services import refresh_products
from tests.conftest import ROOT, require
from tests.factories import CategoryFactory, ProductFactory, VariantFactory
from tests.orders.helpers import checkout_data

pytestmark = pytest.mark.django_db

VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def nu_checker_errors(pages, folder):
    """{page name: [messages]} for pages with errors (the checker's JSON output)."""
    for name, html in pages.items():
        (folder / f"{name}.html").write_text(html)
    run = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", str(folder)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    errors = {}
    for message in json.loads(run.stderr or '{"messages": []}')["messages"]:
        page = message["url"].rsplit("/", 1)[-1]
        errors.setdefault(page, []).append(f"{message.get('lastLine')}: {message['message']}")
    return errors


def test_key_pages_have_no_nu_html_checker_errors(client, tmp_path):
    require(shutil.which("java"), "Java is not installed (the Nu HTML checker runs on it)")
    require(VNU_JAR.exists(), f"{VNU_JAR} is missing: run `npm ci`")

    # given a small catalog and a visitor with two things in the cart
    kitchen = CategoryFactory(name="Kitchen", slug="kitchen")
    pan = ProductFactory(name="Cast Iron Pan", slug="pan", brand="Oakridge", categories=[kitchen])
    for position, size in enumerate(["20 cm", "24 cm"]):
        VariantFactory(product=pan, options={"Size": size}, price=Decimal("39.00"), stock=9,
                       position=position)  # fmt: skip
    mug = ProductFactory(name="Enamel Mug", slug="mug", categories=[kitchen])
    mug_variant = VariantFactory(product=mug, price=Decimal("12.50"), stock=3)
    refresh_products()
    pages = {
        "home": client.get("/"),
        "listing": client.get("/products/", {"sort": "price", "in_stock": "1"}),
        "category": client.get("/categories/kitchen/"),
        "search": client.get("/products/", {"q": "pan"}),
        "product": client.get("/products/pan/"),
        "product-single": client.get("/products/mug/"),
        "content-page": client.get("/pages/shipping-returns/"),
        "signup-errors": client.post("/accounts/signup/", {"email": "no"}),
        "login": client.get("/accounts/login/"),
        "not-found": client.get("/no-such-page/"),
    }
    client.post("/cart/add/", {"variant": mug_variant.pk, "quantity": 2})
    pages["cart"] = client.get("/cart/")
    pages["checkout"] = client.get("/checkout/")
    pages["checkout-errors"] = client.post("/checkout/", {"checkout_token": "x" * 43})
    placed = client.post("/checkout/", checkout_data())
    pages["thank-you"] = client.get(placed.url)
    pages["order"] = client.get(placed.url)

    # when the Nu HTML checker reads them all
    errors = nu_checker_errors({name: page.text for name, page in pages.items()}, tmp_path)

    # then none has an error
    assert all(page.status_code in (200, 404) for page in pages.values())
    assert not errors, json.dumps(errors, indent=2)
