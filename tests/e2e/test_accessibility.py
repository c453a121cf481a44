"""Accessibility and markup of the customer's pages: axe-core, headings, titles, labels, focus,
and a checkout done with the keyboard alone."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from orders.models import Order
from tests.e2e import steps
from tests.factories import DEFAULT_PASSWORD, OrderFactory, OrderLineFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BLOCKING_IMPACTS = {"serious", "critical"}

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
    if title_names.lower() not in title.lower():
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


def test_every_customer_page_passes_axe_and_the_markup_rules(new_context, catalog, screenshot):
    customer = UserFactory(email="margaret@example.com")
    order = OrderFactory(customer=customer, email=customer.email, status=Order.Status.PAID)
    OrderLineFactory(order=order, variant=catalog.mug_variant, unit_price=catalog.mug_variant.price)
    page = new_context().new_page()
    problems = []

    def check(name, title_names):
        expect(page.locator("body")).to_be_visible()
        screenshot(page, name)
        problems.extend(markup_problems(page, title_names))

    page.goto("/")
    check("home", "Northwind Goods")
    problems.extend(focus_ring_problems(page))
    page.goto("/products/")
    check("listing", "Products")
    page.goto(catalog.footwear.get_absolute_url())
    check("category", "Footwear")
    page.goto(catalog.shoe.get_absolute_url())
    check("product", "Trail Runner Shoe")
    steps.choose_option(page, "Size", "44")
    steps.add_to_cart(page, 1)
    page.goto("/cart/")
    check("cart", "Cart")
    page.get_by_role("link", name="Checkout").click()
    check("checkout", "Checkout")
    page.goto("/accounts/signup/")
    check("signup", "Sign up")
    page.goto("/accounts/login/")
    check("login", "Log in")
    steps.log_in(page, customer.email, DEFAULT_PASSWORD)
    page.goto(order.get_absolute_url())
    check("order", order.number)

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
        match = re.match(r'- (\w+) "([^"]*)"', snapshot.strip())
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
