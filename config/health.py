"""`/healthz`: is each dependency reachable? Cheap enough to be polled every few seconds."""

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def database_is_up():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def cache_is_up():
    cache.set("healthz", "ok", timeout=10)
    return cache.get("healthz") == "ok"


def broker_is_up():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True  # tasks run in-process: there is no broker to lose
    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
    )
    try:
        return client.ping()
    finally:
        client.close()


CHECKS = {"database": database_is_up, "cache": cache_is_up, "broker": broker_is_up}


@never_cache
@require_safe  # GET, and HEAD for monitors that only look at the status
def healthz(request):
    states = {}
    for name, check in CHECKS.items():
        try:
            states[name] = "up" if check() else "down"
        except Exception:  # any failure of a dependency means "down", never a 500
            states[name] = "down"
    healthy = all(state == "up" for state in states.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", **states}, status=200 if healthy else 503
    )
