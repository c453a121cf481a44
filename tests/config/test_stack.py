"""CI runs the suite on the production parts: PostgreSQL, and Redis as cache and broker."""

import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.django_db
def test_the_suite_runs_on_postgres_and_redis(postgres, redis_url):
    assert connection.vendor == "postgresql"
    assert settings.CACHES["default"]["BACKEND"] == "config.cache.DegradingRedisCache"
    assert redis_url == settings.CELERY_BROKER_URL
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
