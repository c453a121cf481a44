"""What a customer does, step by step, through accessible names only (see CONTRACT.md)."""

import re

from playwright.sync_api import Page, expect

CART_LINK = re.compile(r"^Cart\b")
ORDER_NUMBER = re.compile(r"Order ([ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8})\b")
APPROVED_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"


def cart_count(page: Page) -> int:
    """The number of units the header's "Cart" link shows."""
    text = page.get_by_role("link", name=CART_LINK).inner_text()
    return int(re.search(r"\d+", text).group())


def open_product(page: Page, name: str):
    page.get_by_role("link", name=name).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def filter_in_stock(page: Page):
    page.get_by_label("In stock only", exact=True).check()
    page.get_by_role("button", name="Apply filters").click()


def choose_option(page: Page, option_name: str, value: str):
    """Pick a variant in the select labelled with the option's name (e.g. "Size")."""
    select = page.get_by_label(option_name, exact=True)
    labels = select.locator("option").all_inner_texts()
    label = next(text for text in labels if re.search(rf"\b{re.escape(value)}\b", text))
    select.select_option(label=label)


def add_to_cart(page: Page, quantity: int = 1):
    page.get_by_label("Quantity", exact=True).fill(str(quantity))
    page.get_by_role("button", name="Add to cart").click()


def open_cart(page: Page):
    page.get_by_role("link", name=CART_LINK).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cart")


def sign_up(page: Page, email: str, password: str):
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Confirm password", exact=True).fill(password)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("link", name="My account", exact=True)).to_be_visible()


def log_in(page: Page, email: str, password: str):
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="My account", exact=True)).to_be_visible()


def log_out(page: Page):
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def fill_shipping_address(page: Page, *, full_name="Ada Lovelace", country="DE"):
    address = page.get_by_role("group", name="Shipping address")
    address.get_by_label("Full name", exact=True).fill(full_name)
    address.get_by_label("Address line 1", exact=True).fill("Unter den Linden 1")
    address.get_by_label("City", exact=True).fill("Berlin")
    address.get_by_label("Postal code", exact=True).fill("10117")
    address.get_by_label("Country", exact=True).select_option(country)


def choose_first_shipping_method(page: Page):
    page.get_by_role("group", name="Shipping method").get_by_role("radio").first.check()


def fill_card(page: Page, number: str = APPROVED_CARD):
    page.get_by_label("Card number", exact=True).fill(number)
    page.get_by_label("Expiry (MM/YY)", exact=True).fill("12/39")
    page.get_by_label("CVC", exact=True).fill("123")


def place_order(page: Page) -> str:
    """Click "Place order", expect the thank-you page and return the order number shown."""
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    match = ORDER_NUMBER.search(page.locator("main").inner_text())
    assert match, "the thank-you page does not show 'Order <number>'"
    return match.group(1)


def add_address(page: Page, *, full_name: str):
    """From the address book: add a default shipping address in Berlin."""
    page.get_by_role("link", name="Add an address").click()
    page.get_by_label("Full name", exact=True).fill(full_name)
    page.get_by_label("Address line 1", exact=True).fill("Unter den Linden 1")
    page.get_by_label("City", exact=True).fill("Berlin")
    page.get_by_label("Postal code", exact=True).fill("10117")
    page.get_by_label("Country", exact=True).select_option("DE")
    page.get_by_label("Use as my default shipping address").check()
    page.get_by_role("button", name="Save address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Address book")
    expect(page.locator("main")).to_contain_text(full_name)


def open_my_orders(page: Page):
    """From "My account", follow the link to the customer's orders."""
    page.get_by_role("link", name="My orders").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("orders")
