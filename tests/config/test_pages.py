"""The shared layout, error pages, health check and request log."""

import json
import logging

import pytest
from django.test import Client, override_settings
from django.urls import path

pytestmark = pytest.mark.django_db


def test_base_page_shows_the_contract_header_for_visitors(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert '<label for="site-search" class="visually-hidden">Search</label>' in html
    assert ">Search</button>" in html
    assert ">Log in</a>" in html
    assert ">Sign up</a>" in html
    assert "Cart" in html


def test_base_page_shows_account_links_when_signed_in(client, django_user_model):
    user = django_user_model.objects.create_user(email="ann@example.com", password="pw-123456789")
    client.force_login(user)
    html = client.get("/").content.decode()
    assert ">My account</a>" in html
    assert ">Log out</button>" in html
    assert ">Log in</a>" not in html


def test_unknown_page_is_a_styled_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert "css/shop" in html


def boom(request):
    raise RuntimeError("secret internals")


urlpatterns = [path("boom/", boom)]


@override_settings(ROOT_URLCONF=__name__)
def test_server_error_is_a_styled_500_that_leaks_nothing():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert "secret internals" not in html
    assert "Traceback" not in html


def test_healthz_reports_every_dependency_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "up",
        "cache": "up",
        "broker": "up",
    }
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_head_requests_from_monitors(client):
    response = client.head("/healthz")
    assert response.status_code == 200
    assert response.content == b""


def test_healthz_is_503_when_the_cache_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.DegradingRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    from django.core.cache import caches

    caches._settings = None  # let the cache handler see the new settings
    caches.__dict__.pop("settings", None)
    try:
        response = client.get("/healthz")
    finally:
        caches.__dict__.pop("settings", None)
    assert response.status_code == 503
    body = response.json()
    assert body["cache"] == "down"
    assert body["database"] == "up"


def test_healthz_is_503_when_the_broker_is_down(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"


def test_healthz_sees_the_real_broker_up(client, settings, redis_url):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url
    response = client.get("/healthz")
    assert response.json()["broker"] == "up"


def test_every_request_is_logged_as_one_structured_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="shop.request"):
        client.get("/products/?q=secret-token")
    record = next(r for r in caplog.records if r.name == "shop.request")
    assert record.method == "GET"
    assert record.path == "/products/"
    assert record.status == 200
    assert record.duration_ms >= 0
    assert "secret-token" not in json.dumps(record.__dict__, default=str)


def test_security_headers_are_sent(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]
