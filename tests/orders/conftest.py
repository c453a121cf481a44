"""Fixtures for cart, checkout and order tests."""

import pytest
from django.contrib.auth.models import Group

from tests.factories import UserFactory, VariantFactory
from tests.orders.helpers import buy
from tests.two_factor import log_in_with_second_factor


@pytest.fixture
def variant(db):
    return VariantFactory(product__name="Merino Beanie", price="25.00", stock=10)


@pytest.fixture
def customer(db):
    return UserFactory(email="grace@example.com", full_name="Grace Hopper")


@pytest.fixture
def paid_order(variant):
    return buy(variant, 2)


@pytest.fixture
def add(client):
    """POST to the cart as the client's visitor."""

    def add(variant, quantity=1):
        return client.post("/cart/add/", {"variant": variant.pk, "quantity": quantity})

    return add


@pytest.fixture
def manager(client):
    """An order manager, logged in to the admin through both steps."""
    user = UserFactory(email="manager@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name="Order managers"))
    log_in_with_second_factor(client, user)
    return user
