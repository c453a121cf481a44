"""Customer and staff journeys through a real browser, as a person would click them."""

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order, OrderEmail
from tests.e2e import steps
from tests.e2e.data import paid_order
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.two_factor import current_code, give_authenticator

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_guest_searches_filters_and_buys_a_shoe_in_two_sizes_worth(page, catalog, screenshot):
    # given a guest on the home page
    page.goto("/")
    screenshot(page, "home")

    # when they search, narrow the results to what is in stock and open the shoe
    page.get_by_label("Search", exact=True).fill("runner")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Trail Runner Shoe").first).to_be_visible()
    expect(page.get_by_role("link", name="Road Runner Shoe").first).to_be_visible()
    expect(page.get_by_role("link", name="Enamel Mug")).to_have_count(0)
    screenshot(page, "search-results")
    steps.filter_in_stock(page)
    expect(page.get_by_role("link", name="Road Runner Shoe")).to_have_count(0)
    screenshot(page, "filtered")
    steps.open_product(page, "Trail Runner Shoe")

    # and add two of size 43, then make it three in the cart
    steps.choose_option(page, "Size", "43")
    steps.add_to_cart(page, 2)
    expect(page.get_by_role("link", name=steps.CART_LINK)).to_contain_text("2")
    screenshot(page, "product-added")
    steps.open_cart(page)
    page.get_by_label("Quantity", exact=True).fill("3")
    page.get_by_role("button", name="Update").click()
    expect(page.get_by_role("link", name=steps.CART_LINK)).to_contain_text("3")
    expect(page.locator("main")).to_contain_text("€267.00")  # 3 x €89.00
    screenshot(page, "cart")

    # and check out as a guest
    page.get_by_role("link", name="Checkout").click()
    page.get_by_label("Email", exact=True).fill("guest@example.com")
    steps.fill_shipping_address(page)
    steps.choose_first_shipping_method(page)
    steps.fill_card(page)
    screenshot(page, "checkout")
    number = steps.place_order(page)
    screenshot(page, "thank-you")

    # then the order is paid for exactly what was in the cart and the stock went down
    order = Order.objects.get(number=number)
    assert order.status == Order.Status.PAID
    assert order.email == "guest@example.com"
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [("TRS-43", 3)]
    catalog.shoe_sizes["43"].refresh_from_db()
    assert catalog.shoe_sizes["43"].stock == 7
    assert OrderEmail.objects.filter(order=order, kind=OrderEmail.Kind.CONFIRMATION).count() == 1
    expect(page.get_by_role("link", name=steps.CART_LINK)).to_contain_text("0")


def test_customer_signs_up_keeps_the_cart_across_logins_and_finds_the_order(
    page, catalog, screenshot
):
    email, password = "grace@example.com", "an-unguessable-passphrase-42"

    # given a new customer who signs up and puts a beanie in the cart
    page.goto("/")
    steps.sign_up(page, email, password)
    screenshot(page, "signed-up")
    page.goto(catalog.beanie.get_absolute_url())
    steps.add_to_cart(page, 1)

    # when they log out, add a mug as a visitor and log in again
    steps.log_out(page)
    expect(page.get_by_role("link", name=steps.CART_LINK)).to_contain_text("0")
    page.goto(catalog.mug.get_absolute_url())
    steps.add_to_cart(page, 2)
    steps.log_in(page, email, password)

    # then the cart holds both
    steps.open_cart(page)
    expect(page.locator("main")).to_contain_text("Merino Beanie")
    expect(page.locator("main")).to_contain_text("Enamel Mug")
    expect(page.get_by_role("link", name=steps.CART_LINK)).to_contain_text("3")
    screenshot(page, "merged-cart")

    # when they save an address in the address book
    page.goto("/accounts/addresses/")
    steps.add_address(page, full_name="Grace Hopper")
    screenshot(page, "address-book")

    # then checkout fills it in, and the order is found under My account
    steps.open_cart(page)
    page.get_by_role("link", name="Checkout").click()
    address = page.get_by_role("group", name="Shipping address")
    expect(address.get_by_label("Full name", exact=True)).to_have_value("Grace Hopper")
    expect(address.get_by_label("City", exact=True)).to_have_value("Berlin")
    steps.choose_first_shipping_method(page)
    steps.fill_card(page)
    screenshot(page, "checkout-with-saved-address")
    number = steps.place_order(page)

    page.get_by_role("link", name="My account", exact=True).click()
    steps.open_my_orders(page)
    expect(page.get_by_role("link", name=re.compile(number))).to_be_visible()
    screenshot(page, "my-orders")
    order = Order.objects.get(number=number)
    assert order.customer.email == email
    assert order.shipping_full_name == "Grace Hopper"


