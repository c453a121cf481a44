"""Logging in and out, safe `next` redirects, and django-axes' lockouts with their cool-off."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.utils import timezone

from tests.accounts.helpers import assert_page
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

WRONG = "not-the-password"


def log_in(client, email, password, ip="198.51.100.7", **query):
    return client.post(
        "/accounts/login/", {"username": email, "password": password, **query}, REMOTE_ADDR=ip
    )


def is_logged_in(client):
    return "_auth_user_id" in client.session


def test_login_page_has_the_contract_labels_and_button(client):
    response = client.get("/accounts/login/")
    assert_page(response, "Log in")
    html = response.content.decode()
    assert '<label for="id_username">Email</label>' in html
    assert 'type="email" name="username"' in html
    assert '<label for="id_password">Password</label>' in html
    assert '<button type="submit">Log in</button>' in html


def test_login_with_the_right_password_logs_in_and_goes_to_the_account(client, user):
    response = log_in(client, "ada@example.com", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/"
    assert is_logged_in(client)


def test_login_accepts_the_email_in_any_case(client, user):
    log_in(client, "ADA@Example.COM", DEFAULT_PASSWORD)
    assert is_logged_in(client)


def test_login_with_a_wrong_password_shows_a_clear_error(client, user):
    response = log_in(client, "ada@example.com", WRONG)
    assert_page(response, "Log in")
    assert "The email or password is not right." in response.content.decode()
    assert not is_logged_in(client)


def test_login_returns_to_the_page_the_customer_came_from(client, user):
    page = client.get("/accounts/login/?next=/orders/")
    assert 'name="next" value="/orders/"' in page.content.decode()
    response = log_in(client, "ada@example.com", DEFAULT_PASSWORD, next="/orders/")
    assert response["Location"] == "/orders/"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example", "///evil.example", "https:evil.example"],
)
def test_login_ignores_an_external_next(client, user, target):
    response = client.post(
        f"/accounts/login/?next={target}",
        {"username": "ada@example.com", "password": DEFAULT_PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/"


def test_logout_is_post_only_and_logs_out(signed_in_client):
    assert signed_in_client.get("/accounts/logout/").status_code == 405
    assert is_logged_in(signed_in_client)
    response = signed_in_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not is_logged_in(signed_in_client)


def test_five_failures_lock_the_account_even_from_different_addresses(client, user):
    for n in range(4):
        response = log_in(client, "ada@example.com", WRONG, ip=f"203.0.113.{n}")
        assert response.status_code == 200
    response = log_in(client, "ada@example.com", WRONG, ip="203.0.113.4")
    assert_page(response, "Too many failed logins", status=429)
    assert "paused for 15 minutes" in response.content.decode()

    # Locked: even the right password from a fresh address is refused.
    response = log_in(client, "ada@example.com", DEFAULT_PASSWORD, ip="203.0.113.99")
    assert response.status_code == 429
    assert not is_logged_in(client)


def test_changing_the_case_of_the_email_does_not_dodge_the_account_lockout(client, user):
    for n, email in enumerate(
        [
            "ada@example.com",
            "Ada@example.com",
            "ADA@example.com",
            "ada@EXAMPLE.com",
            "aDa@example.com",
        ]
    ):
        log_in(client, email, WRONG, ip=f"203.0.113.{n}")
    response = log_in(client, "ada@example.com", DEFAULT_PASSWORD, ip="203.0.113.50")
    assert response.status_code == 429


def test_five_failures_from_one_address_lock_that_address_for_every_account(client, user):
    for n in range(5):
        log_in(client, f"guess{n}@example.com", WRONG, ip="203.0.113.66")
    response = log_in(client, "ada@example.com", DEFAULT_PASSWORD, ip="203.0.113.66")
    assert response.status_code == 429
    assert not is_logged_in(client)

    # The account itself is not locked: its owner logs in from elsewhere.
    response = log_in(client, "ada@example.com", DEFAULT_PASSWORD, ip="198.51.100.20")
    assert response.status_code == 302
    assert is_logged_in(client)


def test_lockout_lifts_after_the_cool_off(client, user):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            log_in(client, "ada@example.com", WRONG)
        assert log_in(client, "ada@example.com", DEFAULT_PASSWORD).status_code == 429
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        response = log_in(client, "ada@example.com", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_an_attempt_during_the_lockout_starts_the_cool_off_again(client, user):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            log_in(client, "ada@example.com", WRONG)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert log_in(client, "ada@example.com", DEFAULT_PASSWORD).status_code == 429
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        assert log_in(client, "ada@example.com", DEFAULT_PASSWORD).status_code == 429
    with time_machine.travel(start + timedelta(minutes=36), tick=False):
        assert log_in(client, "ada@example.com", DEFAULT_PASSWORD).status_code == 302


def test_logging_in_to_another_account_keeps_the_failures_against_this_one(client, user):
    attacker = UserFactory(email="mallory@example.com")
    for _ in range(4):
        log_in(client, "ada@example.com", WRONG, ip="203.0.113.9")
    log_in(client, attacker.email, DEFAULT_PASSWORD, ip="203.0.113.9")
    client.logout()

    response = log_in(client, "ada@example.com", WRONG, ip="192.0.2.44")
    assert response.status_code == 429
    response = log_in(client, "ada@example.com", DEFAULT_PASSWORD, ip="192.0.2.45")
    assert response.status_code == 429


def test_an_overlong_email_is_a_form_error_and_records_no_attempt(client, user):
    # django-axes stores the username of a failed login in a 255-character column; a longer
    # one failed that INSERT (a 500 on PostgreSQL).
    overlong = "a" * 250 + "@example.com"

    response = log_in(client, overlong, WRONG)

    assert response.status_code == 200
    assert "Ensure this value has at most 254 characters" in response.text
    assert not AccessAttempt.objects.filter(username__startswith="aaaa").exists()
    assert not is_logged_in(client)
