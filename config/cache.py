"""The Redis cache backend of the shop: it degrades instead of failing.

The cache only ever speeds things up (catalog pages and queries) or brakes abuse (sign-up and
reset limits), so while Redis is unreachable every operation answers as an empty cache would —
a miss, a refused `add`, nothing deleted — and logs a warning: pages are rendered from the
database and the limits let requests through. After a connection failure the cache is skipped
for a few seconds (`Circuit`), so a dead Redis costs each process one short socket timeout per
window rather than one per cache call.

Every thread of a process shares one client and its connection pool (Django's own backend makes
one per thread).
"""

import logging
import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property
from redis.exceptions import ConnectionError, RedisError, TimeoutError

from config.circuit import Circuit

logger = logging.getLogger(__name__)

# Seconds a failed connection keeps the cache skipped in this process.
SKIP_AFTER_FAILURE_SECONDS = 5
_MISSING = object()


class DegradingRedisCacheClient(RedisCacheClient):
    """Django's Redis client, answering like an empty cache when Redis is unreachable."""

    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self.circuit = Circuit(SKIP_AFTER_FAILURE_SECONDS)

    def _run(self, command, *args, fallback):
        if self.circuit.is_open():
            return fallback
        try:
            return command(*args)
        except (ConnectionError, TimeoutError) as error:
            self.circuit.trip()
            logger.warning(
                "Cache unreachable, skipped for %ss: %s", SKIP_AFTER_FAILURE_SECONDS, error
            )
        except RedisError as error:  # e.g. out of memory, read-only replica: this call only
            logger.warning("Cache command failed: %s", error)
        return fallback

    def ping(self):
        """Raises unless Redis answers now (ignores the circuit: for health checks)."""
        return self.get_client(write=True).ping()

    def add(self, key, value, timeout):
        return self._run(super().add, key, value, timeout, fallback=False)

    def get(self, key, default):
        return self._run(super().get, key, default, fallback=default)

    def set(self, key, value, timeout):
        return self._run(super().set, key, value, timeout, fallback=None)

    def touch(self, key, timeout):
        return self._run(super().touch, key, timeout, fallback=False)

    def delete(self, key):
        return self._run(super().delete, key, fallback=False)

    def get_many(self, keys):
        return self._run(super().get_many, keys, fallback={})

    def has_key(self, key):
        return self._run(super().has_key, key, fallback=False)

    def incr(self, key, delta):
        value = self._run(super().incr, key, delta, fallback=_MISSING)
        if value is _MISSING:
            # What Django's caches raise for a missing key: counters start again from scratch.
            raise ValueError(f"Key {key!r} not found (the cache is unreachable).")
        return value

    def set_many(self, data, timeout):
        return self._run(super().set_many, data, timeout, fallback=None)

    def delete_many(self, keys):
        return self._run(super().delete_many, keys, fallback=None)

    def clear(self):
        return self._run(super().clear, fallback=False)


_clients = {}
_clients_lock = threading.Lock()


class DegradingRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache` on a `DegradingRedisCacheClient`, one
    client per process and location."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = DegradingRedisCacheClient

    @cached_property
    def _cache(self):
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with _clients_lock:
            if key not in _clients:
                _clients[key] = self._class(self._servers, **self._options)
            return _clients[key]

    def ping(self):
        return self._cache.ping()
