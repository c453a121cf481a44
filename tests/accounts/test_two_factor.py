"""Two-factor authentication: staff reach the admin only after a second factor; customers may
turn it on. Everything goes through the real pages and django-otp's devices."""

import base64
import re
import time

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import PENDING_SECONDS
from tests.factories import DEFAULT_PASSWORD, OrderFactory, UserFactory
from tests.two_factor import (
    LOGIN_URL,
    SECOND_STEP_URL,
    current_code,
    give_authenticator,
    log_in_with_second_factor,
    new_recovery_code,
)

pytestmark = pytest.mark.django_db

SETUP_URL = "/accounts/two-factor/setup/"
CODES_URL = "/accounts/two-factor/recovery-codes/"


def log_in(client, user, password=DEFAULT_PASSWORD, **extra):
    return client.post(LOGIN_URL, {"username": user.email, "password": password, **extra})


def admin_is_open(client):
    response = client.get("/admin/")
    return response.status_code == 200


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)


def test_a_staff_password_alone_lands_on_the_second_step_not_in_the_admin(client, staff):
    give_authenticator(staff)

    response = log_in(client, staff, next="/admin/")

    assert response.status_code == 302
    assert response.url == SECOND_STEP_URL
    assert "_auth_user_id" not in client.session
    assert not admin_is_open(client)
    page = client.get(SECOND_STEP_URL)
    assert "<h1>Two-factor authentication</h1>" in page.text
    assert '<label for="id_code">Code</label>' in page.text


def test_the_authenticator_code_opens_the_admin(client, staff):
    device = give_authenticator(staff)
    log_in(client, staff, next="/admin/")

    response = client.post(SECOND_STEP_URL, {"code": current_code(device)})

    assert response.status_code == 302
    assert response.url == "/admin/"
    assert admin_is_open(client)


def test_a_wrong_code_is_an_error_and_logs_nobody_in(client, staff):
    device = give_authenticator(staff)
    log_in(client, staff)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"

    response = client.post(SECOND_STEP_URL, {"code": wrong})

    assert response.status_code == 200
    assert "That code is not right." in response.text
    assert not admin_is_open(client)


def test_a_recovery_code_works_once(client, staff):
    give_authenticator(staff)
    code = new_recovery_code(staff)
    log_in(client, staff)
    assert client.post(SECOND_STEP_URL, {"code": code.upper()}).status_code == 302
    assert admin_is_open(client)

    client.post("/accounts/logout/")
    log_in(client, staff)
    response = client.post(SECOND_STEP_URL, {"code": code})
    assert "That code is not right." in response.text
    assert not admin_is_open(client)


def test_the_half_finished_login_expires(client, staff):
    give_authenticator(staff)
    log_in(client, staff)
    code = new_recovery_code(staff)

    with time_machine.travel(time.time() + PENDING_SECONDS + 1):
        response = client.post(SECOND_STEP_URL, {"code": code})

    assert response.status_code == 302
    assert response.url == LOGIN_URL
    assert not admin_is_open(client)


def test_a_session_without_the_second_factor_is_kept_out_of_the_admin(client, staff):
    # A session logged in some other way (e.g. from before two-factor authentication).
    client.force_login(staff)
    response = client.get("/admin/orders/order/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    assert client.get(response.url).url.startswith(f"{LOGIN_URL}?next=")


def test_staff_without_an_authenticator_set_one_up_at_their_first_login(client, staff):
    response = log_in(client, staff, next="/admin/")
    assert response.url == SETUP_URL

    # the setup page shows a QR code (inline SVG) and the secret as text
    page = client.get(SETUP_URL)
    assert "<h1>Set up two-factor authentication</h1>" in page.text
    assert re.search(r'<div class="qr-code"[^>]*><svg ', page.text)
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page.text).group(1)
    assert secret.replace(" ", "") == base64.b32encode(device.bin_key).decode()
    assert not admin_is_open(client)

    # when they confirm with the code from the app
    response = client.post(SETUP_URL, {"code": current_code(device)})

    # then they see their recovery codes once, and are in
    assert response.url == CODES_URL
    codes_page = client.get(CODES_URL)
    codes = re.findall(r"<li><code>(\w+)</code></li>", codes_page.text)
    assert len(codes) == 10
    assert set(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True)) == (
        set(codes)
    )
    assert 'href="/admin/"' in codes_page.text
    assert client.get(CODES_URL).url == "/accounts/"
    assert admin_is_open(client)


def test_the_setup_page_refuses_a_wrong_code(client, staff):
    log_in(client, staff)
    client.get(SETUP_URL)
    response = client.post(SETUP_URL, {"code": "000000"})
    assert "That code is not right." in response.text
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()


def test_a_customer_turns_two_factor_on_and_then_needs_it_to_log_in(client):
    customer = UserFactory(email="careful@example.com")
    client.force_login(customer)
    assert "Off: your password alone logs you in." in client.get("/accounts/").text

    client.get(SETUP_URL)
    device = TOTPDevice.objects.get(user=customer)
    assert client.post(SETUP_URL, {"code": current_code(device)}).url == CODES_URL
    assert "On: logging in asks for a code" in client.get("/accounts/").text

    client.post("/accounts/logout/")
    response = log_in(client, customer)
    assert response.url == SECOND_STEP_URL
    assert "_auth_user_id" not in client.session

    response = client.post(SECOND_STEP_URL, {"code": new_recovery_code(customer)})
    assert response.url == "/accounts/"
    assert client.get("/accounts/").status_code == 200


def test_a_customer_turns_two_factor_off_with_their_password(client):
    customer = UserFactory(email="careful@example.com")
    log_in_with_second_factor(client, customer)

    response = client.post("/accounts/two-factor/turn-off/", {"password": "wrong"})
    assert "Your password is not right." in response.text
    assert TOTPDevice.objects.filter(user=customer).exists()

    client.post("/accounts/two-factor/turn-off/", {"password": DEFAULT_PASSWORD})
    assert not TOTPDevice.objects.filter(user=customer).exists()
    client.post("/accounts/logout/")
    assert log_in(client, customer).url == "/accounts/"


def test_staff_cannot_turn_two_factor_off(client, staff):
    log_in_with_second_factor(client, staff)
    client.post("/accounts/two-factor/turn-off/", {"password": DEFAULT_PASSWORD})
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).exists()


def test_new_recovery_codes_replace_the_old_ones(client, staff):
    old = new_recovery_code(staff)
    log_in_with_second_factor(client, staff)

    assert client.post(CODES_URL).url == CODES_URL
    codes = re.findall(r"<li><code>(\w+)</code></li>", client.get(CODES_URL).text)

    assert len(codes) == 10
    assert old not in codes
    assert not StaticToken.objects.filter(token=old).exists()


def test_the_demo_admin_logs_in_with_the_printed_recovery_code(client, settings, capsys):
    settings.DEBUG = True
    call_command("ensure_demo_admin")
    code = re.search(r"recovery code (\w+)", capsys.readouterr().out).group(1)

    client.post(LOGIN_URL, {"username": "admin@example.com", "password": "admin"})
    client.post(SECOND_STEP_URL, {"code": code})

    assert admin_is_open(client)


def test_staff_see_customers_orders_on_the_shop_only_after_the_second_factor(client):
    order = OrderFactory(customer=UserFactory())
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_order"))

    client.force_login(staff)
    assert client.get(f"/orders/{order.number}/").status_code == 404

    client.post("/accounts/logout/")
    log_in_with_second_factor(client, staff)
    assert client.get(f"/orders/{order.number}/").status_code == 200
