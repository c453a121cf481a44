"""Cart reminders and back-in-stock alerts through the real stack: Redis, a `celery worker`
process running the beat tasks, and an SMTP server on loopback. Each is sent exactly once."""

import time

import pytest

from catalog.services import set_stock
from marketing.models import BackInStockAlert, CartReminder
from marketing.services import request_back_in_stock_alert
from marketing.tasks import send_abandoned_cart_emails, send_back_in_stock_alerts
from tests.emails.conftest import wait_for
from tests.factories import UserFactory
from tests.marketing.conftest import leave_cart

pytestmark = pytest.mark.django_db(transaction=True)

QUIET_SECONDS = 2


def test_a_worker_sends_one_cart_reminder_however_often_beat_runs(
    celery_worker_process, smtp_server, lamp
):
    # given a customer's cart left five hours ago
    leave_cart(UserFactory(email="wanderer@example.com"), lamp)
    celery_worker_process(extra_env={"EMAIL_URL": smtp_server.url})

    # when beat runs the reminder task three times
    for _ in range(3):
        send_abandoned_cart_emails.delay()

    # then exactly one reminder arrives
    messages = smtp_server.wait_for_messages(1)
    time.sleep(QUIET_SECONDS)
    assert len(messages) == 1
    assert messages[0]["Subject"] == "You left something in your cart"
    assert messages[0]["To"] == "wanderer@example.com"
    assert messages[0]["List-Unsubscribe"].startswith("<http")
    wait_for(lambda: CartReminder.objects.get().state == CartReminder.State.SENT)


def test_a_worker_sends_one_back_in_stock_alert_when_stock_returns(
    celery_worker_process, smtp_server, sold_out
):
    # given a guest waiting for a sold-out scarf
    request_back_in_stock_alert(variant=sold_out, email="fan@example.com")
    celery_worker_process(extra_env={"EMAIL_URL": smtp_server.url})
    send_back_in_stock_alerts.delay()
    time.sleep(QUIET_SECONDS)
    assert smtp_server.messages == []

    # when it is restocked and beat runs the alert task three times
    set_stock(sku=sold_out.sku, quantity=4)
    for _ in range(3):
        send_back_in_stock_alerts.delay()

    # then exactly one alert arrives
    messages = smtp_server.wait_for_messages(1)
    time.sleep(QUIET_SECONDS)
    assert len(messages) == 1
    assert messages[0]["Subject"] == "Wool Scarf is back in stock"
    assert messages[0]["To"] == "fan@example.com"
    wait_for(lambda: BackInStockAlert.objects.get().state == BackInStockAlert.State.SENT)
