"""The per-account slow-down of password guessing (README, "Login throttling").

django-axes locks an (account, address) pair after `AXES_FAILURE_LIMIT` failures. That alone
would let an attacker with many addresses guess one account's password forever, five tries per
address, so on top of it each account has a slow-down counted across all addresses: once it
has `SLOWDOWN_AFTER` recent failures, a try from an address the account never logged in from
must wait a delay after the previous failure, doubling with each failure up to
`SLOWDOWN_MAX_SECONDS`. It delays, it never locks, and it never applies at an address the
customer logged in from before (`KNOWN_ADDRESS_DAYS`), so failures from elsewhere cannot keep
a customer out of their own account at their own address.
"""

import math
from datetime import timedelta

from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone

SLOWDOWN_AFTER = 10
SLOWDOWN_MAX_SECONDS = 60
KNOWN_ADDRESS_DAYS = 90


def login_wait_seconds(*, username: str, ip_address: str) -> int:
    """Seconds this address must still wait before trying this account's password (0: go).

    Counts django-axes' failed attempts on the account within the cool-off, from every
    address; the same whether or not the account exists, so it tells nothing about that.
    """
    now = timezone.now()
    recent = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=now - settings.AXES_COOLOFF_TIME
    ).aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    failures = recent["failures"] or 0
    if failures < SLOWDOWN_AFTER:
        return 0
    known_address = AccessLog.objects.filter(
        username=username,
        ip_address=ip_address,
        attempt_time__gte=now - timedelta(days=KNOWN_ADDRESS_DAYS),
    ).exists()
    if known_address:
        return 0
    delay = min(2 ** (failures - SLOWDOWN_AFTER), SLOWDOWN_MAX_SECONDS)
    remaining = (recent["last"] + timedelta(seconds=delay) - now).total_seconds()
    return max(0, math.ceil(remaining))
