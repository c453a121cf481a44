"""Celery beat that runs at most once, however many beat processes are started.

The periodic sweeps are safe to overlap, but two beats would send every task twice, and a
second machine or a restarted container easily starts one more. So a beat only schedules while
it holds the *beat lock*: a key in the broker's Redis, taken with SET NX and an expiry and
renewed on every tick (redis-py's `Lock`: only the holder's token can renew or release it). A
beat that cannot take the lock stands by and tries again every few seconds; when the holder dies
its key expires and a standby takes over within `SHOP_BEAT_LOCK_SECONDS`. A holder that cannot
renew (its key expired, Redis is unreachable) stops sending at once.

The lock lives in the broker's Redis, which must never evict keys (`noeviction`, as in
compose.yaml); a cache instance with `allkeys-lru` could drop the key and let a second beat in.
"""

import contextlib
import logging

import redis
from celery.beat import PersistentScheduler
from django.conf import settings
from redis.exceptions import LockError

logger = logging.getLogger(__name__)

BEAT_LOCK_KEY = "shop:beat-lock"


class SingleBeatScheduler(PersistentScheduler):
    def __init__(self, *args, **kwargs):
        self.lock_seconds = settings.SHOP_BEAT_LOCK_SECONDS
        # Renew well before the key expires, even while no task is due for minutes.
        self.check_interval = self.lock_seconds / 3
        self.lock = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2
        ).lock(BEAT_LOCK_KEY, timeout=self.lock_seconds, thread_local=False)
        self.holds_lock = False
        self.standing_by = False
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        if not self.take_or_renew_lock():
            return self.check_interval
        return min(super().tick(*args, **kwargs), self.check_interval)

    def take_or_renew_lock(self) -> bool:
        """True when this beat holds the lock for the next `lock_seconds`."""
        was_holding, was_standing_by = self.holds_lock, self.standing_by
        try:
            if self.holds_lock:
                self.lock.reacquire()  # resets the expiry; raises if the key is no longer ours
            else:
                self.holds_lock = self.lock.acquire(blocking=False)
        except (LockError, redis.RedisError) as error:
            self.holds_lock = False
            logger.warning("beat: cannot hold the beat lock (%s); not scheduling", error)
        self.standing_by = not self.holds_lock
        if self.holds_lock and not was_holding:
            logger.info("beat: holds the beat lock; scheduling the periodic tasks")
        elif self.standing_by and not was_standing_by:
            logger.info("beat: does not hold the beat lock; standing by")
        return self.holds_lock

    def close(self):
        super().close()
        if self.holds_lock:
            # Released, a standby takes over at once; expired or unreachable, it expires.
            with contextlib.suppress(LockError, redis.RedisError):
                self.lock.release()
            self.holds_lock = False
