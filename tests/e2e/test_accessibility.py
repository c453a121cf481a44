"""Accessibility and markup of the customer's pages: axe-core, headings, titles, labels, focus,
and a checkout done with the keyboard alone."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from orders.models import Order
from tests.e2e import steps
from tests.e2e.data import paid_order
from tests.factories import DEFAULT_PASSWORD, PageFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Every axe violation counts, whatever its impact (minor and moderate too).
BLOCKING_IMPACTS = {"minor", "moderate", "serious", "critical"}

# Form controls a person fills in; each needs an accessible name.
UNLABELLED_FIELDS_JS = """
() => [...document.querySelectorAll("input, select, textarea")]
  .filter((el) => !["hidden", "submit", "button", "reset", "image"].includes(el.type))
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
                  && !el.getAttribute("aria-labelledby") && !el.closest("[hidden]"))
  .map((el) => el.outerHTML.slice(0, 200))
"""

FOCUS_RING_JS = """
() => {
  const style = getComputedStyle(document.activeElement);
  if (document.activeElement === document.body) return {tag: "BODY", outline: false, shadow: false};
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  return {tag: document.activeElement.tagName, outline, shadow,
          outlineStyle: style.outlineStyle, outlineWidth: style.outlineWidth};
}
"""


def markup_problems(page: Page, title_names: str) -> list[str]:
    """Everything wrong with the page's structure, as readable sentences (empty when fine)."""
    problems = []
    url = page.url
    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    for violation in blocking:
        targets = "; ".join(", ".join(node["target"]) for node in violation["nodes"][:5])
        problems.append(
            f"{url}: axe {violation['impact']} {violation['id']}: {violation['help']} [{targets}]"
        )
    h1_count = page.locator("h1").count()
    if h1_count != 1:
        problems.append(f"{url}: {h1_count} h1 elements, expected exactly one")
    if not page.locator("html").get_attribute("lang"):
        problems.append(f"{url}: <html> has no lang")
    title = page.title()
    page_part = title.rsplit(" · ", 1)[0]  # "<page> · <shop name>"
    if title_names.lower() not in page_part.lower():
        problems.append(f"{url}: title {title!r} does not name the page ({title_names!r})")
    for field in page.evaluate(UNLABELLED_FIELDS_JS):
        problems.append(f"{url}: field without a label: {field}")
    return problems


def focus_ring_problems(page: Page, stops: int = 6) -> list[str]:
    """Tab through the first links and buttons; each must show a visible focus style."""
    problems = []
    page.locator("body").focus()
    for _ in range(stops):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING_JS)
        if ring["tag"] in {"A", "BUTTON"} and not (ring["outline"] or ring["shadow"]):
            problems.append(f"{page.url}: focused {ring['tag']} has no visible focus style {ring}")
    return problems


def fill_cart(page, catalog):
    page.goto(catalog.shoe.get_absolute_url())
    steps.choose_option(page, "Size", "44")
    steps.add_to_cart(page, 1)
    expect(page.get_by_role("link", name=steps.CART_LINK)).to_contain_text("1")


def open_home(page, catalog):
    page.goto("/")
    return "Home"


def open_listing(page, catalog):
    page.goto("/products/")
    return "Products"


def open_search(page, catalog):
    page.goto("/products/?q=runner")
    return "runner"


def open_category(page, catalog):
    page.goto(catalog.footwear.get_absolute_url())
    return "Footwear"


def open_product(page, catalog):
    page.goto(catalog.shoe.get_absolute_url())
    return "Trail Runner Shoe"


def open_cart(page, catalog):
    fill_cart(page, catalog)
    page.goto("/cart/")
    return "Cart"


def open_checkout(page, catalog):
    fill_cart(page, catalog)
    page.goto("/checkout/")
    return "Checkout"


def open_checkout_with_errors(page, catalog):
    open_checkout(page, catalog)
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    return "Checkout"


def open_thank_you(page, catalog):
    open_checkout(page, catalog)
    page.get_by_label("Email", exact=True).fill("axe@example.com")
    steps.fill_shipping_address(page)
    steps.choose_first_shipping_method(page)
    steps.fill_card(page)
    return steps.place_order(page)


def open_content_page(page, catalog):
    PageFactory(slug="shipping-returns", title="Shipping & returns", body="## Shipping\n\nFast.")
    page.goto("/pages/shipping-returns/")
    return "Shipping & returns"


def open_signup(page, catalog):
    page.goto("/accounts/signup/")
    return "Sign up"


def open_login(page, catalog):
    page.goto("/accounts/login/")
    return "Log in"


