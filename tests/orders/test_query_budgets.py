"""The cart and checkout pages run a fixed number of queries, however many lines."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AddressFactory, VariantFactory

pytestmark = pytest.mark.django_db

BUDGET = 12


def fill_cart(add, lines):
    for index in range(lines):
        add(VariantFactory(options={"Size": str(index)}, stock=5), 2)


def queries_for(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("path", ["/cart/", "/checkout/"])
def test_cart_and_checkout_stay_within_budget_whatever_the_size(
    client, add, customer, django_assert_max_num_queries, signed_in, path
):
    if signed_in:
        AddressFactory(user=customer, is_default_shipping=True, is_default_billing=True)
        client.force_login(customer)
    fill_cart(add, 1)
    client.get(path)  # the layout's footer links are cached from the first page on
    small = queries_for(client, path)

    fill_cart(add, 19)
    with django_assert_max_num_queries(BUDGET):
        response = client.get(path)

    assert len(response.context["cart"].items) == 20
    assert queries_for(client, path) == small
