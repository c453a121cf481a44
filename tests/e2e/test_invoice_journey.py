"""A customer buys, then downloads the invoice from the order's page, as a person would."""

import pytest
from playwright.sync_api import expect

from billing.models import Invoice
from tests.billing.conftest import pdf_text
from tests.e2e import steps
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_customer_downloads_the_invoice_of_their_order(page, catalog, screenshot, settings):
    settings.SHOP_SELLER_NAME = "Northwind Goods GmbH"
    settings.SHOP_SELLER_ADDRESS = "Hafenstrasse 12, 20457 Hamburg, Germany"
    customer = UserFactory(email="grace@example.com", full_name="Grace Hopper")

    # given a signed-in customer who buys a beanie
    page.goto("/")
    steps.log_in(page, customer.email, DEFAULT_PASSWORD)
    page.goto(catalog.beanie.get_absolute_url())
    steps.add_to_cart(page, 2)
    steps.open_cart(page)
    page.get_by_role("link", name="Checkout").click()
    steps.fill_shipping_address(page, full_name="Grace Hopper")
    steps.choose_first_shipping_method(page)
    steps.fill_card(page)
    number = steps.place_order(page)

    # when they come back to the order from their orders and download the invoice
    page.goto("/")
    page.get_by_role("link", name="My account").click()
    steps.open_my_orders(page)
    page.get_by_role("link", name=f"Order {number}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {number}")
    screenshot(page, "order-with-invoice-link")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download invoice (PDF)").click()

    # then they have the PDF of their invoice, with their order and its VAT
    invoice = Invoice.objects.get(order__number=number)
    assert download.value.suggested_filename == f"invoice-{invoice.number}.pdf"
    text = pdf_text(download.value.path().read_bytes())
    assert f"Invoice {invoice.number}" in text
    assert f"Order number {number}" in text
    assert "Grace Hopper" in text and "Northwind Goods GmbH" in text
    assert "Merino Beanie" in text
    assert "VAT 19%" in text
