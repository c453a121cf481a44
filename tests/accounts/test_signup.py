"""Sign-up: the form, password rules, logging in on success, safe `next`, the throttle."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.accounts.helpers import assert_page
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
GOOD_PASSWORD = "plum-harbour-47-lantern"


def signup_data(email="new@example.com", password=GOOD_PASSWORD, confirm=None, **extra):
    return {"email": email, "password1": password, "password2": confirm or password, **extra}


def test_signup_page_has_the_contract_labels_and_button(client):
    response = client.get("/accounts/signup/")
    assert_page(response, "Sign up")
    html = response.content.decode()
    assert '<label for="id_email">Email</label>' in html
    assert '<label for="id_password1">Password</label>' in html
    assert '<label for="id_password2">Confirm password</label>' in html
    assert '<button type="submit">Sign up</button>' in html


def test_signup_creates_the_account_and_logs_the_customer_in(client):
    response = client.post("/accounts/signup/", signup_data(email="New@Example.com"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/"
    user = User.objects.get()
    assert user.email == "new@example.com"
    assert user.check_password(GOOD_PASSWORD)
    assert client.get("/accounts/").context["user"] == user


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "This password is too short."),
        ("password123", "This password is too common."),
        ("83749273649182", "This password is entirely numeric."),
        ("new@example.com", "The password is too similar to the email address."),
    ],
)
def test_signup_applies_the_password_validators(client, password, message):
    response = client.post("/accounts/signup/", signup_data(password=password))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_signup_shows_clear_errors_for_mismatch_and_bad_email(client):
    response = client.post(
        "/accounts/signup/",
        signup_data(email="not-an-email", password=GOOD_PASSWORD, confirm="something-else-9"),
    )
    html = response.content.decode()
    assert_page(response, "Sign up")
    assert '<h2 id="error-summary-title">There is a problem</h2>' in html
    assert '<a href="#id_email">Enter a valid email address.</a>' in html
    assert "The two password fields didn’t match." in html
    assert 'aria-invalid="true"' in html


def test_signup_refuses_an_email_that_has_an_account_whatever_its_case(client):
    UserFactory(email="taken@example.com")
    response = client.post("/accounts/signup/", signup_data(email="TAKEN@example.com"))
    assert response.status_code == 200
    assert "An account with this email already exists." in response.content.decode()
    assert User.objects.count() == 1


def test_signup_that_loses_a_race_for_the_email_gets_a_form_error_not_a_500(client, monkeypatch):
    # given: another sign-up took the email after this form checked it
    from accounts.forms import SignupForm

    monkeypatch.setattr(SignupForm, "clean_email", lambda form: form.cleaned_data["email"])
    monkeypatch.setattr(SignupForm, "validate_unique", lambda form: None)
    UserFactory(email="raced@example.com")

    # when
    response = client.post("/accounts/signup/", signup_data(email="raced@example.com"))

    # then
    assert response.status_code == 200
    assert "An account with this email already exists." in response.content.decode()
    assert User.objects.count() == 1
    assert "_auth_user_id" not in client.session


def test_signup_returns_to_a_safe_next_page(client):
    response = client.post("/accounts/signup/?next=/cart/", signup_data())
    assert response["Location"] == "/cart/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_signup_ignores_an_external_next(client, target):
    response = client.post("/accounts/signup/", signup_data(next=target))
    assert response["Location"] == "/accounts/"


def test_signup_allows_twenty_an_hour_from_one_address_and_throttles_beyond_thirty(client):
    for n in range(30):
        response = client.post("/accounts/signup/", signup_data(email=f"person{n}@example.com"))
        assert response.status_code == 302, n
        client.logout()
    assert User.objects.count() == 30

    response = client.post("/accounts/signup/", signup_data(email="one-more@example.com"))
    assert response.status_code == 429
    assert "Too many sign-ups from your network." in response.content.decode()
    assert not User.objects.filter(email="one-more@example.com").exists()

    # Another address is not affected.
    response = client.post(
        "/accounts/signup/", signup_data(email="elsewhere@example.com"), REMOTE_ADDR="192.0.2.8"
    )
    assert response.status_code == 302


def test_signup_throttle_lifts_after_the_hour(client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(31):
            client.post("/accounts/signup/", signup_data(email=f"person{n}@example.com"))
            client.logout()
        assert not User.objects.filter(email="person30@example.com").exists()
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        response = client.post("/accounts/signup/", signup_data(email="later@example.com"))
    assert response.status_code == 302
