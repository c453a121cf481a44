"""Account deletion and the data export include the marketing emails."""

import json

import pytest

from marketing.models import BackInStockRequest, CartReminder, OptOut
from marketing.services import queue_cart_reminders, request_back_in_stock_alert
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def fan(left_cart, sold_out):
    user = left_cart.user
    request_back_in_stock_alert(variant=sold_out, email=user.email, user=user)
    queue_cart_reminders(enqueue=False)
    OptOut.objects.create(email=user.email, topic=OptOut.Topic.CART_REMINDERS)
    return user


def test_the_export_lists_requests_and_reminders(client, fan, sold_out):
    client.force_login(fan)
    data = json.loads(client.get("/accounts/export/").content)
    part = data["marketing_emails"]
    assert part["back_in_stock_requests"][0]["sku"] == sold_out.sku
    assert [email["kind"] for email in part["emails_sent"]] == ["cart reminder"]
    assert "orders" in data


def test_deleting_the_account_deletes_them_but_keeps_the_opt_out(client, fan, lamp):
    client.force_login(fan)
    client.post("/accounts/delete/", {"password": DEFAULT_PASSWORD})
    assert not BackInStockRequest.objects.exists()
    assert not CartReminder.objects.exists()
    assert OptOut.objects.filter(email="wanderer@example.com").exists()
