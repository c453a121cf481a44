"""A discount code with Stripe Checkout: Stripe is asked for the discounted total, the use is
counted when the order is placed, and given back when the customer cancels on Stripe's page."""

import pytest

from promotions.models import DiscountCode, Redemption
from promotions.selectors import SESSION_CODE_KEY
from tests.orders.helpers import checkout_data
from tests.payments.conftest import press

pytestmark = pytest.mark.django_db

CARD_FIELDS = {"card_number": None, "card_expiry": None, "card_cvc": None}


def test_stripe_charges_the_discounted_total_and_a_cancel_gives_the_use_back(
    client, stripe_fake, variant, make_code
):
    # given a guest with two beanies (50.00) and a 10% code with one use
    make_code("SPRING10", max_uses=1)
    client.post("/cart/add/", {"variant": variant.pk, "quantity": 2})
    client.post("/cart/discount/", {"code": "SPRING10"})

    # when they place the order
    response = client.post("/checkout/", checkout_data(**CARD_FIELDS))

    # then Stripe is asked for 50.00 - 5.00 + 4.90, and the code's one use is taken
    [(_, _, params, _)] = stripe_fake.requests
    assert params["line_items"][0]["price_data"]["unit_amount"] == "4990"
    assert DiscountCode.objects.get().times_used == 1

    # when they cancel on Stripe's page
    answer = press(response["Location"], "Cancel")
    client.get(answer.headers["Location"])

    # then the use is given back and the code is still in their cart for another try
    assert DiscountCode.objects.get().times_used == 0
    assert Redemption.objects.get().released_at is not None
    assert client.session[SESSION_CODE_KEY] == "SPRING10"
    assert "−€5.00" in client.get("/cart/").text
