"""Settings are read from the environment, with safe defaults and refusal of unsafe ones."""

import json
import os
import secrets
import subprocess
import sys

from tests.conftest import ROOT

PRINT_SETTINGS = """
import django, json
django.setup()
from django.conf import settings as s
print(json.dumps({
    "debug": s.DEBUG,
    "engine": s.DATABASES["default"]["ENGINE"],
    "cache": s.CACHES["default"]["BACKEND"],
    "cache_location": s.CACHES["default"].get("LOCATION"),
    "sessions": s.SESSION_ENGINE,
    "eager": s.CELERY_TASK_ALWAYS_EAGER,
    "email": s.MAILERS["default"]["BACKEND"],
    "ssl_redirect": s.SECURE_SSL_REDIRECT,
    "hsts": s.SECURE_HSTS_SECONDS,
    "currency": s.SHOP_CURRENCY,
    "conn_max_age": s.DATABASES["default"].get("CONN_MAX_AGE"),
    "health_checks": s.DATABASES["default"].get("CONN_HEALTH_CHECKS"),
    "broker": s.CELERY_BROKER_URL,
}))
"""

GOOD_KEY = "k" * 50


def load_settings(**env):
    """Import config.settings in a fresh interpreter with only the given variables set (and the
    test gateway allowed, unless `SHOP_ALLOW_TEST_PAYMENTS` is given)."""
    env = {"SHOP_ALLOW_TEST_PAYMENTS": "true", **env}
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env={
            **clean,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_READ_DOT_ENV": "0",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result


def test_defaults_are_the_embedded_stack_with_debug_off():
    result = load_settings(DJANGO_SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="shop.example.com")
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["debug"] is False
    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert loaded["cache"].endswith("LocMemCache")
    assert loaded["eager"] is True
    assert loaded["email"] == "django.core.mail.backends.console.EmailBackend"
    assert loaded["ssl_redirect"] is True
    assert loaded["hsts"] > 0
    assert loaded["currency"] == "EUR"


def test_database_and_redis_urls_switch_to_postgres_and_redis():
    result = load_settings(
        DJANGO_SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="shop.example.com",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/shop",
        REDIS_URL="redis://127.0.0.1:6379/3",
        SHOP_CURRENCY="usd",
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["engine"] == "config.postgresql"
    assert loaded["conn_max_age"] == 60
    assert loaded["health_checks"] is True
    assert loaded["cache"] == "config.cache.DegradingRedisCache"
    assert loaded["cache_location"] == "redis://127.0.0.1:6379/3"
    assert loaded["sessions"] == "django.contrib.sessions.backends.db"
    assert loaded["eager"] is False
    assert loaded["broker"] == "redis://127.0.0.1:6379/3"
    assert loaded["currency"] == "USD"


def test_the_cache_can_live_in_a_redis_of_its_own_apart_from_the_broker():
    result = load_settings(
        DJANGO_SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="shop.example.com",
        REDIS_URL="redis://broker.internal:6379/0",
        REDIS_CACHE_URL="redis://cache.internal:6379/0",
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["cache_location"] == "redis://cache.internal:6379/0"
    assert loaded["broker"] == "redis://broker.internal:6379/0"


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings(ALLOWED_HOSTS="shop.example.com")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_with_a_short_secret_key():
    result = load_settings(DJANGO_SECRET_KEY="short", ALLOWED_HOSTS="shop.example.com")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = load_settings(DJANGO_SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_debug_must_be_asked_for_and_then_allows_local_hosts():
    result = load_settings(DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["debug"] is True


def test_plain_http_only_when_secure_https_is_switched_off():
    result = load_settings(
        DJANGO_SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="127.0.0.1", SECURE_HTTPS="false"
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["ssl_redirect"] is False
    assert loaded["hsts"] == 0


def test_check_deploy_is_clean_under_production_settings():
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_READ_DOT_ENV": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "shop.example.com",
            "EMAIL_URL": "smtp+tls://shop:password@mail.example.com:587",
            "SHOP_ALLOW_TEST_PAYMENTS": "true",
            "SHOP_SELLER_ADDRESS": "Hafenstrasse 12, 20457 Hamburg, Germany",
            "SHOP_SELLER_VAT_ID": "DE123456789",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
