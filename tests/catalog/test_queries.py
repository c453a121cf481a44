"""Query budgets: every catalog page stays within 8 SQL queries for an anonymous visitor,
whatever the number of products on the page or in the shop (no N+1)."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from catalog.models import ProductImage
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

BUDGET = 8


@pytest.fixture
def full_catalog(make_product, stored_image):
    """Enough products for two pages, each with three variants and two images."""
    clothing = CategoryFactory(name="Clothing", slug="clothing")
    shirts = CategoryFactory(name="Shirts", slug="shirts", parent=clothing)
    pictures = [stored_image("one.jpg"), stored_image("two.jpg")]
    products = []
    for n in range(30):
        products.append(
            make_product(
                f"Shirt {n:02d}",
                categories=[shirts if n % 2 else clothing],
                variants=[
                    {"options": {"Size": size}, "price": Decimal(20 + n), "stock": n % 7}
                    for size in ("S", "M", "L")
                ],
                images=pictures,
            )
        )
    return products


@pytest.fixture
def visitor_with_a_session(client):
    """An anonymous visitor who already has a session (e.g. a cart), so the layout reads it."""
    session = client.session
    session["cart"] = {}
    session.save()
    client.cookies["sessionid"] = session.session_key
    return client


PAGES = [
    "/",
    "/products/",
    "/products/?page=2",
    "/products/?q=shirt&sort=price&min_price=1&max_price=500&in_stock=1",
    "/products/?category=clothing&sort=-price",
    "/categories/clothing/",
    "/categories/shirts/?sort=newest&in_stock=1",
]


@pytest.mark.parametrize("path", PAGES)
def test_catalog_pages_stay_within_the_query_budget_on_a_cold_cache(
    visitor_with_a_session, full_catalog, django_assert_max_num_queries, path
):
    cache.clear()
    with django_assert_max_num_queries(BUDGET):
        response = visitor_with_a_session.get(path)
    assert response.status_code == 200
    assert response.text.count('<article class="product-card">') >= 6


def test_product_page_stays_within_the_query_budget(
    visitor_with_a_session, full_catalog, django_assert_max_num_queries
):
    product = full_catalog[3]
    cache.clear()
    with django_assert_max_num_queries(BUDGET):
        response = visitor_with_a_session.get(product.get_absolute_url())
    assert response.status_code == 200
    assert response.text.count("<option ") == 3


def test_a_full_page_costs_no_more_queries_than_a_short_one(client, full_catalog):
    with override_settings(SHOP_PRODUCTS_PER_PAGE=2):
        cache.clear()
        with CaptureQueriesContext(connection) as short:
            client.get("/products/")
    cache.clear()
    with CaptureQueriesContext(connection) as full:
        response = client.get("/products/")
    assert response.text.count('<article class="product-card">') == 24
    assert len(full.captured_queries) == len(short.captured_queries)


def test_a_warm_cache_serves_the_listing_without_catalog_queries(
    client, full_catalog, django_assert_num_queries
):
    client.get("/categories/clothing/")
    ProductImage.objects.all().delete()  # not seen: the page comes from the cache

    with django_assert_num_queries(0):
        response = client.get("/categories/clothing/")
    assert response.text.count("one-thumb") > 0


def test_a_corrected_misspelt_search_stays_within_the_query_budget(
    postgres, visitor_with_a_session, full_catalog, django_assert_max_num_queries
):
    cache.clear()
    with django_assert_max_num_queries(BUDGET):
        response = visitor_with_a_session.get("/products/", {"q": "shirrt"})
    assert "Did you mean" in response.text
    assert response.text.count('<article class="product-card">') >= 6
