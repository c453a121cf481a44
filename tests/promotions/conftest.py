"""Builders for discount code and promotion tests."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from promotions.models import Promotion
from promotions.services import apply_promotions, create_discount_code

# Fixtures of the catalog and orders tests: products made as the shop makes them, a
# visitor's cart, a customer, a beanie.
from tests.catalog.conftest import make_product  # noqa: F401
from tests.orders.conftest import add, customer, variant  # noqa: F401


@pytest.fixture
def make_code(db):
    """Factory: a discount code, 10% off unless told otherwise."""

    def make(code="SPRING10", **fields):
        fields = {"kind": "percent", "value": Decimal(10), **fields}
        products = fields.pop("products", ())
        categories = fields.pop("categories", ())
        return create_discount_code(code=code, products=products, categories=categories, **fields)

    return make


@pytest.fixture
def make_promotion(db):
    """Factory: a promotion running since yesterday (unless told otherwise), applied."""

    def make(name="Weekend sale", percent=20, *, categories=(), products=(), apply=True, **fields):
        fields.setdefault("starts_at", timezone.now() - timedelta(days=1))
        promotion = Promotion.objects.create(name=name, percent=Decimal(percent), **fields)
        promotion.categories.set(categories)
        promotion.products.set(products)
        if apply:
            apply_promotions()
        return promotion

    return make


@pytest.fixture
def apply_code(client):
    """POST a code to the cart's discount form as the client's visitor; returns the cart page
    it redirects to."""

    def apply(text):
        return client.post("/cart/discount/", {"code": text}, follow=True)

    return apply
