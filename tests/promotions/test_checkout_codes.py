"""Paying with a discount code: the discount on the order and its lines, the use counted in the
same transaction, the per-customer limit by email, and the use given back when the order is
cancelled or its payment declined."""

from decimal import Decimal

import pytest

from orders.emails import build_order_email
from orders.models import Order, OrderEmail
from orders.services import PaymentDeclined, cancel_order
from promotions.models import DiscountCode, Redemption
from promotions.selectors import SESSION_CODE_KEY
from promotions.services import DiscountCodeRejected
from tests.factories import VariantFactory
from tests.orders.helpers import DECLINED_CARD, buy, checkout_data, declined_card

pytestmark = pytest.mark.django_db

D = Decimal


def test_guest_pays_the_discounted_total_and_the_order_keeps_the_discount(
    client, add, variant, make_code
):
    # given a guest with 2 beanies (50.00) and a 10% code in the cart
    code = make_code("SPRING10")
    add(variant, 2)
    client.post("/cart/discount/", {"code": "spring10"})

    # when they place the order
    response = client.post("/checkout/", checkout_data(email="Ada@Example.com"))

    # then they paid 50.00 - 5.00 + 4.90, and the order keeps every figure
    order = Order.objects.get()
    assert response.url == order.get_absolute_url()
    assert (order.subtotal, order.discount, order.shipping_cost, order.total) == (
        D("50.00"),
        D("5.00"),
        D("4.90"),
        D("49.90"),
    )
    assert (order.discount_code, order.discount_description) == ("SPRING10", "10% off")
    line = order.lines.get()
    assert (line.line_total, line.discount, line.vat_amount, line.net_amount) == (
        D("50.00"),
        D("5.00"),
        D("7.18"),  # VAT of the 45.00 paid, at 19%
        D("37.82"),
    )
    # and the use is counted, for the guest's email
    code.refresh_from_db()
    assert code.times_used == 1
    redemption = Redemption.objects.get()
    assert (redemption.order_number, redemption.email, redemption.amount) == (
        order.number,
        "ada@example.com",
        D("5.00"),
    )
    assert SESSION_CODE_KEY not in client.session
    # and the order page and the email show the discount
    html = client.get(order.get_absolute_url()).text
    assert 'Discount <span class="discount-label">(SPRING10: 10% off)</span>' in html
    assert "−€5.00" in html and "€49.90" in html
    email = build_order_email(OrderEmail(order=order, kind=OrderEmail.Kind.CONFIRMATION))
    assert "Discount (SPRING10: 10% off): −€5.00" in email.body
    assert "Total: €49.90" in email.body


def test_later_edits_of_the_code_never_change_a_past_order(variant, make_code):
    code = make_code("SPRING10")
    order = buy(variant, 2, discount_code="SPRING10")

    DiscountCode.objects.filter(pk=code.pk).update(code="RENAMED", value=D(50))

    order.refresh_from_db()
    assert (order.discount, order.discount_code, order.discount_description) == (
        D("5.00"),
        "SPRING10",
        "10% off",
    )


def test_a_guest_who_used_the_code_before_with_the_same_email_is_refused_at_checkout(
    client, add, variant, make_code
):
    make_code("WELCOME", max_uses_per_customer=1)
    buy(variant, 1, discount_code="WELCOME")  # as guest@example.com
    add(variant, 2)
    client.post("/cart/discount/", {"code": "WELCOME"})

    response = client.post("/checkout/", checkout_data(email="GUEST@example.com"))

    assert response.status_code == 200
    assert Order.objects.count() == 1
    assert (
        "You have already used the discount code WELCOME. We have removed it from your cart: "
        "please check the new total and place your order again."
    ) in response.text
    assert SESSION_CODE_KEY not in client.session
    assert "€54.90" in response.text  # the total without the code
    # placing it again goes through, at the full price
    client.post("/checkout/", checkout_data(checkout_token=response.context["checkout_token"]))
    assert Order.objects.latest("pk").total == D("54.90")


def test_a_signed_in_customer_is_limited_by_account_and_by_their_email(
    customer, variant, make_code
):
    make_code("WELCOME", max_uses_per_customer=1)
    # as a guest with the same email, before they had an account
    buy(variant, 1, discount_code="WELCOME", email=customer.email)

    with pytest.raises(DiscountCodeRejected, match="You have already used"):
        buy(variant, 1, customer=customer, discount_code="welcome")


def test_a_code_whose_minimum_is_not_reached_places_the_order_without_counting_a_use(
    variant, make_code
):
    code = make_code("BIG", min_subtotal=D("100.00"))

    order = buy(variant, 1, discount_code="BIG")

    assert (order.discount, order.discount_code, order.total) == (0, "", D("29.90"))
    code.refresh_from_db()
    assert code.times_used == 0
    assert not Redemption.objects.exists()


def test_a_free_shipping_code_waives_shipping_and_its_vat(variant, make_code):
    make_code("SHIPFREE", kind="free_shipping", value=D(0))

    order = buy(variant, 1, discount_code="shipfree", method="express")

    assert (order.shipping_cost, order.shipping_discount, order.discount, order.total) == (
        D("14.90"),
        D("14.90"),
        D("14.90"),
        D("25.00"),
    )
    assert order.shipping_vat == 0
    assert order.discount_description == "Free shipping"


def test_cancelling_an_order_gives_its_use_back_once(variant, make_code):
    code = make_code("ONCE", max_uses=1)
    order = buy(variant, 1, discount_code="ONCE")
    with pytest.raises(DiscountCodeRejected, match="has been used up"):
        buy(variant, 1, discount_code="ONCE")

    cancel_order(order=order)

    code.refresh_from_db()
    assert code.times_used == 0
    assert Redemption.objects.get().released_at is not None
    again = buy(variant, 1, discount_code="ONCE")
    assert again.discount == D("2.50")
    code.refresh_from_db()
    assert code.times_used == 1


def test_a_declined_payment_gives_the_use_back(variant, make_code):
    code = make_code("ONCE", max_uses=1)

    with pytest.raises(PaymentDeclined):
        buy(variant, 1, discount_code="ONCE", card=declined_card())

    code.refresh_from_db()
    assert code.times_used == 0
    assert not Order.objects.exists()
    assert buy(variant, 1, discount_code="ONCE").discount == D("2.50")


def test_a_declined_card_at_checkout_keeps_the_code_in_the_cart(client, add, variant, make_code):
    make_code("SPRING10")
    add(variant, 2)
    client.post("/cart/discount/", {"code": "SPRING10"})

    response = client.post("/checkout/", checkout_data(card_number=DECLINED_CARD))

    assert "Your card was declined." in response.text
    assert client.session[SESSION_CODE_KEY] == "SPRING10"
    assert "−€5.00" in response.text


def test_an_order_of_items_on_promotion_pays_the_sale_price_and_names_the_promotion(
    make_promotion,
):
    tent = VariantFactory(product__name="Tent", price="100.00", stock=5)
    promotion = make_promotion("Tent days", 20, products=[tent.product])

    order = buy(tent, 1)

    line = order.lines.get()
    assert (line.unit_price, line.line_total, line.promotion, line.promotion_label) == (
        D("80.00"),
        D("80.00"),
        promotion,
        "Tent days: 20% off",
    )
