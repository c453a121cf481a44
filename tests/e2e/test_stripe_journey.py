"""A Stripe-mode purchase in a real browser with JavaScript off: the shop never sees the card,
the customer pays on (a fake of) Stripe's hosted page, and Stripe's webhook arrives by itself."""

import re

import pytest
from playwright.sync_api import expect

from catalog.models import Variant
from orders.models import Order, OrderEmail
from tests.e2e import steps

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_guest_without_javascript_cancels_then_pays_on_stripe(
    new_context, catalog, live_server, stripe_fake, settings, screenshot
):
    settings.SITE_URL = live_server.url
    stripe_fake.deliver_to = f"{live_server.url}/payments/stripe/webhook/"
    page = new_context(java_script_enabled=False, allow=(stripe_fake.base_url,)).new_page()

    # given a guest with two beanies in the cart at a checkout that asks for no card
    page.goto(catalog.beanie.get_absolute_url())
    steps.add_to_cart(page, 2)
    steps.open_cart(page)
    page.get_by_role("link", name="Checkout").click()
    expect(page.get_by_label("Card number", exact=True)).to_have_count(0)
    page.get_by_label("Email", exact=True).fill("stripe@example.com")
    steps.fill_shipping_address(page)
    steps.choose_first_shipping_method(page)
    screenshot(page, "checkout")

    # when they place the order they are on Stripe's page; they change their mind and cancel
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay 54.90 EUR")
    assert page.url.startswith(f"{stripe_fake.base_url}/pay/cs_test_")
    page.get_by_role("button", name="Cancel").click()

    # then their cart is as it was and the stock is back
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cart")
    expect(page.locator("main")).to_contain_text("Payment cancelled: nothing was charged.")
    expect(page.get_by_label("Quantity", exact=True)).to_have_value("2")
    assert Variant.objects.get(pk=catalog.beanie_variant.pk).stock == 20
    screenshot(page, "cancelled")

    # when they check out again, a card is declined on Stripe's page, then another pays
    page.get_by_role("link", name="Checkout").click()
    page.get_by_label("Email", exact=True).fill("stripe@example.com")
    steps.fill_shipping_address(page)
    steps.choose_first_shipping_method(page)
    page.get_by_role("button", name="Place order").click()
    page.get_by_role("button", name="Pay with a declined card").click()
    expect(page.get_by_role("alert")).to_have_text("Your card was declined.")
    screenshot(page, "declined-on-stripe")
    page.get_by_role("button", name="Pay", exact=True).click()

    # then they are thanked for the order, which the page confirms once Stripe's webhook is in
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    number = re.search(steps.ORDER_NUMBER, page.locator("main").inner_text()).group(1)
    expect(page.locator("main")).to_contain_text(f"Order {number} is paid.", timeout=15_000)
    screenshot(page, "thank-you")
    expect(page.get_by_role("link", name=steps.CART_LINK)).to_contain_text("0")

    # and the books: one paid order, one cancelled, one confirmation, stock down by two
    order = Order.objects.get(number=number)
    assert order.status == Order.Status.PAID
    assert order.payment_last4 == "4242"
    assert Order.objects.filter(status=Order.Status.CANCELLED).count() == 1
    assert OrderEmail.objects.filter(kind=OrderEmail.Kind.CONFIRMATION).count() == 1
    assert Variant.objects.get(pk=catalog.beanie_variant.pk).stock == 18
