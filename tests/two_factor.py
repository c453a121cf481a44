"""Logging staff (or customers with two-factor authentication) in the way people do: the
password on the login page, then a code on the second step.

The user gets a confirmed authenticator (TOTP) device if they have none, and a fresh
single-use recovery code for each login, so any number of logins in one test all pass the
real second step (an authenticator code is good only once per 30 seconds).
"""

from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import DEFAULT_PASSWORD

LOGIN_URL = "/accounts/login/"
SECOND_STEP_URL = "/accounts/two-factor/"


def give_authenticator(user):
    """A confirmed authenticator device for `user` (the existing one if there is one)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def current_code(device):
    """What the authenticator app shows now for `device`."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def new_recovery_code(user):
    device, _ = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": "Recovery codes", "confirmed": True}
    )
    return device.token_set.create(token=StaticToken.random_token()).token


def log_in_with_second_factor(client, user, password=DEFAULT_PASSWORD, next_url=""):
    """Log `user` in through both steps; returns the last response (the redirect onwards)."""
    give_authenticator(user)
    data = {"username": user.email, "password": password}
    if next_url:
        data["next"] = next_url
    response = client.post(LOGIN_URL, data)
    assert response.status_code == 302 and response.url == SECOND_STEP_URL, response
    response = client.post(SECOND_STEP_URL, {"code": new_recovery_code(user)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response