def test_declined_card_says_so_and_leaves_the_cart_intact(page, catalog, screenshot):
    # given a guest with two beanies in the cart at checkout
    page.goto(catalog.beanie.get_absolute_url())
    steps.add_to_cart(page, 2)
    steps.open_cart(page)
    page.get_by_role("link", name="Checkout").click()
    page.get_by_label("Email", exact=True).fill("unlucky@example.com")
    steps.fill_shipping_address(page)
    steps.choose_first_shipping_method(page)

    # when the card is declined
    steps.fill_card(page, steps.DECLINED_CARD)
    page.get_by_role("button", name="Place order").click()

    # then they are told, nothing is sold, and the cart still holds both beanies
    expect(page.get_by_text("Your card was declined.")).to_be_visible()
    screenshot(page, "declined")
    assert not Order.objects.filter(status=Order.Status.PAID).exists()
    catalog.beanie_variant.refresh_from_db()
    assert catalog.beanie_variant.stock == 20
    steps.open_cart(page)
    expect(page.get_by_label("Quantity", exact=True)).to_have_value("2")
    expect(page.get_by_role("link", name=steps.CART_LINK)).to_contain_text("2")
    screenshot(page, "cart-after-decline")


def test_staff_marks_an_order_shipped_and_the_customer_sees_it(
    new_context, catalog, staff_user, screenshot
):
    # given a paid order of a customer
    customer = UserFactory(email="linus@example.com")
    order = paid_order(customer, catalog.mug_variant)

    # when staff (with an authenticator app) mark it shipped in the admin
    authenticator = give_authenticator(staff_user)
    staff = new_context().new_page()
    staff.goto("/admin/")
    staff.get_by_label(re.compile("email", re.I)).fill(staff_user.email)
    staff.get_by_label(re.compile("password", re.I)).fill(DEFAULT_PASSWORD)
    staff.get_by_role("button", name=re.compile("log in", re.I)).click()
    # and pass the second step with a code from their authenticator app
    staff.get_by_label("Code", exact=True).fill(current_code(authenticator))
    staff.get_by_role("button", name="Verify").click()
    staff.get_by_role("rowheader", name="Orders", exact=True).get_by_role("link").click()
    staff.get_by_role("row").filter(has_text=order.number).get_by_role("checkbox").check()
    staff.get_by_role("combobox", name=re.compile("^Action")).select_option(label="Mark as shipped")
    screenshot(staff, "admin-orders")
    staff.get_by_role("button", name="Run", exact=True).click()
    staff.get_by_label(f"Tracking number for {order.number}").fill("TRACK-0042")
    screenshot(staff, "admin-tracking-number")
    staff.get_by_role("button", name="Mark as shipped").click()
    expect(staff.get_by_text(re.compile("marked as shipped"))).to_be_visible()
    screenshot(staff, "admin-shipped")

    # then the customer's order page says Shipped
    page = new_context().new_page()
    page.goto("/")
    steps.log_in(page, customer.email, DEFAULT_PASSWORD)
    page.get_by_role("link", name="My account", exact=True).click()
    steps.open_my_orders(page)
    page.get_by_role("link", name=re.compile(order.number)).click()
    expect(page.locator("main")).to_contain_text("Shipped")
    screenshot(page, "customer-order-shipped")
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    assert order.tracking_number == "TRACK-0042"
    assert order.emails.filter(kind=OrderEmail.Kind.SHIPPED).count() == 1


def test_the_whole_purchase_works_without_javascript(new_context, catalog, screenshot):
    page = new_context(java_script_enabled=False).new_page()

    # given a visitor without JavaScript browsing from the home page
    page.goto("/")
    page.get_by_label("Search", exact=True).fill("beanie")
    page.get_by_role("button", name="Search").click()
    steps.open_product(page, "Merino Beanie")
    steps.add_to_cart(page, 2)
    steps.open_cart(page)
    page.get_by_label("Quantity", exact=True).fill("1")
    page.get_by_role("button", name="Update").click()
    expect(page.get_by_label("Quantity", exact=True)).to_have_value("1")
    screenshot(page, "cart")

    # when they check out
    page.get_by_role("link", name="Checkout").click()
    page.get_by_label("Email", exact=True).fill("nojs@example.com")
    steps.fill_shipping_address(page)
    steps.choose_first_shipping_method(page)
    steps.fill_card(page)
    screenshot(page, "checkout")
    number = steps.place_order(page)
    screenshot(page, "thank-you")

    # then the order is paid
    order = Order.objects.get(number=number)
    assert order.status == Order.Status.PAID
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [("BEANIE-1", 1)]
