"""Discount codes raced by concurrent checkouts on PostgreSQL, each in its own thread and
connection: a code is never used more often than its limits allow."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from orders.models import Order
from promotions.models import DiscountCode, Redemption
from promotions.services import DiscountCodeRejected
from tests.factories import VariantFactory
from tests.orders.concurrency import run_in_threads
from tests.orders.helpers import buy, checkout_data

pytestmark = pytest.mark.django_db(transaction=True)

USED_UP = (
    "The discount code LASTONE has been used up. We have removed it from your cart: please "
    "check the new total and place your order again."
)


def test_twenty_customers_racing_for_the_last_use_of_a_code_get_one_discount(postgres):
    # given a code with one use, and 20 guests each with a lamp and the code in their cart
    # (a lamp each: checkouts of the same variant would queue on its lock anyway)
    call_command("create_discount_code", "LASTONE", "--percent", "50", "--max-uses", "1")
    customers = []
    for _ in range(20):
        lamp = VariantFactory(product__name="Desk Lamp", price="40.00", stock=1)
        client = Client()
        client.post("/cart/add/", {"variant": lamp.pk, "quantity": 1})
        client.post("/cart/discount/", {"code": "lastone"})
        assert "−€20.00" in client.get("/checkout/").text
        customers.append(client)

    # when all 20 place their order at the same moment
    responses = run_in_threads(
        20, lambda index: customers[index].post("/checkout/", checkout_data(email=f"{index}@x.io"))
    )

    # then exactly one order has the discount, and the 19 others are told why and order nothing
    placed = [response for response in responses if response.status_code == 302]
    refused = [response for response in responses if response.status_code == 200]
    assert len(placed) == 1, responses
    assert len(refused) == 19, responses
    assert all(USED_UP in response.text for response in refused)
    assert all("€44.90" in response.text for response in refused)  # the total without it
    order = Order.objects.get()
    assert (order.discount, order.total) == (Decimal("20.00"), Decimal("24.90"))
    assert DiscountCode.objects.get().times_used == 1
    assert Redemption.objects.get().order_number == order.number


def test_one_customer_racing_their_own_checkouts_uses_a_once_per_customer_code_once(
    postgres, customer, make_code
):
    make_code("ONEEACH", max_uses_per_customer=1)
    lamps = [VariantFactory(price="40.00", stock=1) for _ in range(8)]

    results = run_in_threads(
        8, lambda index: buy(lamps[index], 1, customer=customer, discount_code="ONEEACH")
    )

    orders = [result for result in results if isinstance(result, Order)]
    refused = [result for result in results if not isinstance(result, Order)]
    assert len(orders) == 1
    assert all(isinstance(error, DiscountCodeRejected) for error in refused), refused
    assert DiscountCode.objects.get().times_used == 1
