"""Write paths for an order after it is placed: its status moves, cancellation and the sweep
of unpaid orders. Each locks the order row first, then (to restock) its variants by id."""

from django.db import transaction
from django.utils import timezone

from orders.emails import queue_order_email
from orders.models import Order, OrderEmail, OrderStatusChange
from orders.payments import get_gateway
from orders.services.errors import InvalidTransition
from orders.services.stock import restock


def known_user(user):
    return user if user is not None and user.is_authenticated else None


def refuse_unless_allowed(order, to_status):
    if not order.can_transition_to(to_status):
        raise InvalidTransition(
            f"Order {order.number} cannot go from {order.get_status_display()} "
            f"to {Order.Status(to_status).label}."
        )


def change_status(order, *, to_status, changed_by=None, note=""):
    refuse_unless_allowed(order, to_status)
    from_status = order.status
    order.status = to_status
    order.save()
    OrderStatusChange.objects.create(
        order=order,
        from_status=from_status,
        to_status=to_status,
        changed_by=known_user(changed_by),
        note=note,
    )


def locked_order(order):
    return Order.objects.select_for_update().get(pk=order.pk)


def mark_order_shipped(*, order, tracking_number="", changed_by=None):
    """Paid -> shipped, with an optional tracking number; queues the shipping notice.
    Locks the order row. Repeating it raises InvalidTransition (it is shipped already)."""
    with transaction.atomic():
        order = locked_order(order)
        if tracking_number:
            order.tracking_number = tracking_number
        order.shipped_at = timezone.now()
        change_status(order, to_status=Order.Status.SHIPPED, changed_by=changed_by)
        queue_order_email(order=order, kind=OrderEmail.Kind.SHIPPED)
    return order


def mark_order_delivered(*, order, changed_by=None):
    """Shipped -> delivered. Locks the order row. Repeating it raises InvalidTransition."""
    with transaction.atomic():
        order = locked_order(order)
        change_status(order, to_status=Order.Status.DELIVERED, changed_by=changed_by)
    return order


def cancel_order(*, order, changed_by=None, note=""):
    """Pending or paid -> cancelled: refunds a paid order through the gateway (recording the
    refund's reference), puts the stock back and queues the cancellation email.

    Locks the order row first, then the variants (by ascending id). The refund is requested
    before the variants are locked, so only this order's row waits on the provider; a refund
    error rolls everything back and the order stays as it was. Repeating it raises
    InvalidTransition (it is cancelled already), so nothing is refunded or restocked twice.
    """
    with transaction.atomic():
        order = locked_order(order)
        refuse_unless_allowed(order, Order.Status.CANCELLED)
        refunded = order.status == Order.Status.PAID
        if refunded:
            order.refund_reference = get_gateway().refund(
                reference=order.payment_reference, amount=order.total, currency=order.currency
            )
        restock(order)
        order.cancelled_at = timezone.now()
        change_status(
            order,
            to_status=Order.Status.CANCELLED,
            changed_by=changed_by,
            note=note or ("Cancelled and refunded" if refunded else "Cancelled"),
        )
        queue_order_email(order=order, kind=OrderEmail.Kind.CANCELLED)
    return order


def unpaid_orders(*, older_than):
    cutoff = timezone.now() - older_than
    return Order.objects.filter(status=Order.Status.PENDING_PAYMENT, created_at__lt=cutoff)


def cancel_unpaid_orders(*, older_than, dry_run=False):
    """Cancel and restock orders left pending payment for longer than `older_than` (a
    timedelta), e.g. after a crash mid-payment. Returns the orders cancelled (or, with
    `dry_run`, that would be). Each order is cancelled in its own transaction; one paid or
    cancelled meanwhile is skipped, so running it twice, or concurrently, is safe."""
    candidates = list(unpaid_orders(older_than=older_than).order_by("created_at", "pk"))
    if dry_run:
        return candidates
    cancelled = []
    for order in candidates:
        try:
            cancelled.append(cancel_order(order=order, note="Not paid in time"))
        except InvalidTransition:
            continue
    return cancelled
