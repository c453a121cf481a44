"""Order statuses: the allowed moves only, their history, cancelling (restock and refund),
and the sweep of unpaid orders."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from catalog.models import Variant
from orders.models import Order, OrderEmail
from orders.services import (
    InvalidTransition,
    PaymentDeclined,
    cancel_order,
    cancel_unpaid_orders,
    mark_order_delivered,
    mark_order_shipped,
)
from payments.gateways import RefundResult, TestGateway
from payments.models import Payment
from tests.factories import OrderFactory, OrderLineFactory, UserFactory
from tests.orders.helpers import buy, declined_card

pytestmark = pytest.mark.django_db


def statuses(order):
    return list(order.status_changes.values_list("from_status", "to_status"))


def test_paid_order_ships_then_is_delivered_with_history_and_shipping_email(paid_order):
    staff = UserFactory(is_staff=True)

    shipped = mark_order_shipped(order=paid_order, tracking_number="1Z999", changed_by=staff)
    delivered = mark_order_delivered(order=shipped, changed_by=staff)

    assert delivered.status == Order.Status.DELIVERED
    assert shipped.tracking_number == "1Z999"
    assert shipped.shipped_at is not None
    assert statuses(paid_order) == [
        ("", "pending_payment"),
        ("pending_payment", "paid"),
        ("paid", "shipped"),
        ("shipped", "delivered"),
    ]
    assert paid_order.status_changes.last().changed_by == staff
    assert OrderEmail.objects.filter(order=paid_order, kind=OrderEmail.Kind.SHIPPED).exists()


@pytest.mark.parametrize(
    ("status", "move"),
    [
        (Order.Status.PENDING_PAYMENT, mark_order_shipped),
        (Order.Status.PENDING_PAYMENT, mark_order_delivered),
        (Order.Status.PAID, mark_order_delivered),
        (Order.Status.SHIPPED, mark_order_shipped),
        (Order.Status.SHIPPED, cancel_order),
        (Order.Status.DELIVERED, cancel_order),
        (Order.Status.CANCELLED, cancel_order),
        (Order.Status.CANCELLED, mark_order_shipped),
    ],
)
def test_moves_outside_the_allowed_transitions_are_refused(status, move):
    order = OrderFactory(status=status)
    with pytest.raises(InvalidTransition, match=f"Order {order.number} cannot go from"):
        move(order=order)
    order.refresh_from_db()
    assert order.status == status
    assert not order.status_changes.exists()


def test_cancelling_a_paid_order_refunds_it_restocks_and_emails(paid_order, variant):
    variant.refresh_from_db()
    assert variant.stock == 8

    cancelled = cancel_order(order=paid_order, note="Customer asked")

    variant.refresh_from_db()
    assert variant.stock == 10
    assert cancelled.status == Order.Status.CANCELLED
    assert cancelled.refund_reference.startswith("test_re_")
    assert cancelled.cancelled_at is not None
    assert statuses(paid_order)[-1] == ("paid", "cancelled")
    assert paid_order.status_changes.last().note == "Customer asked"
    assert OrderEmail.objects.filter(order=paid_order, kind=OrderEmail.Kind.CANCELLED).exists()


def test_refund_goes_through_the_gateway_with_the_charge_reference(paid_order):
    result = RefundResult(reference="re_1", amount=paid_order.total)
    with mock.patch.object(TestGateway, "refund", return_value=result) as refund:
        cancel_order(order=paid_order)
    refund.assert_called_once_with(
        reference=paid_order.payment_reference,
        amount=paid_order.total,
        currency="EUR",
        idempotency_key=f"cancel-{paid_order.number}-{paid_order.payments.get().pk}",
    )
    payment = paid_order.payments.get()
    assert payment.status == Payment.Status.REFUNDED
    assert payment.refunds.get().reference == "re_1"


def test_a_failing_refund_leaves_the_order_paid_and_the_stock_alone(paid_order, variant):
    with (
        mock.patch.object(TestGateway, "refund", side_effect=ConnectionError("provider down")),
        pytest.raises(ConnectionError),
    ):
        cancel_order(order=paid_order)
    paid_order.refresh_from_db()
    variant.refresh_from_db()
    assert paid_order.status == Order.Status.PAID
    assert variant.stock == 8


def test_cancelling_twice_restocks_once():
    line = OrderLineFactory(order__status=Order.Status.PENDING_PAYMENT, quantity=3)
    cancel_order(order=line.order)
    with pytest.raises(InvalidTransition):
        cancel_order(order=line.order)
    assert Variant.objects.get(pk=line.variant_id).stock == 13
    assert not Order.objects.get(pk=line.order_id).refund_reference


def test_cancelling_survives_a_deleted_variant():
    line = OrderLineFactory(order__status=Order.Status.PAID)
    line.variant.delete()
    assert cancel_order(order=line.order).status == Order.Status.CANCELLED


def test_declined_payment_deletes_the_order_and_restores_stock(variant):
    with pytest.raises(PaymentDeclined, match="Your card was declined."):
        buy(variant, 3, card=declined_card())
    assert not Order.objects.exists()
    variant.refresh_from_db()
    assert variant.stock == 10


def test_order_cancelled_by_staff_while_the_card_is_charged_is_refunded(variant):
    approve = TestGateway.charge

    def staff_cancel_during_charge(self, **kwargs):
        cancel_order(order=Order.objects.get())
        return approve(self, **kwargs)

    with (
        mock.patch.object(TestGateway, "charge", staff_cancel_during_charge),
        mock.patch.object(
            TestGateway, "refund", return_value=RefundResult("re_1", Decimal("54.90"))
        ) as refund,
        pytest.raises(PaymentDeclined, match="refunded"),
    ):
        buy(variant, 2)

    refund.assert_called_once()
    assert Order.objects.get().status == Order.Status.CANCELLED
    variant.refresh_from_db()
    assert variant.stock == 10


def test_sweep_cancels_only_orders_unpaid_for_too_long(variant):
    old = OrderLineFactory(order__status=Order.Status.PENDING_PAYMENT, variant=variant).order
    fresh = OrderLineFactory(order__status=Order.Status.PENDING_PAYMENT, variant=variant).order
    old_paid = OrderLineFactory(order__status=Order.Status.PAID, variant=variant).order
    Order.objects.filter(pk__in=[old.pk, old_paid.pk]).update(
        created_at=timezone.now() - timedelta(hours=2)
    )

    assert cancel_unpaid_orders(older_than=timedelta(minutes=30), dry_run=True) == [old]
    assert Order.objects.get(pk=old.pk).status == Order.Status.PENDING_PAYMENT

    cancelled = cancel_unpaid_orders(older_than=timedelta(minutes=30))

    assert [order.pk for order in cancelled] == [old.pk]
    assert Order.objects.get(pk=old.pk).status == Order.Status.CANCELLED
    assert Order.objects.get(pk=fresh.pk).status == Order.Status.PENDING_PAYMENT
    assert Order.objects.get(pk=old_paid.pk).status == Order.Status.PAID
    variant.refresh_from_db()
    assert variant.stock == 12  # the old order's two units came back
    assert cancel_unpaid_orders(older_than=timedelta(minutes=30)) == []


def test_sweep_task_uses_the_configured_age(settings, variant):
    from orders.tasks import cancel_unpaid_orders as sweep

    settings.SHOP_UNPAID_ORDER_MINUTES = 10
    order = OrderLineFactory(order__status=Order.Status.PENDING_PAYMENT, variant=variant).order
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=11))

    assert sweep() == [order.number]
