"""Checkouts racing each other on PostgreSQL, each thread on its own connection."""

import secrets

import pytest
from django.test import Client

from catalog.models import Variant
from orders.models import Order, OrderLine
from orders.services import OutOfStock, place_order
from tests.factories import VariantFactory
from tests.orders.concurrency import run_in_threads
from tests.orders.helpers import ADDRESS, approved_card, buy, checkout_data

pytestmark = pytest.mark.django_db(transaction=True)


def test_fifty_parallel_checkouts_for_ten_in_stock_sell_exactly_ten(postgres):
    # given a print with 10 in stock
    variant = VariantFactory(product__name="Limited Print", stock=10)

    # when 50 customers check out one each at the same moment
    results = run_in_threads(50, lambda index: buy(variant, 1))

    # then exactly 10 orders are paid, the stock is 0, and the others are told it sold out
    orders = [result for result in results if isinstance(result, Order)]
    refused = [result for result in results if not isinstance(result, Order)]
    assert len(orders) == 10
    assert len(refused) == 40
    assert all(isinstance(error, OutOfStock) for error in refused), refused
    assert {str(error) for error in refused} == {"Sorry, Limited Print is sold out."}
    assert Variant.objects.get(pk=variant.pk).stock == 0
    assert Order.objects.filter(status=Order.Status.PAID).count() == 10
    assert Order.objects.count() == 10
    assert sum(OrderLine.objects.values_list("quantity", flat=True)) == 10


def test_checkouts_sharing_variants_in_any_order_do_not_deadlock(postgres):
    # given two variants, bought together by carts listing them in opposite orders
    first = VariantFactory(stock=20)
    second = VariantFactory(stock=20)

    def checkout(index):
        quantities = {first.pk: 1, second.pk: 1}
        if index % 2:
            quantities = {second.pk: 1, first.pk: 1}
        return place_order(
            customer=None,
            email="race@example.com",
            quantities=quantities,
            shipping_address=ADDRESS,
            billing_address=ADDRESS,
            shipping_method="standard",
            card=approved_card(),
            checkout_token=secrets.token_urlsafe(32),
        )

    results = run_in_threads(20, checkout)

    assert all(isinstance(result, Order) for result in results), results
    assert Variant.objects.get(pk=first.pk).stock == 0
    assert Variant.objects.get(pk=second.pk).stock == 0


def test_concurrent_double_submit_places_one_order(postgres):
    # given one checkout form submitted five times at once (double clicks, retries)
    variant = VariantFactory(stock=10)
    token = secrets.token_urlsafe(32)

    results = run_in_threads(5, lambda index: buy(variant, 2, token=token))

    # then every submit gets the same order, and the stock went down once
    assert all(isinstance(result, Order) for result in results), results
    assert len({result.number for result in results}) == 1
    assert Order.objects.count() == 1
    assert Variant.objects.get(pk=variant.pk).stock == 8


def test_five_submits_of_one_form_for_the_last_units_all_get_the_one_order(postgres):
    # given the last two units, and one checkout form submitted five times at once
    variant = VariantFactory(product__name="Last Print", stock=2)
    token = secrets.token_urlsafe(32)

    results = run_in_threads(5, lambda index: buy(variant, 2, token=token))

    # then every submit gets the order (none is told it sold out), placed once
    assert all(isinstance(result, Order) for result in results), results
    assert len({result.number for result in results}) == 1
    assert Order.objects.count() == 1
    assert Variant.objects.get(pk=variant.pk).stock == 0


@pytest.mark.parametrize("gateway", ["test", "stripe"])
def test_five_submits_of_the_checkout_page_for_the_last_units_all_show_the_order(
    postgres, request, gateway
):
    # given a guest whose cart holds the last two units, submitting the same form five times
    if gateway == "stripe":
        request.getfixturevalue("stripe_fake")
    variant = VariantFactory(product__name="Last Print", stock=2)
    browser = Client()
    browser.post("/cart/add/", {"variant": variant.pk, "quantity": 2})
    card = {} if gateway == "test" else {"card_number": None, "card_expiry": None, "card_cvc": None}
    data = checkout_data(**card)

    def submit(index):
        same_browser = Client()
        same_browser.cookies = browser.cookies
        return same_browser.post("/checkout/", data)

    answers = run_in_threads(5, submit)

    # then every answer shows the one order: its page, or its one payment page
    order = Order.objects.get()
    expected = (
        (302, f"/orders/{order.number}/")
        if gateway == "test"
        else (303, order.payments.get().checkout_url)
    )
    assert [(answer.status_code, answer["Location"]) for answer in answers] == [expected] * 5
    assert Variant.objects.get(pk=variant.pk).stock == 0
