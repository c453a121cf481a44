"""Order emails through the real stack: Redis, a `celery worker` process and an SMTP server.

The worker shares the test database, so these tests commit (`transaction=True`).
"""

import smtplib
import time

import pytest

from orders.models import OrderEmail
from outbox.tasks import send_pending_emails
from tests.emails.conftest import celery_broker_at, free_port, place_paid_order, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

QUIET_SECONDS = 2


def assert_confirmation(message, order):
    assert message["Subject"] == f"Order {order.number} confirmed"
    assert message["To"] == order.email
    assert message.get_body(("plain",)).get_content_type() == "text/plain"
    assert message.get_body(("html",)).get_content_type() == "text/html"
    assert order.number in message.get_body(("plain",)).get_content()


def confirmation(order):
    return OrderEmail.objects.get(order=order, kind=OrderEmail.Kind.CONFIRMATION)


def email_state(order):
    return confirmation(order).state


def test_placing_an_order_sends_one_confirmation_from_the_worker_not_the_request(
    celery_worker_process, smtp_mailer, monkeypatch
):
    # given this process would reach the SMTP server too, but any SMTP connection fails loudly
    def no_smtp_in_the_request(*args, **kwargs):
        raise AssertionError("the request opened an SMTP connection")

    with monkeypatch.context() as patched:
        patched.setattr(smtplib.SMTP, "connect", no_smtp_in_the_request)
        order = place_paid_order(email="ada@example.com")

    # then nothing was sent, or even tried, while the order was placed
    assert smtp_mailer.messages == []
    assert confirmation(order).state == OrderEmail.State.PENDING
    assert confirmation(order).attempts == 0

    # when a worker picks up the task
    celery_worker_process(extra_env={"EMAIL_URL": smtp_mailer.url})

    # then exactly one confirmation arrives, with both parts
    messages = smtp_mailer.wait_for_messages(1)
    time.sleep(QUIET_SECONDS)
    assert len(messages) == 1
    assert_confirmation(messages[0], order)
    wait_for(lambda: email_state(order) == OrderEmail.State.SENT)


def test_an_order_placed_while_the_broker_is_down_is_emailed_once_by_the_sweep(
    celery_worker_process, smtp_mailer
):
    # given a broker nobody listens on
    with celery_broker_at(f"redis://127.0.0.1:{free_port()}/0"):
        started = time.monotonic()
        order = place_paid_order(email="grace@example.com")
        elapsed = time.monotonic() - started

    # then the order was placed, fast, and its email waits in the outbox
    assert elapsed < 5
    assert order.status == order.Status.PAID
    assert email_state(order) == OrderEmail.State.PENDING

    # when the broker is back, a worker runs but nothing was enqueued for it
    celery_worker_process(extra_env={"EMAIL_URL": smtp_mailer.url})
    time.sleep(QUIET_SECONDS)
    assert smtp_mailer.messages == []

    # and the periodic sweep runs
    send_pending_emails.delay()

    # then the email is delivered exactly once
    messages = smtp_mailer.wait_for_messages(1)
    time.sleep(QUIET_SECONDS)
    assert len(messages) == 1
    assert_confirmation(messages[0], order)
    wait_for(lambda: email_state(order) == OrderEmail.State.SENT)


def test_a_worker_killed_mid_send_does_not_lose_or_double_the_email(
    celery_worker_process, smtp_server
):
    claim_timeout = 3
    worker_env = {"EMAIL_URL": smtp_server.url, "SHOP_EMAIL_CLAIM_TIMEOUT": str(claim_timeout)}

    # given the SMTP server stalls on the first message's DATA
    smtp_server.stall_next_message()
    worker = celery_worker_process(extra_env=worker_env)
    order = place_paid_order(email="hopper@example.com")
    assert smtp_server.handler.stalled.wait(30)

    # when the worker is killed while it waits for the server's answer
    worker.kill()
    smtp_server.handler.release.set()

    # then the email is still claimed, and was not accepted
    assert email_state(order) == OrderEmail.State.SENDING
    assert smtp_server.messages == []

    # when a new worker runs the sweep after the claim has timed out
    celery_worker_process(extra_env=worker_env)
    time.sleep(claim_timeout + 1)
    send_pending_emails.delay()

    # then it is delivered exactly once
    messages = smtp_server.wait_for_messages(1)
    time.sleep(QUIET_SECONDS)
    assert len(messages) == 1
    assert_confirmation(messages[0], order)
    wait_for(lambda: email_state(order) == OrderEmail.State.SENT)
