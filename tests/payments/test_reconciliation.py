"""What catches a missed webhook: the unpaid-order sweep and `manage.py sync_payments`."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from catalog.models import Variant
from orders.models import Order
from orders.services import cancel_unpaid_orders
from payments.models import Payment
from tests.payments.test_stripe_checkout import start_checkout

pytestmark = pytest.mark.django_db


def age(order, minutes):
    """Pretend the order was placed `minutes` ago (its session expiring an hour later)."""
    placed = timezone.now() - timedelta(minutes=minutes)
    Order.objects.filter(pk=order.pk).update(created_at=placed)
    Payment.objects.filter(order=order).update(expires_at=placed + timedelta(minutes=60))


def sync(*args):
    out = io.StringIO()
    call_command("sync_payments", *args, stdout=out)
    return out.getvalue()


def test_the_sweep_asks_stripe_first(client, stripe_fake, variant):
    # given three orders past their reservation whose webhooks never came
    paid, _ = start_checkout(client, variant, quantity=1)
    stripe_fake.pay(paid.payments.get().stripe_session_id)
    abandoned, _ = start_checkout(client, variant, quantity=0)
    unreachable, _ = start_checkout(client, variant, quantity=0)
    for order in (paid, abandoned, unreachable):
        age(order, 90)
    unreachable_session = unreachable.payments.get().stripe_session_id
    stripe_fake.fail_next.append((f"/v1/checkout/sessions/{unreachable_session}", 400))

    cancelled = cancel_unpaid_orders(older_than=timedelta(minutes=60))

    # then the paid one is paid, the open one expired at Stripe and cancelled, the third waits
    assert [order.pk for order in cancelled] == [abandoned.pk]
    assert Order.objects.get(pk=paid.pk).status == Order.Status.PAID
    assert Order.objects.get(pk=abandoned.pk).status == Order.Status.CANCELLED
    session = stripe_fake.sessions[abandoned.payments.get().stripe_session_id]
    assert session["status"] == "expired"
    assert Order.objects.get(pk=unreachable.pk).status == Order.Status.PENDING_PAYMENT
    assert Variant.objects.get(pk=variant.pk).stock == 8  # paid 1, unreachable 1 reserved


def test_sync_payments_reconciles_missed_webhooks_once(client, stripe_fake, variant):
    paid, _ = start_checkout(client, variant, quantity=1)
    stripe_fake.pay(paid.payments.get().stripe_session_id)
    expired, _ = start_checkout(client, variant, quantity=0)
    stripe_fake.expire(expired.payments.get().stripe_session_id)
    waiting, _ = start_checkout(client, variant, quantity=0)

    output = sync()

    assert "Checked 3 pending orders" in output
    assert "1 paid, 1 cancelled, 0 refunded (paid too late), 1 still waiting, 0 errors." in output
    assert Order.objects.get(pk=paid.pk).status == Order.Status.PAID
    assert Order.objects.get(pk=paid.pk).emails.count() == 1
    assert Order.objects.get(pk=expired.pk).status == Order.Status.CANCELLED
    assert Order.objects.get(pk=waiting.pk).status == Order.Status.PENDING_PAYMENT

    # a second run finds only the order still waiting, and changes nothing
    again = sync()
    assert "Checked 1 pending order since" in again
    assert "0 paid, 0 cancelled, 0 refunded (paid too late), 1 still waiting" in again


def test_sync_payments_expires_open_sessions_past_their_reservation(client, stripe_fake, variant):
    order, _ = start_checkout(client, variant, quantity=1)
    age(order, 90)
    since = (timezone.now() - timedelta(days=1)).date().isoformat()
    assert "1 cancelled" in sync("--since", since)
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED


def test_sync_payments_refuses_bad_dates_and_the_test_gateway(settings, stripe_fake):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        sync("--since", "2026-13-45")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        sync("--since", "yesterday")
    settings.SHOP_PAYMENT_GATEWAY = "test"
    with pytest.raises(CommandError, match="not 'stripe'"):
        sync()
