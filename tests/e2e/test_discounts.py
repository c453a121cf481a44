"""A promotion on the catalog and a discount code in the cart, in a browser without JavaScript,
paid at the discounted total with the VAT of the destination."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from orders.models import Order
from promotions.models import Promotion
from promotions.services import apply_promotions
from tests.e2e import steps

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_guest_sees_a_sale_applies_a_code_without_javascript_and_pays_the_discounted_total(
    new_context, catalog, screenshot
):
    # given a promotion on the kitchen and a discount code
    promotion = Promotion.objects.create(
        name="Kitchen week", percent=Decimal(20), starts_at=timezone.now() - timedelta(hours=1)
    )
    promotion.categories.set([catalog.kitchen])
    apply_promotions()
    call_command("create_discount_code", "SAVE20", "--percent", "20", "--max-uses", "10")
    page = new_context(java_script_enabled=False).new_page()

    # when a guest sees the mug on sale and adds two beanies
    page.goto(catalog.kitchen.get_absolute_url())
    card = page.get_by_role("article").filter(has_text="Enamel Mug")
    expect(card).to_contain_text("Sale price €10.00")
    expect(card.locator("del")).to_have_text("Was €12.50")
    screenshot(page, "kitchen-on-sale")
    page.goto(catalog.beanie.get_absolute_url())
    steps.add_to_cart(page, 2)

    # and applies the code, typed in lower case with spaces, in the cart
    steps.open_cart(page)
    page.get_by_label("Discount code", exact=True).fill("  save20 ")
    page.get_by_role("button", name="Apply").click()

    # then the cart shows the discount, the total and the VAT in it
    summary = page.get_by_role("complementary")
    expect(page.get_by_text("Discount code SAVE20 applied: 20% off.")).to_be_visible()
    expect(summary).to_contain_text("Discount (SAVE20: 20% off)")
    expect(summary).to_contain_text("−€10.00")
    expect(summary).to_contain_text("€44.90")  # 50.00 - 10.00 + 4.90
    expect(summary).to_contain_text("Includes VAT 19%")
    expect(page.get_by_role("button", name="Remove discount code SAVE20")).to_be_visible()
    screenshot(page, "cart-with-code")

    # when they check out to France
    page.get_by_role("link", name="Checkout").click()
    page.get_by_label("Email", exact=True).fill("remise@example.com")
    steps.fill_shipping_address(page, country="FR")
    steps.choose_first_shipping_method(page)
    steps.fill_card(page)
    screenshot(page, "checkout-with-code")
    number = steps.place_order(page)

    # then they paid the discounted total, with French VAT, and the page says so
    main = page.locator("main")
    expect(main).to_contain_text("Discount (SAVE20: 20% off)")
    expect(main).to_contain_text("€44.90")
    expect(main).to_contain_text("Includes VAT 20%")
    screenshot(page, "thank-you-with-code")
    order = Order.objects.get(number=number)
    assert (order.total, order.discount, order.discount_code, order.vat_country) == (
        Decimal("44.90"),
        Decimal("10.00"),
        "SAVE20",
        "FR",
    )
