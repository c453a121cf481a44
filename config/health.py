"""`/healthz`: is each dependency reachable? Answers within a second, whatever is down.

The checks run at once, each in a thread of its own, and one that has not answered after
`TIMEOUT_SECONDS` counts as "down". That bounds the answer also where a client library waits
longer (libpq's `connect_timeout` cannot go below 2 seconds, and a host that drops packets
makes it wait that long); a late check ends on its own timeout in the background.
"""

import threading
import time

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

TIMEOUT_SECONDS = 0.8


def database_is_up(connection=None):
    """`connection`: the default database's, opened by (and closed after) this check."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    finally:
        connection.close()


def cache_is_up():
    ping = getattr(cache, "ping", None)  # the Redis backend (config/cache.py)
    if ping is not None:
        return ping()
    cache.set("healthz", "ok", timeout=10)
    return cache.get("healthz") == "ok"


def broker_is_up():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True  # tasks run in-process: there is no broker to lose
    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=0.5, socket_timeout=0.5
    )
    try:
        return client.ping()
    finally:
        client.close()


CHECKS = {"database": database_is_up, "cache": cache_is_up, "broker": broker_is_up}


def check_all(checks, timeout=TIMEOUT_SECONDS):
    """{name: "up" or "down"} for each check, after at most `timeout` seconds."""
    states = {}

    def run(name, check):
        try:
            states[name] = "up" if check() else "down"
        except Exception:  # any failure of a dependency means "down", never a 500
            states[name] = "down"

    threads = [
        threading.Thread(target=run, args=(name, check), daemon=True)
        for name, check in checks.items()
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return {name: states.get(name, "down") for name in checks}


@never_cache
@require_safe  # GET, and HEAD for monitors that only look at the status
def healthz(request):
    states = check_all(CHECKS)
    healthy = all(state == "up" for state in states.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", **states}, status=200 if healthy else 503
    )
