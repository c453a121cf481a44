"""Anonymous visitors get catalog pages from the whole-page cache; everyone else gets their own."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalog.services import invalidate_catalog_cache
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def teapot(make_product):
    return make_product(
        "Teapot", variants=[{"sku": "TEA-1", "price": Decimal("10.00"), "stock": 20}]
    )


@pytest.mark.parametrize("path", ["/", "/products/", "/products/?q=tea", "/products/teapot/"])
def test_a_second_anonymous_visit_is_served_without_queries_or_templates(client, teapot, path):
    path = path.replace("teapot", teapot.slug)
    first = client.get(path)

    with CaptureQueriesContext(connection) as queries:
        second = Client().get(path)

    assert second.status_code == first.status_code == 200
    assert len(queries) == 0
    assert first.templates and not second.templates  # the HTML came from the cache
    assert second.text.replace(csrf_value(second.text), "") == first.text.replace(
        csrf_value(first.text), ""
    )
    assert "Cookie" in second["Vary"]


def csrf_value(html):
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else "no token"


def test_a_cached_product_page_carries_a_working_token_for_each_visitor(client, teapot):
    client.get(teapot.get_absolute_url())  # warms the cache
    visitor = Client(enforce_csrf_checks=True)

    page = visitor.get(teapot.get_absolute_url())
    token = csrf_value(page.text)
    response = visitor.post(
        "/cart/add/",
        {"variant": teapot.variants.get().pk, "quantity": 1, "csrfmiddlewaretoken": token},
    )

    assert "@@csrf" not in page.text
    assert response.status_code == 302
    assert response.url == "/cart/"
    assert "Cart <span" in visitor.get("/").text


def test_a_visitor_with_a_cart_sees_their_own_count_not_the_cached_page(client, teapot):
    client.get("/")  # cached with an empty cart
    shopper = Client()
    shopper.post("/cart/add/", {"variant": teapot.variants.get().pk, "quantity": 2})

    html = shopper.get("/").text

    assert re.search(r'class="badge"[^>]*>2<', html)


def test_signed_in_customers_never_get_the_anonymous_page(client, teapot):
    client.get("/products/")
    customer = Client()
    customer.force_login(UserFactory())

    assert "My account" in customer.get("/products/").text


def test_an_edit_makes_the_cached_page_stale(client, teapot):
    assert "€10.00" in client.get(teapot.get_absolute_url()).text
    teapot.variants.update(price=Decimal("12.50"))

    invalidate_catalog_cache()

    assert "€12.50" in Client().get(teapot.get_absolute_url()).text


def test_errors_are_not_cached(client):
    assert client.get("/products/no-such-thing/").status_code == 404
    assert Client().get("/products/no-such-thing/").status_code == 404
