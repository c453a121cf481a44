"""Login throttling as the contract states it, with each client at its own address behind a
trusted reverse proxy (SHOP_TRUSTED_PROXIES): django-axes locks an (account, address) pair,
and accounts/throttling.py slows down guessing one account from many addresses without ever
locking the customer out at an address they log in from."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts import throttling
from tests.accounts.helpers import assert_page
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
HOME = "198.51.100.7"  # where Ada logs in from
WRONG = "not-the-password"


@pytest.fixture(autouse=True)
def behind_a_proxy(settings):
    settings.SHOP_TRUSTED_PROXIES = 1


@pytest.fixture
def ada():
    return UserFactory(email="ada@example.com")


def log_in(email, password, ip):
    """A login from a fresh browser at `ip`, as the proxy forwards it."""
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"6.6.6.6, {ip}",  # the left entry is forged by the client
    )
    response.logged_in = "_auth_user_id" in client.session
    return response


def fail_from_many_addresses(clock, email, count):
    """`count` failed logins for `email`, at most four from any one address, each after the
    slow-down's longest wait (so each is checked and counted), within the cool-off."""
    for n in range(count):
        clock.shift(throttling.SLOWDOWN_MAX_SECONDS)
        assert log_in(email, WRONG, ip=f"203.0.113.{n // 4}").status_code == 200


def test_five_failures_lock_the_account_at_that_address_only(ada):
    for _ in range(4):
        assert log_in("ada@example.com", WRONG, ip="203.0.113.5").status_code == 200
    response = log_in("ada@example.com", WRONG, ip="203.0.113.5")
    assert_page(response, "Too many failed logins", status=429)
    assert "paused for 15 minutes" in response.text

    # Locked at that address: even the right password is refused there.
    assert log_in("ada@example.com", DEFAULT_PASSWORD, ip="203.0.113.5").status_code == 429

    # Failures from elsewhere never lock Ada out at her own address.
    assert log_in("ada@example.com", DEFAULT_PASSWORD, ip=HOME).logged_in


def test_failures_from_one_address_never_block_another_account_there(ada):
    office = "192.0.2.66"  # one address for everyone behind the office's NAT
    for n in range(5):
        log_in(f"guess{n}@example.com", WRONG, ip=office)
    for _ in range(5):
        log_in("mallory@example.com", WRONG, ip=office)
    assert log_in("mallory@example.com", WRONG, ip=office).status_code == 429

    assert log_in("ada@example.com", DEFAULT_PASSWORD, ip=office).logged_in


def test_changing_the_case_of_the_email_does_not_dodge_the_lock(ada):
    for email in ["ada@example.com", "Ada@example.com", "ADA@example.com", "ada@EXAMPLE.com"]:
        log_in(email, WRONG, ip="203.0.113.5")
    log_in("aDa@example.com", WRONG, ip="203.0.113.5")
    assert log_in("ada@example.com", DEFAULT_PASSWORD, ip="203.0.113.5").status_code == 429


def test_the_lock_lifts_after_the_cool_off(ada):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            log_in("ada@example.com", WRONG, ip=HOME)
        assert log_in("ada@example.com", DEFAULT_PASSWORD, ip=HOME).status_code == 429
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert log_in("ada@example.com", DEFAULT_PASSWORD, ip=HOME).logged_in


def test_logging_in_clears_only_the_failures_of_that_account_at_that_address(ada):
    mallory = UserFactory(email="mallory@example.com")
    for _ in range(4):
        log_in("ada@example.com", WRONG, ip="203.0.113.9")
        log_in(mallory.email, WRONG, ip="203.0.113.9")
    assert log_in(mallory.email, DEFAULT_PASSWORD, ip="203.0.113.9").logged_in

    # Mallory's own failures are forgiven; those against Ada from her address are not.
    assert log_in(mallory.email, WRONG, ip="203.0.113.9").status_code == 200
    assert log_in("ada@example.com", WRONG, ip="203.0.113.9").status_code == 429


