"""Logging in and out and safe `next` redirects (throttling: test_throttling.py)."""

import pytest
from axes.models import AccessAttempt

from tests.accounts.helpers import assert_page
from tests.factories import DEFAULT_PASSWORD

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


def test_an_overlong_email_is_a_form_error_and_records_no_attempt(client, user):
    # django-axes stores the username of a failed login in a 255-character column; a longer
    # one failed that INSERT (a 500 on PostgreSQL).
    overlong = "a" * 250 + "@example.com"

    response = log_in(client, overlong, WRONG)

    assert response.status_code == 200
    assert "Ensure this value has at most 254 characters" in response.text
    assert not AccessAttempt.objects.filter(username__startswith="aaaa").exists()
    assert not is_logged_in(client)
