"""Fixtures for the order email tests: a real SMTP server on loopback and order placement."""

import asyncio
import secrets
import threading
import time
from contextlib import contextmanager
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from orders.models import Order
from orders.services import place_order
from tests.conftest import free_port
from tests.factories import VariantFactory
from tests.orders.helpers import ADDRESS, approved_card


class RecordingHandler:
    """Accepts messages and keeps them; can reject, or stall the next DATA until released."""

    def __init__(self):
        self.messages = []
        self.reply = None
        self.stall_next = False
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.stall_next:
            self.stall_next = False
            self.stalled.set()
            await asyncio.to_thread(self.release.wait, 60)
            # The sender is gone by now; the message was never accepted.
            return "451 4.3.0 Try again later"
        if self.reply:
            return self.reply
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self):
        self.port = free_port()
        self.handler = RecordingHandler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self):
        return self.handler.messages

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def mailers(self):
        """MAILERS pointing this process's default mailer at the server."""
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 10},
            }
        }

    def reject_with(self, reply):
        self.handler.reply = reply

    def accept(self):
        self.handler.reply = None

    def stall_next_message(self):
        self.handler.stall_next = True

    def wait_for_messages(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return self.messages
            time.sleep(0.1)
        raise AssertionError(f"expected {count} message(s), got {len(self.messages)}")


@pytest.fixture
def smtp_server():
    server = SMTPServer()
    server.controller.start()
    yield server
    server.handler.release.set()
    server.controller.stop()


@pytest.fixture
def smtp_mailer(settings, smtp_server):
    """This process sends through the loopback SMTP server instead of the locmem outbox."""
    settings.MAILERS = smtp_server.mailers
    return smtp_server


def place_paid_order(*, email="buyer@example.com"):
    """A guest checkout through the real service: stock reserved, card charged, order paid and
    its confirmation queued in the same transaction."""
    variant = VariantFactory(stock=10)
    return place_order(
        customer=None,
        email=email,
        quantities={variant.pk: 2},
        shipping_address=ADDRESS,
        billing_address=ADDRESS,
        shipping_method=Order.ShippingMethod.STANDARD,
        card=approved_card(),
        checkout_token=secrets.token_hex(16),
    )


@contextmanager
def celery_broker_at(url):
    """Point this process's Celery publisher at another broker (e.g. a dead port).

    Celery reads the CELERY_ settings from Django's live (they win over `app.conf`) and caches
    its broker connection pools, so the pools are dropped to take the new URL; the broker's
    circuit (config/celery.py) is closed on the way in and out.
    """
    from config.celery import app, broker_circuit

    def fresh_start():
        app.amqp._producer_pool = None
        app._pool = None
        broker_circuit.close()

    fresh_start()
    try:
        with override_settings(CELERY_BROKER_URL=url, CELERY_TASK_ALWAYS_EAGER=False):
            yield
    finally:
        fresh_start()


def wait_for(condition, timeout=30, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError("condition not met in time")
