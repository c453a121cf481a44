"""The account page: details, email change behind the current password, password change."""

import pytest

from tests.accounts.helpers import assert_page
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "juniper-canal-58-ribbon"


def test_account_page_needs_a_login(client):
    response = client.get("/accounts/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/"


def test_account_page_shows_the_details_and_links_to_orders_and_addresses(signed_in_client):
    response = signed_in_client.get("/accounts/")
    assert_page(response, "My account")
    html = response.content.decode()
    assert 'href="/orders/"' in html
    assert 'href="/accounts/addresses/"' in html
    assert 'value="Ada Lovelace"' in html
    assert 'value="ada@example.com"' in html
    optional = '<span class="optional" aria-hidden="true">(optional)</span>'
    assert f'<label for="id_full_name">Full name {optional}</label>' in html


def test_changing_the_name_needs_no_password(signed_in_client, user):
    response = signed_in_client.post(
        "/accounts/", {"full_name": "Augusta Ada King", "email": "ada@example.com"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.full_name == "Augusta Ada King"


def test_changing_the_email_needs_the_current_password(signed_in_client, user):
    response = signed_in_client.post(
        "/accounts/", {"full_name": "Ada Lovelace", "email": "countess@example.com"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter your current password to change your email." in html
    user.refresh_from_db()
    assert user.email == "ada@example.com"

    response = signed_in_client.post(
        "/accounts/",
        {"full_name": "Ada Lovelace", "email": "countess@example.com", "current_password": "nope"},
    )
    assert "Your current password is not right." in response.content.decode()
    user.refresh_from_db()
    assert user.email == "ada@example.com"

    response = signed_in_client.post(
        "/accounts/",
        {
            "full_name": "Ada Lovelace",
            "email": "Countess@Example.com",
            "current_password": DEFAULT_PASSWORD,
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "countess@example.com"


def test_the_email_cannot_be_changed_to_another_accounts_email(signed_in_client, user):
    UserFactory(email="charles@example.com")
    response = signed_in_client.post(
        "/accounts/",
        {
            "full_name": "Ada Lovelace",
            "email": "CHARLES@example.com",
            "current_password": DEFAULT_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "Another account already uses this email." in response.content.decode()


def test_password_change_keeps_the_customer_logged_in(signed_in_client, user):
    assert_page(signed_in_client.get("/accounts/password/"), "Change password")
    response = signed_in_client.post(
        "/accounts/password/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response["Location"] == "/accounts/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert signed_in_client.get("/accounts/").status_code == 200


def test_password_change_refuses_a_wrong_current_password_and_weak_passwords(
    signed_in_client, user
):
    response = signed_in_client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": "abc", "new_password2": "abc"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your current password is not right." in html
    assert "This password is too short." in html
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
