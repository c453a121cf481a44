"""CSRF protection on every state-changing account form."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.http import urlsafe_base64_encode

from tests.factories import AddressFactory, UserFactory

pytestmark = pytest.mark.django_db

ANONYMOUS_FORMS = ["/accounts/signup/", "/accounts/login/", "/accounts/password-reset/"]
SIGNED_IN_FORMS = [
    "/accounts/",
    "/accounts/password/",
    "/accounts/addresses/add/",
    "/accounts/addresses/{pk}/edit/",
    "/accounts/addresses/{pk}/delete/",
    "/accounts/delete/",
]
SIGNED_IN_BUTTONS = [
    "/accounts/logout/",
    "/accounts/addresses/{pk}/default-shipping/",
    "/accounts/addresses/{pk}/default-billing/",
]


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def signed_in_csrf_client(csrf_client):
    user = UserFactory()
    csrf_client.force_login(user)
    csrf_client.address = AddressFactory(user=user)
    return csrf_client


def form_token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("path", ANONYMOUS_FORMS)
def test_anonymous_forms_refuse_a_post_without_the_token(csrf_client, path):
    assert csrf_client.post(path, {"email": "a@example.com"}).status_code == 403


@pytest.mark.parametrize("path", ANONYMOUS_FORMS)
def test_anonymous_forms_carry_a_token_that_is_accepted(csrf_client, path):
    token = form_token(csrf_client.get(path).content.decode())
    response = csrf_client.post(path, {"csrfmiddlewaretoken": token, "email": "a@example.com"})
    assert response.status_code != 403


@pytest.mark.parametrize("path", SIGNED_IN_FORMS + SIGNED_IN_BUTTONS)
def test_signed_in_forms_refuse_a_post_without_the_token(signed_in_csrf_client, path):
    path = path.format(pk=signed_in_csrf_client.address.pk)
    assert signed_in_csrf_client.post(path, {}).status_code == 403


@pytest.mark.parametrize("path", SIGNED_IN_FORMS)
def test_signed_in_forms_carry_a_token_that_is_accepted(signed_in_csrf_client, path):
    path = path.format(pk=signed_in_csrf_client.address.pk)
    token = form_token(signed_in_csrf_client.get(path).content.decode())
    assert signed_in_csrf_client.post(path, {"csrfmiddlewaretoken": token}).status_code != 403


def test_address_book_buttons_carry_tokens(signed_in_csrf_client):
    html = signed_in_csrf_client.get("/accounts/addresses/").content.decode()
    forms = re.findall(r'<form [^>]*method="post".*?</form>', html, flags=re.S)
    assert len(forms) == 3  # log out, default shipping, default billing
    assert all('name="csrfmiddlewaretoken"' in form for form in forms)


def test_the_reset_link_form_refuses_a_post_without_the_token(csrf_client):
    user = UserFactory()
    uid = urlsafe_base64_encode(str(user.pk).encode())
    token = default_token_generator.make_token(user)
    form_url = csrf_client.get(f"/accounts/reset/{uid}/{token}/")["Location"]
    password = "tangerine-window-61-harp"
    data = {"new_password1": password, "new_password2": password}
    assert csrf_client.post(form_url, data).status_code == 403
    data["csrfmiddlewaretoken"] = form_token(csrf_client.get(form_url).content.decode())
    assert csrf_client.post(form_url, data).status_code == 302