def open_order(page, catalog):
    customer = UserFactory(email="margaret@example.com")
    order = paid_order(customer, catalog.mug_variant)
    page.goto("/")
    steps.log_in(page, customer.email, DEFAULT_PASSWORD)
    page.goto(order.get_absolute_url())
    return order.number


def open_password_reset(page, catalog):
    page.goto("/accounts/password-reset/")
    return "password"


def signed_in(page):
    customer = UserFactory(email="ida@example.com")
    page.goto("/")
    steps.log_in(page, customer.email, DEFAULT_PASSWORD)
    return customer


def open_account(page, catalog):
    signed_in(page)
    page.goto("/accounts/")
    return "My account"


def open_address_book(page, catalog):
    signed_in(page)
    page.goto("/accounts/addresses/")
    return "Address book"


def open_order_list(page, catalog):
    customer = signed_in(page)
    paid_order(customer, catalog.beanie_variant)
    page.goto("/orders/")
    return "orders"


def open_not_found(page, catalog):
    page.goto("/no-such-page/")
    return "not found"


@pytest.mark.parametrize(
    "open_page",
    [
        open_home,
        open_listing,
        open_search,
        open_category,
        open_product,
        open_cart,
        open_checkout,
        open_checkout_with_errors,
        open_thank_you,
        open_content_page,
        open_signup,
        open_login,
        open_order,
        open_password_reset,
        open_account,
        open_address_book,
        open_order_list,
        open_not_found,
    ],
    ids=lambda open_page: open_page.__name__.removeprefix("open_"),
)
def test_page_passes_axe_and_the_markup_rules(page, catalog, screenshot, open_page):
    title_names = open_page(page, catalog)
    expect(page.locator("body")).to_be_visible()
    screenshot(page, "page")
    problems = markup_problems(page, title_names) + focus_ring_problems(page)
    assert not problems, "\n".join(problems)


def test_a_customer_can_check_out_with_the_keyboard_alone(page, catalog, screenshot):
    keys = Keyboard(page)

    # given a guest on the beanie's page, using only Tab, typing, Space and Enter
    page.goto(catalog.beanie.get_absolute_url())
    keys.tab_to("Quantity")
    keys.type("2")
    keys.tab_to("Add to cart")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name=steps.CART_LINK)).to_contain_text("2")
    keys.tab_to(steps.CART_LINK)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cart")
    keys.tab_to("Checkout")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Place order")).to_be_visible()

    # when they fill in the checkout form field by field
    keys.tab_to("Email")
    keys.type("keys@example.com")
    for label, value in [
        ("Full name", "Alan Turing"),
        ("Address line 1", "Bletchley Park"),
        ("City", "Milton Keynes"),
        ("Postal code", "MK3 6EB"),
        ("Country", "United Kingdom"),
    ]:
        keys.tab_to(label)
        keys.type(value)
    # Tab enters the shipping method group on its first (or checked) radio; Space picks it.
    keys.tab_to(re.compile(r"."), role="radio")
    page.keyboard.press("Space")
    for label, value in [
        ("Card number", "4242 4242 4242 4242"),
        ("Expiry (MM/YY)", "12/39"),
        ("CVC", "123"),
    ]:
        keys.tab_to(label)
        keys.type(value)
    screenshot(page, "keyboard-checkout")
    keys.tab_to("Place order")
    page.keyboard.press("Enter")

    # then the order is placed
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    screenshot(page, "keyboard-thank-you")
    order = Order.objects.get()
    assert order.shipping_country == "GB"
    assert order.status == Order.Status.PAID


FOCUSED_SNAPSHOT = re.compile(r"- '?(\w+) \"([^\"]*)\"")


class Keyboard:
    """Moves focus with Tab only, reading the focused element's accessible name as a screen
    reader would announce it."""

    MAX_TABS = 150

    def __init__(self, page: Page):
        self.page = page

    def focused_name(self) -> tuple[str, str]:
        if self.page.evaluate("document.activeElement === document.body"):
            return ("", "")
        snapshot = self.page.locator("*:focus").aria_snapshot()
        # e.g. `- textbox "Email"`, or quoted when the name has a colon: `- 'radio "A: B"'`
        match = FOCUSED_SNAPSHOT.match(snapshot.strip())
        return (match.group(1), match.group(2)) if match else ("", snapshot)

    def tab_to(self, name, role: str | None = None):
        seen = []
        for _ in range(self.MAX_TABS):
            self.page.keyboard.press("Tab")
            focused_role, focused = self.focused_name()
            seen.append(f"{focused_role} {focused!r}")
            matches = name.search(focused) if isinstance(name, re.Pattern) else focused == name
            if matches and (role is None or focused_role == role):
                return
        raise AssertionError(f"Tab never reached {name!r}; focus went through: {seen}")

    def type(self, text: str):
        self.page.keyboard.type(text)
