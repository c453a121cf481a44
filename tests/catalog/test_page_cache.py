"""Anonymous visitors get catalog pages from the whole-page cache; everyone else gets their own."""

import random
import re
import string
from decimal import Decimal

import pytest
import redis
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.http import urlencode

from catalog.page_cache import LOCAL_PAGES, cache_page_for_anonymous_visitors, local_pages
from catalog.services import invalidate_catalog_cache
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def teapot(make_product):
    return make_product(
        "Teapot", variants=[{"sku": "TEA-1", "price": Decimal("10.00"), "stock": 20}]
    )


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/products/",
        "/products/?sort=price&page=1",
        "/products/?q=tea",  # kept in the process's own store, not in Redis
        "/products/teapot/",
    ],
)
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


# --- Bounded memory: nobody grows the cache by inventing URLs -----------------------------


def redis_keys():
    from django.conf import settings

    location = settings.CACHES["default"]["LOCATION"]
    return redis.Redis.from_url(location).dbsize()


def random_query(rng):
    """Query strings a crawler or an attacker might send: searches, prices, tracking and
    unknown parameters, invented categories and pages, known ones in any order."""
    word = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 12)))
    choices = [
        {"q": word},
        {"q": word, "sort": rng.choice(["price", "-price", "name"])},
        {"min_price": str(rng.randint(0, 10**6)), "max_price": str(rng.randint(0, 10**7))},
        {"utm_source": word},
        {"category": word},
        {"page": str(rng.randint(1, 10**9))},
        {word: "1"},
        dict(rng.sample([("sort", "price"), ("page", "2"), ("in_stock", "1")], k=3)),
    ]
    return urlencode(rng.choice(choices))


def test_five_thousand_random_query_strings_leave_the_page_stores_bounded(rf, redis_url, teapot):
    @cache_page_for_anonymous_visitors
    def page(request):
        return HttpResponse(f"<p>{request.get_full_path()}</p>")

    rng = random.Random(13)
    page(rf.get("/products/"))
    keys_before = redis_keys()

    for _ in range(5000):
        assert page(rf.get("/products/?" + random_query(rng))).status_code == 200

    # Shared in Redis: only pages with the known parameters' few values, in one order (here
    # the sort/page/in_stock page), and the category tree that checked the invented
    # categories; everything else stays in the bounded local store.
    assert redis_keys() <= keys_before + 2
    assert len(local_pages) == LOCAL_PAGES


def test_random_searches_slugs_and_pages_add_no_keys_to_redis(client, redis_url, teapot):
    rng = random.Random(7)
    client.get("/products/")
    client.get("/products/?q=warm-up")
    client.get("/products/no-such-product/")
    keys_before = redis_keys()

    for n in range(100):
        word = "".join(rng.choices(string.ascii_lowercase, k=8))
        assert Client().get(f"/products/?q={word}&min_price={n}").status_code == 200
        assert Client().get(f"/products/{word}/").status_code == 404
        assert Client().get(f"/products/?page={n + 2}").status_code == 404
        assert Client().get(f"/products/?category={word}").status_code == 200

    assert redis_keys() == keys_before


def test_the_same_listing_in_another_parameter_order_is_one_cache_entry(client, redis_url, teapot):
    client.get("/products/?sort=price&in_stock=1")
    keys = redis_keys()

    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/products/?in_stock=1&sort=price")

    assert response.status_code == 200
    assert len(queries) == 0
    assert redis_keys() == keys
