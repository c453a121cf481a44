"""Fixtures for the marketing emails: a customer with a cart left behind, a sold-out product."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import Cart, CartLine
from tests.factories import UserFactory, VariantFactory


@pytest.fixture
def lamp(db):
    return VariantFactory(product__name="Brass Lamp", product__slug="brass-lamp", stock=5)


@pytest.fixture
def sold_out(db):
    return VariantFactory(product__name="Wool Scarf", product__slug="wool-scarf", stock=0)


def leave_cart(user, variant, *, quantity=1, hours_ago=5):
    """A signed-in customer's cart, last changed `hours_ago` hours ago."""
    cart, _ = Cart.objects.get_or_create(user=user)
    CartLine.objects.create(cart=cart, variant=variant, quantity=quantity)
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now() - timedelta(hours=hours_ago))
    cart.refresh_from_db()
    return cart


@pytest.fixture
def left_cart(lamp):
    return leave_cart(UserFactory(email="wanderer@example.com"), lamp, quantity=2)


# The loopback SMTP server of the order email tests, for the worker tests here.
from tests.emails.conftest import smtp_server  # noqa: E402, F401
