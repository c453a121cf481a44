"""Stripe's deliveries racing each other on PostgreSQL, each thread on its own connection."""

import pytest
from django.test import Client

from catalog.models import Variant
from orders.models import Order, OrderEmail
from payments.models import Payment, WebhookEvent
from tests.factories import VariantFactory
from tests.orders.concurrency import run_in_threads
from tests.payments.conftest import WEBHOOK, press
from tests.payments.test_stripe_checkout import start_checkout

pytestmark = pytest.mark.django_db(transaction=True)


def post_event(fake, event):
    body, headers = fake.signed_request(event)
    return Client().post(
        WEBHOOK,
        data=body,
        content_type=headers["Content-Type"],
        HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"],
    )


def test_the_same_payment_delivered_ten_times_at_once_pays_once(postgres, client, stripe_fake):
    # given a paid session whose completion Stripe delivers ten times at the same moment
    variant = VariantFactory(stock=5)
    order, response = start_checkout(client, variant, quantity=2)
    press(response["Location"], "Pay")
    [completed] = stripe_fake.take_outbox()

    answers = run_in_threads(10, lambda index: post_event(stripe_fake, completed))

    # then every delivery is acknowledged, and the order is paid once with one email
    assert [answer.status_code for answer in answers] == [200] * 10, answers
    outcomes = sorted(answer.json()["outcome"] for answer in answers)
    assert outcomes.count("Order paid") == 1
    assert outcomes.count("Duplicate: Order paid") == 9
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.status_changes.filter(to_status=Order.Status.PAID).count() == 1
    assert OrderEmail.objects.filter(order=order, kind=OrderEmail.Kind.CONFIRMATION).count() == 1
    assert WebhookEvent.objects.count() == 1
    assert Payment.objects.get().status == Payment.Status.PAID
    assert Variant.objects.get(pk=variant.pk).stock == 3


@pytest.mark.parametrize("round_", range(3))
def test_completed_and_expired_racing_leave_a_consistent_order(
    postgres, client, stripe_fake, round_
):
    # given a customer who pays just as the session expires: both events at once
    variant = VariantFactory(stock=5)
    order, response = start_checkout(client, variant, quantity=2)
    session = stripe_fake.sessions[order.payments.get().stripe_session_id]
    press(response["Location"], "Pay")
    [completed] = stripe_fake.take_outbox()
    expired = stripe_fake.emit("checkout.session.expired", {**session, "status": "expired"})
    stripe_fake.take_outbox()
    events = [completed, expired] if round_ % 2 else [expired, completed]

    answers = run_in_threads(2, lambda index: post_event(stripe_fake, events[index]))

    # then whichever won, the books agree: paid and reserved, or cancelled, restocked, refunded
    assert [answer.status_code for answer in answers] == [200, 200], answers
    order.refresh_from_db()
    payment = Payment.objects.get()
    stock = Variant.objects.get(pk=variant.pk).stock
    confirmations = order.emails.filter(kind=OrderEmail.Kind.CONFIRMATION).count()
    if order.status == Order.Status.PAID:
        assert (payment.status, payment.attention, stock, confirmations) == ("paid", "", 3, 1)
        assert not stripe_fake.refunds
    else:
        assert order.status == Order.Status.CANCELLED
        assert (payment.status, stock, confirmations) == ("refunded", 5, 0)
        assert payment.attention.startswith("Paid after the order was cancelled")
        [refund] = stripe_fake.refunds.values()
        assert refund["amount"] == int(order.total * 100)
