"""Refunds of Stripe payments: from the admin through Stripe's refunds API, and refunds made in
Stripe's dashboard credited over the order's VAT rates."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from billing.models import CreditNote, Invoice
from orders.models import Order
from orders.services import mark_order_shipped
from payments.models import Payment
from tests.factories import UserFactory
from tests.payments.test_stripe_checkout import paid_through_stripe
from tests.two_factor import log_in_with_second_factor

pytestmark = pytest.mark.django_db

D = Decimal


def test_a_partial_refund_in_the_admin_asks_stripe_for_that_amount_once(
    client, stripe_fake, deliver, variant
):
    # given an order of 2 beanies paid on Stripe (€54.90 with shipping)
    order = paid_through_stripe(client, stripe_fake, deliver, variant)
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name="Order managers"))
    admin = Client()
    log_in_with_second_factor(admin, manager)
    line = order.lines.get()

    # when staff refund one beanie from the order's admin page
    page = admin.get(f"/admin/orders/order/{order.pk}/refund/")
    key = page.context["form"].initial["key"]
    data = {"key": key, f"quantity_{line.pk}": "1", f"restock_{line.pk}": "on", "reason": "Too big"}
    admin.post(f"/admin/orders/order/{order.pk}/refund/", data)
    admin.post(f"/admin/orders/order/{order.pk}/refund/", data)  # a double submit

    # then Stripe was asked once for €25.00 of the PaymentIntent, with an idempotency key
    payment = Payment.objects.get(order=order)
    refunds = [r for r in stripe_fake.requests if r[:2] == ("POST", "/v1/refunds")]
    assert [(params["payment_intent"], params["amount"]) for _, _, params, _ in refunds] == [
        (payment.reference, "2500")
    ]
    assert refunds[0][3] == f"refund-{order.number}-{key}"
    [refund] = payment.refunds.all()
    assert refund.reference.startswith("re_") and refund.amount == D("25.00")
    note = CreditNote.objects.get(order=order)
    assert (note.gross, note.refund_reference) == (D("25.00"), refund.reference)
    assert Order.objects.get(pk=order.pk).status == Order.Status.PARTIALLY_REFUNDED
    # and Stripe's charge.refunded for it is recognised, not credited twice
    [refunded] = stripe_fake.take_outbox()
    assert deliver(refunded).json()["outcome"] == "Refund already recorded"
    assert CreditNote.objects.filter(order=order).count() == 1


def test_a_refund_made_in_the_dashboard_is_credited_over_the_vat_rates(
    client, stripe_fake, deliver, variant
):
    order = paid_through_stripe(client, stripe_fake, deliver, variant)
    order = mark_order_shipped(order=order)
    payment = Payment.objects.get(order=order)

    # when staff refund €20 and later the rest in Stripe's dashboard of the shipped order
    stripe_fake.refund(payment.reference, 2000)
    [partial] = stripe_fake.take_outbox()
    deliver(partial)
    stripe_fake.refund(payment.reference, 3490)
    [rest] = stripe_fake.take_outbox()
    deliver(rest)

    # then each is credited at the order's rate, and together they take back the invoice
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    first, second = CreditNote.objects.filter(order=order).order_by("pk")
    assert [(line.description, line.vat_rate, line.gross) for line in first.lines.all()] == [
        ("Refund made in Stripe at 19% VAT", D("19.00"), D("20.00"))
    ]
    assert (first.vat, second.gross) == (D("3.19"), D("34.90"))
    invoice = Invoice.objects.get(order=order)
    assert first.vat + second.vat == invoice.vat
    assert first.net + second.net == invoice.net
