"""The checkout service on its own: it refuses what cannot be had, itself, and changes
nothing (the database's stock constraint is only the last line of defence)."""

import pytest

from catalog.models import Variant
from orders.models import Order
from orders.services import OutOfStock
from payments.models import Payment
from tests.factories import VariantFactory
from tests.orders.helpers import buy

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("gateway", ["test", "stripe"])
def test_place_order_refuses_more_than_the_stock_with_out_of_stock_and_changes_nothing(
    request, gateway
):
    if gateway == "stripe":
        fake = request.getfixturevalue("stripe_fake")
    variant = VariantFactory(product__name="Last Print", stock=1)

    with pytest.raises(OutOfStock) as refused:
        buy(variant, 2)

    assert refused.value.problems == ["Only 1 left of Last Print."]
    assert Variant.objects.get(pk=variant.pk).stock == 1
    assert not Order.objects.exists()
    assert not Payment.objects.exists()
    if gateway == "stripe":
        assert fake.requests == []  # no session for an order that was never placed
