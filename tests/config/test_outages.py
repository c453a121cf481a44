"""The shop keeps selling when a part fails: Redis (cache and broker) stopped mid-journey, a
broker or cache that hangs, a database that is gone. Each test starts its own redis-server or
dead port; the shared services are never touched."""

import re
import time

import pytest
import redis
from django.core.cache import caches
from django.db import OperationalError, connection, connections
from django.test import Client

from config import health
from orders.models import Order, OrderEmail
from tests.emails.conftest import celery_broker_at
from tests.factories import VariantFactory
from tests.orders.helpers import checkout_data

pytestmark = pytest.mark.django_db

SIGNUP_PASSWORD = "walnut-orbit-84-canvas"


def cache_at(settings, url):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.DegradingRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def cart_badge(response):
    match = re.search(r'class="badge"[^>]*>(\d+)<', response.text)
    return int(match.group(1)) if match else 0


def test_the_shop_keeps_selling_while_redis_is_down(
    settings, own_redis, caplog, django_capture_on_commit_callbacks
):
    # given cache and broker in a Redis of the test's own, and a shopper with a cart
    cache_at(settings, own_redis.url)
    variant = VariantFactory(stock=10)
    product_url = variant.product.get_absolute_url()
    shopper = Client()
    with celery_broker_at(own_redis.url):
        assert shopper.get("/").status_code == 200
        assert Client().get(product_url).status_code == 200  # cached for anonymous visitors
        shopper.post("/cart/add/", {"variant": variant.pk, "quantity": 1})
        assert cart_badge(shopper.get("/")) == 1

        # when Redis goes away mid-journey
        own_redis.stop()

        # then every page still works, the cart count included
        assert cart_badge(shopper.get("/")) == 1
        assert Client().get(product_url).status_code == 200
        assert Client().get("/products/?q=anything").status_code == 200
        shopper.post("/cart/add/", {"variant": variant.pk, "quantity": 1})
        assert cart_badge(shopper.get("/cart/")) == 2

        # and the shopper signs up (once: no account without an answer), logs out, logs in
        response = shopper.post(
            "/accounts/signup/",
            {
                "email": "new@example.com",
                "password1": SIGNUP_PASSWORD,
                "password2": SIGNUP_PASSWORD,
            },
        )
        assert response.status_code == 302
        shopper.post("/accounts/logout/")
        response = shopper.post(
            "/accounts/login/", {"username": "new@example.com", "password": SIGNUP_PASSWORD}
        )
        assert response.status_code == 302

        # and buys: the order is placed at once, its email waits in the outbox
        shopper.post("/cart/add/", {"variant": variant.pk, "quantity": 2})
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = shopper.post("/checkout/", checkout_data(email=None))
        elapsed = time.monotonic() - started

    assert response.status_code == 302
    order = Order.objects.get(email="new@example.com")
    assert order.lines.get().quantity == 4  # the two from before logging in, merged, and two
    assert OrderEmail.objects.get(order=order).state == OrderEmail.State.PENDING
    assert elapsed < 3  # one short broker timeout at most, not the 3.4-6.2 s of the report
    assert "Cache unreachable" in caplog.text
    assert "Could not enqueue email orders.OrderEmail" in caplog.text


def test_the_cache_is_used_again_when_redis_is_back(settings, own_redis, variant_page):
    cache_at(settings, own_redis.url)
    own_redis.stop()
    assert Client().get(variant_page).status_code == 200

    own_redis.start()
    caches["default"]._cache.circuit.close()  # the few seconds' pause after a failure are over
    Client().get(variant_page)

    assert redis.Redis.from_url(own_redis.url).dbsize() > 0


@pytest.fixture
def variant_page():
    return VariantFactory(stock=10).product.get_absolute_url()


def test_a_hanging_redis_costs_a_process_one_short_timeout_not_one_per_call(
    settings, silent_server, variant_page
):
    cache_at(settings, f"redis://127.0.0.1:{silent_server.port}/0")

    started = time.monotonic()
    for _ in range(5):
        assert Client().get(variant_page).status_code == 200
    elapsed = time.monotonic() - started

    # Each page makes several cache calls; after the first timed out, none tried again.
    assert len(silent_server.connections) == 1
    assert elapsed < 4


def test_a_hanging_broker_costs_one_short_timeout_then_checkouts_skip_it(
    silent_server, django_capture_on_commit_callbacks
):
    variant = VariantFactory(stock=20)
    shopper = Client()
    with celery_broker_at(f"redis://127.0.0.1:{silent_server.port}/0"):
        started = time.monotonic()
        for _ in range(4):
            shopper.post("/cart/add/", {"variant": variant.pk, "quantity": 1})
            with django_capture_on_commit_callbacks(execute=True):
                assert shopper.post("/checkout/", checkout_data()).status_code == 302
        elapsed = time.monotonic() - started

    assert Order.objects.count() == 4
    assert OrderEmail.objects.filter(state=OrderEmail.State.PENDING).count() == 4
    assert len(silent_server.connections) == 1
    assert elapsed < 5  # without the circuit: 4 x the socket timeout, plus the checkouts


@pytest.fixture
def dead_database(silent_server, postgres):
    """A second connection, to a database server that never answers: libpq would wait its
    connect_timeout (set long here) before giving up."""
    wrapper = type(connections["default"])(
        {
            **connection.settings_dict,
            "HOST": "127.0.0.1",
            "PORT": str(silent_server.port),
            "OPTIONS": {"connect_timeout": 10},
        },
        alias="dead",
    )
    wrapper.inc_thread_sharing()  # the health check runs it in a thread of its own
    yield wrapper
    wrapper.dec_thread_sharing()


def test_healthz_answers_within_a_second_when_database_cache_and_broker_all_hang(
    client, settings, monkeypatch, silent_server, dead_database
):
    silent_url = f"redis://127.0.0.1:{silent_server.port}/0"
    cache_at(settings, silent_url)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = silent_url
    monkeypatch.setitem(health.CHECKS, "database", lambda: health.database_is_up(dead_database))

    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "database": "down",
        "cache": "down",
        "broker": "down",
    }
    assert elapsed < 2  # the dead database alone would take its 10 s connect timeout


def database_gone(*args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')


@pytest.mark.parametrize("where", ["view", "session"])
def test_database_down_is_a_styled_503_with_retry_after(monkeypatch, where):
    visitor = Client(raise_request_exception=False)
    if where == "view":
        monkeypatch.setattr("catalog.selectors.listable_products", database_gone)
    else:  # the session middleware loads the visitor's session before any view runs
        visitor.cookies["sessionid"] = "s" * 32
        monkeypatch.setattr(
            "django.contrib.sessions.backends.db.SessionStore._get_session_from_db",
            database_gone,
        )

    response = visitor.get("/products/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert "<h1>Back in a moment</h1>" in response.text
    assert "css/shop" in response.text
    assert "5432" not in response.text


def test_other_errors_stay_a_500(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("catalog.selectors.listable_products", broken)
    response = Client(raise_request_exception=False).get("/products/")
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_after_a_failed_connection_the_database_is_not_waited_for_again_at_once(
    silent_server, dead_database
):
    dead_database.settings_dict["OPTIONS"] = {"connect_timeout": 2}  # libpq's minimum

    with pytest.raises(OperationalError):
        dead_database.ensure_connection()  # waits the connect timeout
    started = time.monotonic()
    with pytest.raises(OperationalError, match="unreachable moments ago"):
        dead_database.ensure_connection()

    assert time.monotonic() - started < 1
    assert len(silent_server.connections) == 1