def test_guessing_from_many_addresses_never_locks_the_customer_out_at_home(ada):
    # given Ada has logged in from home before
    assert log_in("ada@example.com", DEFAULT_PASSWORD, ip=HOME).logged_in

    with time_machine.travel(timezone.now(), tick=False) as clock:
        # when an attacker fails 14 times from four addresses, never reaching a pair's limit
        fail_from_many_addresses(clock, "ada@example.com", 14)

        # then Ada still logs in at home, at once
        assert log_in("ada@example.com", DEFAULT_PASSWORD, ip=HOME).logged_in


def test_guessing_from_many_addresses_slows_new_addresses_down_without_locking(ada):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        fail_from_many_addresses(clock, "ada@example.com", throttling.SLOWDOWN_AFTER + 3)

        # A try from yet another address must wait: 2**3 seconds after the last failure.
        clock.shift(3)
        response = log_in("ada@example.com", DEFAULT_PASSWORD, ip="192.0.2.200")
        assert response.status_code == 429
        assert response["Retry-After"] == "5"
        assert "Please wait 5 seconds and try again." in response.text
        assert not response.logged_in

        # It is a delay, not a lock: after the wait the right password works from there.
        clock.shift(5)
        assert log_in("ada@example.com", DEFAULT_PASSWORD, ip="192.0.2.200").logged_in


def test_the_slow_down_grows_to_at_most_a_minute(ada):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        fail_from_many_addresses(clock, "ada@example.com", throttling.SLOWDOWN_AFTER + 6)
        response = log_in("ada@example.com", DEFAULT_PASSWORD, ip="192.0.2.200")
    assert response["Retry-After"] == str(throttling.SLOWDOWN_MAX_SECONDS)  # not 2**6


def test_a_slowed_down_try_is_not_checked_and_not_counted(ada):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        fail_from_many_addresses(clock, "ada@example.com", throttling.SLOWDOWN_AFTER)
        for _ in range(20):  # hammering while slowed down neither counts nor prolongs it
            assert log_in("ada@example.com", WRONG, ip="192.0.2.200").status_code == 429
        clock.shift(1)
        assert log_in("ada@example.com", DEFAULT_PASSWORD, ip="192.0.2.200").logged_in


def test_the_slow_down_answers_alike_for_accounts_that_do_not_exist(ada):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        fail_from_many_addresses(clock, "ada@example.com", throttling.SLOWDOWN_AFTER + 1)
        for_ada = log_in("ada@example.com", WRONG, ip="192.0.2.200")
        fail_from_many_addresses(clock, "nobody@example.com", throttling.SLOWDOWN_AFTER + 1)
        for_nobody = log_in("nobody@example.com", WRONG, ip="192.0.2.200")
    assert for_ada.status_code == for_nobody.status_code == 429
    assert for_ada["Retry-After"] == for_nobody["Retry-After"] == "2"
    message = "Please wait 2 seconds and try again."
    assert message in for_ada.text and message in for_nobody.text


@pytest.mark.parametrize("remote_addr", ["", "unix:", "not-an-address", "[::1]:8000"])
def test_an_empty_or_odd_remote_addr_never_breaks_login_signup_or_reset(
    client, settings, remote_addr
):
    settings.SHOP_TRUSTED_PROXIES = 0
    login = client.post(
        "/accounts/login/",
        {"username": "x@example.com", "password": WRONG},
        REMOTE_ADDR=remote_addr,
    )
    signup = client.post(
        "/accounts/signup/",
        {"email": "new@example.com", "password1": "walnut-orbit-84", "password2": "nope"},
        REMOTE_ADDR=remote_addr,
    )
    reset = client.post(
        "/accounts/password-reset/", {"email": "x@example.com"}, REMOTE_ADDR=remote_addr
    )
    assert (login.status_code, signup.status_code, reset.status_code) == (200, 200, 302)


def test_sign_ups_allow_twenty_an_hour_from_one_address_and_others_are_not_affected():
    def sign_up(n, ip):
        return Client().post(
            "/accounts/signup/",
            {
                "email": f"person{n}@example.com",
                "password1": "walnut-orbit-84-canvas",
                "password2": "walnut-orbit-84-canvas",
            },
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=ip,
        )

    assert all(sign_up(n, "192.0.2.10").status_code == 302 for n in range(30))
    assert sign_up(30, "192.0.2.10").status_code == 429
    assert sign_up(31, "192.0.2.11").status_code == 302
