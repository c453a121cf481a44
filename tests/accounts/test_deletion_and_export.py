"""Account deletion (personal data gone, orders kept) and the JSON export of one's own data."""

import json
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Address
from orders.models import Cart, Order
from tests.accounts.helpers import assert_page
from tests.factories import (
    DEFAULT_PASSWORD,
    AddressFactory,
    OrderFactory,
    OrderLineFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_deletion_page_explains_what_is_kept(signed_in_client):
    response = signed_in_client.get("/accounts/delete/")
    assert_page(response, "Delete my account")
    html = response.content.decode()
    assert "Your past orders stay in our books" in html
    assert '<label for="id_password">Current password</label>' in html


def test_deletion_needs_the_password(signed_in_client, user):
    response = signed_in_client.post("/accounts/delete/", {"password": "wrong"})
    assert response.status_code == 200
    assert "Your password is not right." in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


def test_deletion_erases_personal_data_and_keeps_orders_detached(client, user):
    # given: a customer with addresses, a cart, orders, and login records
    AddressFactory(user=user)
    AddressFactory(user=user)
    Cart.objects.create(user=user)
    order = OrderFactory(customer=user, email=user.email)
    OrderLineFactory(order=order)
    someone_else = OrderFactory(customer=UserFactory())
    client.post(
        "/accounts/login/",
        {"username": "ada@example.com", "password": "typo"},
        REMOTE_ADDR="203.0.113.9",  # elsewhere: logging in below clears only its own address's
    )
    client.post(
        "/accounts/login/",
        {"username": "ada@example.com", "password": DEFAULT_PASSWORD},
    )
    assert AccessAttempt.objects.filter(username="ada@example.com").exists()
    assert AccessLog.objects.filter(username="ada@example.com").exists()

    # when
    response = client.post("/accounts/delete/", {"password": DEFAULT_PASSWORD})

    # then: logged out, account and personal data gone
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Address.objects.exists()
    assert not Cart.objects.exists()
    assert not AccessAttempt.objects.filter(username="ada@example.com").exists()
    assert not AccessLog.objects.filter(username="ada@example.com").exists()
    # and the order stays for the books, detached from the person
    order.refresh_from_db()
    assert order.customer is None
    assert order.lines.count() == 1
    assert order.total == Decimal("24.90")
    someone_else.refresh_from_db()
    assert someone_else.customer is not None


def test_export_is_a_json_download_of_ones_own_data_only(signed_in_client, user):
    AddressFactory(user=user, city="London", is_default_shipping=True)
    mine = OrderFactory(customer=user, email=user.email)
    OrderLineFactory(order=mine, product_name="Brass gear", quantity=3)
    AddressFactory(user=UserFactory(), city="Paris")
    theirs = OrderFactory(customer=UserFactory())
    OrderLineFactory(order=theirs, product_name="Secret thing")

    response = signed_in_client.get("/accounts/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="my-account-data.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["profile"]["email"] == "ada@example.com"
    assert data["profile"]["full_name"] == "Ada Lovelace"
    assert [a["city"] for a in data["addresses"]] == ["London"]
    assert data["addresses"][0]["country"] == "DE"
    assert data["addresses"][0]["is_default_shipping"] is True
    assert [o["number"] for o in data["orders"]] == [mine.number]
    assert data["orders"][0]["total"] == "24.90"
    assert data["orders"][0]["shipping_address"]["country"] == "GB"
    assert data["orders"][0]["lines"][0]["product_name"] == "Brass gear"
    assert data["orders"][0]["lines"][0]["quantity"] == 3
    assert "Paris" not in response.content.decode()
    assert theirs.number not in response.content.decode()
    assert "Secret thing" not in response.content.decode()


def test_export_query_count_does_not_grow_with_orders(signed_in_client, user):
    def queries_for_export():
        with CaptureQueriesContext(connection) as queries:
            signed_in_client.get("/accounts/export/")
        return len(queries)

    OrderLineFactory(order=OrderFactory(customer=user))
    AddressFactory(user=user)
    with_one = queries_for_export()
    for _ in range(4):
        order = OrderFactory(customer=user)
        OrderLineFactory.create_batch(2, order=order)
        AddressFactory(user=user)
    assert queries_for_export() == with_one


def test_export_needs_a_login(client):
    response = client.get("/accounts/export/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_order_count_is_unchanged_by_deletion(signed_in_client, user):
    OrderFactory(customer=user)
    OrderFactory(customer=user)
    signed_in_client.post("/accounts/delete/", {"password": DEFAULT_PASSWORD})
    assert Order.objects.count() == 2
    assert Order.objects.filter(customer__isnull=True).count() == 2
