"""Staff see every payment, refund and Stripe event, on the order's page and in their own
lists, with Stripe's references linked to its dashboard; nobody edits them."""

import pytest
from django.contrib.auth.models import Group

from payments.models import Payment, Refund, WebhookEvent
from tests.factories import UserFactory
from tests.payments.conftest import press
from tests.payments.test_stripe_checkout import start_checkout
from tests.two_factor import log_in_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    user = UserFactory(email="manager@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name="Order managers"))
    return user


def paid_then_refunded_late(client, stripe_fake, deliver, variant):
    """An order that expired while its customer paid: refunded and flagged."""
    order, response = start_checkout(client, variant)
    session = stripe_fake.sessions[order.payments.get().stripe_session_id]
    press(response["Location"], "Pay")
    [completed] = stripe_fake.take_outbox()
    expired = stripe_fake.emit("checkout.session.expired", {**session, "status": "expired"})
    deliver(expired)
    deliver(completed)
    return order


def test_the_order_page_shows_payment_status_stripe_links_and_every_event(
    client, stripe_fake, deliver, variant, manager
):
    order = paid_then_refunded_late(client, stripe_fake, deliver, variant)
    payment = order.payments.get()
    refund = payment.refunds.get()
    log_in_with_second_factor(client, manager)

    html = client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()

    assert "Refunded (Stripe)" in html
    assert "Needs attention:</strong> Paid after the order was cancelled" in html
    assert f"https://dashboard.stripe.com/test/payments/{payment.reference}" in html
    assert f"https://dashboard.stripe.com/test/refunds/{refund.reference}" in html
    assert payment.stripe_session_id in html
    for event in WebhookEvent.objects.all():
        assert f"https://dashboard.stripe.com/test/events/{event.event_id}" in html
        assert event.type in html
    assert "Order cancelled: session expired" in html


def test_payments_refunds_and_events_have_read_only_admin_lists(
    client, stripe_fake, deliver, variant, manager
):
    order = paid_then_refunded_late(client, stripe_fake, deliver, variant)
    log_in_with_second_factor(client, manager)

    payments = client.get("/admin/payments/payment/?attention=yes").content.decode()
    assert order.number in payments
    assert "/admin/payments/payment/add/" not in payments
    assert client.get("/admin/payments/refund/").status_code == 200
    events = client.get("/admin/payments/webhookevent/").content.decode()
    assert "checkout.session.completed" in events
    payment = Payment.objects.get()
    page = client.get(f"/admin/payments/payment/{payment.pk}/change/").content.decode()
    assert "Paid after the order was cancelled" in page
    assert 'name="status"' not in page  # nothing to edit
    assert (
        client.post(f"/admin/payments/refund/{Refund.objects.get().pk}/delete/").status_code == 403
    )


def test_customers_cannot_see_payment_records(client):
    user = UserFactory(email="someone@example.com")
    client.force_login(user)
    assert client.get("/admin/payments/payment/").status_code == 302
