"""Cart and checkout with a restricted discount code and a promotion in the cart stay within
the same query budget as without, whatever the cart's size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AddressFactory, CategoryFactory, ProductFactory, VariantFactory
from tests.orders.test_query_budgets import BUDGET

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("path", ["/cart/", "/checkout/"])
def test_a_code_and_a_promotion_keep_cart_and_checkout_within_budget(
    client, add, customer, make_code, make_promotion, django_assert_max_num_queries, signed_in, path
):
    lamps = CategoryFactory()
    make_code("LAMPS10", categories=[lamps], products=[ProductFactory()], max_uses_per_customer=2)
    on_sale = VariantFactory(stock=5)
    make_promotion("Sale", 10, products=[on_sale.product])
    if signed_in:
        AddressFactory(user=customer, is_default_shipping=True, is_default_billing=True)
        client.force_login(customer)
    add(on_sale, 1)
    add(VariantFactory(product=ProductFactory(categories=[lamps]), stock=5), 1)
    client.post("/cart/discount/", {"code": "LAMPS10"})
    client.get(path)  # the layout's footer links are cached from the first page on
    with CaptureQueriesContext(connection) as small:
        client.get(path)

    for _ in range(15):
        add(VariantFactory(product=ProductFactory(categories=[lamps]), stock=5), 2)
    with django_assert_max_num_queries(BUDGET):
        response = client.get(path)

    assert "−€" in response.text and "Sale: 10% off" in response.text
    with CaptureQueriesContext(connection) as large:
        client.get(path)
    assert len(large) == len(small)
