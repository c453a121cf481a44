"""A broker outage under a running worker and beat: both survive, reconnect, and every order
placed before or during the outage gets its confirmation exactly once afterwards.

The broker is a redis-server of the test's own, stopped while the worker holds a task waiting
to retry (a password reset whose SMTP send failed: Celery keeps its retry, unacknowledged, in
the worker until it is due). celery 5.7.0's worker exited for good right there ("Unrecoverable
error: AttributeError 'NoneType' object has no attribute 'hostname'" while closing the lost
connection); the pinned 5.6.3 reconnects.
"""

import time

import pytest

from accounts.services import request_password_reset
from orders.models import OrderEmail
from tests.emails.conftest import celery_broker_at, place_paid_order, wait_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SWEEP_SECONDS = 2
QUIET_SECONDS = 3
BEAT = ["beat", "--loglevel", "INFO", "--schedule"]


def confirmations(smtp):
    return sorted(m["Subject"] for m in smtp.messages if m["Subject"].endswith(" confirmed"))


def test_worker_and_beat_survive_a_broker_outage_and_every_order_is_emailed_once(
    celery_worker_process, smtp_server, own_redis, tmp_path
):
    # given a worker and beat on a broker of the test's own, and an SMTP server refusing mail
    smtp_server.reject_with("451 4.3.0 Try again later")
    env = {
        "REDIS_URL": own_redis.url,
        "CELERY_BROKER_URL": own_redis.url,
        "EMAIL_URL": smtp_server.url,
        "SHOP_EMAIL_RETRY_BASE_SECONDS": "1",
        "SHOP_EMAIL_SWEEP_SECONDS": str(SWEEP_SECONDS),
    }
    worker = celery_worker_process(extra_env=env)
    beat = celery_worker_process(
        extra_env=env, args=[*BEAT, str(tmp_path / "beat-schedule")], ready=b"Starting"
    )

    with celery_broker_at(own_redis.url):
        # an order whose confirmation failed and waits in the outbox for the sweep's retry
        before = place_paid_order(email="before@example.com")
        wait_for(lambda: OrderEmail.objects.get(order=before).attempts >= 1)
        # and a reset email the worker holds, waiting to retry
        request_password_reset(email=UserFactory(email="ada@example.com").email)
        wait_for(lambda: "send_password_reset_email" in worker.output())
        wait_for(lambda: "Retry in" in worker.output())

        # when the broker goes away under them
        own_redis.stop()
        time.sleep(QUIET_SECONDS)

        # then both keep running, and the shop keeps selling
        assert worker.is_running(), worker.output()
        assert beat.is_running(), beat.output()
        during = place_paid_order(email="during@example.com")
        assert OrderEmail.objects.get(order=during).state == OrderEmail.State.PENDING

    # when the broker is back (empty: it kept nothing) and mail is accepted again
    smtp_server.accept()
    own_redis.start()

    # then beat's sweep reaches the reconnected worker, which sends each confirmation once
    wait_for(lambda: len(confirmations(smtp_server)) >= 2, timeout=90)
    time.sleep(QUIET_SECONDS)
    assert confirmations(smtp_server) == sorted(
        [f"Order {before.number} confirmed", f"Order {during.number} confirmed"]
    )
    assert set(OrderEmail.objects.values_list("state", flat=True)) == {OrderEmail.State.SENT}
    assert worker.is_running() and beat.is_running()
    assert "Unrecoverable error" not in worker.output()
