"""The cart's "Discount code" form: applying, replacing and removing a code, the messages for
codes that cannot be used, and what the cart says the code does. All without JavaScript."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from promotions.selectors import SESSION_CODE_KEY
from promotions.services import redeem_discount_code
from tests.factories import CategoryFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db

D = Decimal


def messages_of(response):
    """The messages shown after the last step (adding to the cart leaves one of its own)."""
    return [
        str(message)
        for message in response.context["messages"]
        if not str(message).startswith("Added ")
    ]


def test_a_code_is_matched_ignoring_case_and_surrounding_spaces(
    client, add, variant, make_code, apply_code
):
    make_code("SPRING10")
    add(variant, 2)  # 2 x 25.00

    response = apply_code("  spring10 \t")

    html = response.text
    assert response.redirect_chain == [("/cart/", 302)]
    assert messages_of(response) == ["Discount code SPRING10 applied: 10% off."]
    assert client.session[SESSION_CODE_KEY] == "SPRING10"
    assert 'Discount <span class="discount-label">(SPRING10: 10% off)</span>' in html
    assert "−€5.00" in html
    assert "€49.90" in html  # 50.00 + 4.90 - 5.00


def test_the_cart_has_the_discount_code_form_and_remove_once_applied(
    client, add, variant, make_code, apply_code
):
    make_code("SPRING10")
    add(variant)

    before = client.get("/cart/").text
    after = apply_code("SPRING10").text

    assert '<label for="discount-code">Discount code</label>' in before
    assert ">Apply</button>" in before
    assert 'Remove<span class="visually-hidden"> discount code' not in before
    assert 'Remove<span class="visually-hidden"> discount code SPRING10</span>' in after


@pytest.mark.parametrize(
    "text", ["NOPE10", "SPRING1", "SPRING10X", "x" * 200, "BAD\x00CODE", "a b"]
)
def test_a_wrong_code_says_only_that_it_is_not_valid(
    client, add, variant, make_code, apply_code, text
):
    make_code("SPRING10")
    add(variant)

    response = apply_code(text)

    assert response.status_code == 200
    assert messages_of(response) == ["That discount code is not valid."]
    assert SESSION_CODE_KEY not in client.session


def test_inactive_and_not_yet_started_codes_look_like_unknown_ones(
    add, variant, make_code, apply_code
):
    make_code("LATER", starts_at=timezone.now() + timedelta(days=1))
    make_code("OFF", is_active=False)
    add(variant)

    assert messages_of(apply_code("LATER")) == ["That discount code is not valid."]
    assert messages_of(apply_code("OFF")) == ["That discount code is not valid."]


def test_an_empty_code_asks_for_one(add, variant, apply_code):
    add(variant)

    assert messages_of(apply_code("   ")) == ["Enter a discount code."]


def test_an_expired_code_says_so(add, variant, make_code, apply_code):
    make_code(
        "WINTER",
        starts_at=timezone.now() - timedelta(days=30),
        ends_at=timezone.now() - timedelta(days=1),
    )
    add(variant)

    assert messages_of(apply_code("winter")) == ["The discount code WINTER has expired."]


def test_a_used_up_code_says_so(add, variant, make_code, apply_code):
    code = make_code("ONCE", max_uses=1)
    redeem_discount_code(
        code=code, order_number="AAAAAAAA", customer=None, email="a@example.com", amount=D(1)
    )
    add(variant)

    assert messages_of(apply_code("ONCE")) == ["The discount code ONCE has been used up."]


def test_a_customer_who_used_a_code_up_to_the_limit_is_told_so(
    client, add, customer, variant, make_code, apply_code
):
    code = make_code("WELCOME", max_uses_per_customer=1)
    redeem_discount_code(
        code=code, order_number="AAAAAAAA", customer=customer, email=customer.email, amount=D(1)
    )
    client.force_login(customer)
    add(variant)

    assert messages_of(apply_code("WELCOME")) == [
        "You have already used the discount code WELCOME."
    ]


def test_one_code_per_order_a_second_replaces_the_first(
    client, add, variant, make_code, apply_code
):
    make_code("SPRING10")
    make_code("FIVER", kind="amount", value=D(5))
    add(variant)
    apply_code("SPRING10")

    response = apply_code("fiver")

    assert messages_of(response) == [
        "Discount code FIVER applied: €5.00 off. It replaces SPRING10 (one code per order)."
    ]
    assert client.session[SESSION_CODE_KEY] == "FIVER"


def test_remove_takes_the_code_off_the_cart(client, add, variant, make_code, apply_code):
    make_code("SPRING10")
    add(variant)
    apply_code("SPRING10")

    response = client.post("/cart/discount/remove/", follow=True)

    assert messages_of(response) == ["Discount code SPRING10 removed."]
    assert SESSION_CODE_KEY not in client.session
    assert "−€" not in response.text


def test_applying_and_removing_need_a_post(client):
    assert client.get("/cart/discount/").status_code == 405
    assert client.get("/cart/discount/remove/").status_code == 405


def test_applying_codes_is_rate_limited_per_visitor(client, add, variant, make_code, apply_code):
    make_code("SPRING10")
    add(variant)
    for attempt in range(30):
        apply_code(f"GUESS{attempt:03d}")

    response = apply_code("SPRING10")

    assert messages_of(response) == ["Too many discount codes tried. Please try again later."]
    assert SESSION_CODE_KEY not in client.session


def test_a_code_that_expires_while_in_the_cart_is_taken_off_with_a_message(
    client, add, variant, make_code, apply_code
):
    make_code("TODAY", ends_at=timezone.now() + timedelta(hours=1))
    add(variant)
    apply_code("TODAY")

    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        response = client.get("/cart/")

    assert messages_of(response) == [
        "The discount code TODAY has expired. It has been removed from your cart."
    ]
    assert SESSION_CODE_KEY not in client.session
    assert "−€" not in response.text


def test_the_cart_says_how_much_more_a_minimum_subtotal_needs(add, variant, make_code, apply_code):
    make_code("BIG", min_subtotal=D("60.00"))
    add(variant, 2)  # 50.00

    html = apply_code("BIG").text

    assert "Add €10.00 more to use BIG (it needs a subtotal of €60.00)." in html
    assert "−€" not in html


def test_a_code_never_reduces_items_on_promotion_and_the_cart_says_so(
    client, add, make_code, make_promotion, apply_code
):
    tent = VariantFactory(product__name="Tent", price="100.00", stock=5)
    mug = VariantFactory(product__name="Mug", price="10.00", stock=5)
    make_promotion("Tent days", 20, products=[tent.product])
    make_code("SPRING10")
    add(tent)
    add(mug)

    html = apply_code("SPRING10").text

    assert "Tent days: 20% off" in html
    assert "€80.00" in html and "€100.00" in html  # the sale price and the struck regular price
    assert "Items on promotion keep their sale price: SPRING10 does not reduce them." in html
    assert "−€1.00" in html  # 10% of the mug only


def test_a_code_restricted_to_a_category_reduces_its_products_and_its_subcategories(
    add, make_code, apply_code
):
    outdoor = CategoryFactory(name="Outdoor", slug="outdoor")
    tents = CategoryFactory(name="Tents", slug="tents", parent=outdoor)
    tent = VariantFactory(product=ProductFactory(categories=[tents]), price="40.00")
    mug = VariantFactory(product__name="Mug", price="10.00")
    make_code("CAMP", categories=[outdoor])
    add(tent)
    add(mug)

    html = apply_code("CAMP").text

    assert "−€4.00" in html


def test_a_code_for_other_products_says_it_does_not_apply(add, variant, make_code, apply_code):
    make_code("MUGS", products=[ProductFactory()])
    add(variant)

    html = apply_code("MUGS").text

    assert "MUGS does not apply to the items in your cart." in html
