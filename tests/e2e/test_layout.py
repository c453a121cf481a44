"""The key pages as a shopper sees them on a phone and a laptop: screenshots at 390 and 1280
pixels (tests/artifacts/screenshots/), no sideways scrolling down to 320 pixels, the checkout's
totals before its payment step, and the error summary focused after a failed submit."""

import pytest
from playwright.sync_api import expect

from tests.e2e import steps
from tests.factories import PageFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": 390, "laptop": 1280}
NARROWEST = 320

OVERFLOW_JS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def no_sideways_scroll(page, name):
    """The page fits 320 px: nothing sticks out to the right."""
    page.set_viewport_size({"width": NARROWEST, "height": 800})
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {NARROWEST}px"


def shoot(page, screenshot, name):
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"{name}-{label}")
    no_sideways_scroll(page, name)


def test_a_purchase_looks_right_on_a_phone_and_a_laptop(page, catalog, screenshot):
    # (browser tests empty the database between tests: the default pages are made again)
    PageFactory(slug="shipping-returns", title="Shipping & returns", body="## Shipping\n\nFast.")
    for name, path in [
        ("home", "/"),
        ("listing", "/products/"),
        ("category", catalog.footwear.get_absolute_url()),
        ("product", catalog.shoe.get_absolute_url()),
        ("content-page", "/pages/shipping-returns/"),
    ]:
        page.goto(path)
        shoot(page, screenshot, name)

    page.goto(catalog.shoe.get_absolute_url())
    steps.choose_option(page, "Size", "43")
    steps.add_to_cart(page, 2)
    page.goto(catalog.mug.get_absolute_url())
    steps.add_to_cart(page, 1)
    steps.open_cart(page)
    shoot(page, screenshot, "cart")

    # an empty checkout: the summary lists each error as a link, and has the focus
    page.get_by_role("link", name="Checkout").click()
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 900})
    page.get_by_role("button", name="Place order").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Enter your postal code")).to_be_visible()
    shoot(page, screenshot, "checkout-errors")
    summary.get_by_role("link", name="Enter your postal code").click()
    address = page.get_by_role("group", name="Shipping address")
    expect(address.get_by_label("Postal code", exact=True)).to_be_focused()

    # on a phone the totals come before the payment step and "Place order"
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 900})
    total_top = page.get_by_text("Total", exact=True).bounding_box()["y"]
    payment_top = page.get_by_role("group", name="Payment").bounding_box()["y"]
    place_top = page.get_by_role("button", name="Place order").bounding_box()["y"]
    assert total_top < payment_top < place_top

    # the billing address shows only when it differs (CSS alone, no JavaScript needed)
    billing = page.get_by_role("group", name="Billing address")
    expect(billing).to_be_hidden()
    page.get_by_label("Billing address same as shipping").uncheck()
    expect(billing).to_be_visible()
    page.get_by_label("Billing address same as shipping").check()

    page.get_by_label("Email", exact=True).fill("looks@example.com")
    steps.fill_shipping_address(page)
    steps.choose_first_shipping_method(page)
    steps.fill_card(page)
    shoot(page, screenshot, "checkout")
    steps.place_order(page)
    shoot(page, screenshot, "thank-you")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Order")
    shoot(page, screenshot, "order")


def test_the_filter_panel_is_collapsed_on_a_phone_and_open_on_a_laptop(page, catalog):
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 800})
    page.goto("/products/")
    expect(page.get_by_label("In stock only", exact=True)).to_be_hidden()
    page.get_by_text("Filter and refine").click()
    expect(page.get_by_label("In stock only", exact=True)).to_be_visible()

    page.set_viewport_size({"width": WIDTHS["laptop"], "height": 800})
    page.reload()
    expect(page.get_by_label("In stock only", exact=True)).to_be_visible()
