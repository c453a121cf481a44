"""Orders change stock; the cached catalog pages follow whenever what they show changed."""

import pytest
from django.core.cache import cache

from catalog.services import CATALOG_CACHE_VERSION_KEY, refresh_products
from orders.services import cancel_order
from tests.factories import VariantFactory
from tests.orders.helpers import buy

pytestmark = pytest.mark.django_db


def product_page(client, variant):
    return client.get(variant.product.get_absolute_url()).text


@pytest.fixture
def stocked(db):
    def make(stock):
        variant = VariantFactory(product__name="Field Notebook", stock=stock)
        refresh_products(product_ids=[variant.product_id])
        return variant

    return make


def test_an_order_that_leaves_plenty_in_stock_keeps_the_catalog_cache(
    client, stocked, django_capture_on_commit_callbacks
):
    variant = stocked(20)
    assert "In stock" in product_page(client, variant)
    version = cache.get(CATALOG_CACHE_VERSION_KEY)

    with django_capture_on_commit_callbacks(execute=True):
        buy(variant, 2)

    assert cache.get(CATALOG_CACHE_VERSION_KEY) == version


def test_an_order_that_brings_stock_low_shows_on_the_product_page(
    client, stocked, django_capture_on_commit_callbacks
):
    variant = stocked(7)
    assert "In stock" in product_page(client, variant)

    with django_capture_on_commit_callbacks(execute=True):
        buy(variant, 2)

    assert "Only 5 left" in product_page(client, variant)


def test_a_cancelled_order_puts_a_sold_out_product_back_on_sale(
    client, stocked, django_capture_on_commit_callbacks
):
    variant = stocked(2)
    with django_capture_on_commit_callbacks(execute=True):
        order = buy(variant, 2)
    assert "Out of stock" in product_page(client, variant)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=order)

    variant.refresh_from_db()
    assert variant.stock == 2
    assert "Only 2 left" in product_page(client, variant)
