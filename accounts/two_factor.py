"""The second step of logging in (django-otp): who needs it, and the half-finished login.

A password that checks out for someone who needs a second factor (every staff member, and
customers who turned it on) does not log them in: the session only remembers, for a few
minutes, who is half-way through. Only a code from their authenticator app, or one of their
recovery codes, finishes the login. Staff without a device yet are sent to set one up first.
"""

import time

import django_otp
from django.contrib.auth import login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

PENDING_SESSION_KEY = "two_factor_pending"
# Time to fetch the phone and type the code; after that the password is asked again.
PENDING_SECONDS = 300


def has_second_factor(user) -> bool:
    """Whether the user has a confirmed authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_required(user) -> bool:
    return user.is_staff or has_second_factor(user)


def begin(request, *, user, next_url: str) -> None:
    """Remember that `user` gave the right password; a new session key, so a key planted on
    the browser beforehand cannot ride along into the second step."""
    request.session.cycle_key()
    request.session[PENDING_SESSION_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "next": next_url,
        "since": time.time(),
    }


def pending_user(request) -> User | None:
    """The user half-way through logging in with this session, or None (also once expired)."""
    pending = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("since", 0) > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=pending.get("user"), is_active=True).first()


def pending_next_url(request) -> str:
    return request.session.get(PENDING_SESSION_KEY, {}).get("next", "")


def verified_device(user, code: str):
    """The user's device that accepts `code` (an authenticator code or an unused recovery
    code, which is then used up), or None. django-otp slows down guessing per device."""
    code = "".join(code.split()).lower()
    devices = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    for device in devices:
        verified = django_otp.verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


def finish_login(request, *, user, device) -> str:
    """Log the user in, verified by `device`; returns where they were going."""
    pending = request.session.pop(PENDING_SESSION_KEY, {})
    login(request, user, backend=pending.get("backend"))
    django_otp.login(request, device)
    return pending.get("next", "")
