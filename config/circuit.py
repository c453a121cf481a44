"""A per-process circuit breaker for the shop's network dependencies (cache, broker).

After a connection failure the dependency is skipped for a few seconds: a dead or unreachable
Redis then costs one short timeout per process and window, instead of one per call, so no
request waits on it for long.
"""

import threading
import time


class Circuit:
    """Open (skip the dependency) for `seconds` after `trip()`; closed otherwise."""

    def __init__(self, seconds):
        self.seconds = seconds
        self._open_until = 0.0
        self._lock = threading.Lock()

    def is_open(self):
        return time.monotonic() < self._open_until

    def trip(self):
        with self._lock:
            self._open_until = time.monotonic() + self.seconds

    def close(self):
        with self._lock:
            self._open_until = 0.0
