"""Write paths for an order after it is placed: its status moves and cancellation. Each locks
the order row first, then its payment, then (to restock) its variants by id, then (to give a
discount code's use back) the code, then (to credit a refund) the billing number series."""

from django.db import transaction
from django.utils import timezone

from orders.emails import queue_order_email
from orders.models import Order, OrderEmail, OrderStatusChange
from orders.services.errors import InvalidTransition
from orders.services.invoicing import credit_the_rest
from orders.services.stock import restock
from payments.models import Payment
from payments.services import refund_payment
from promotions.services import release_discount_code


def known_user(user):
    return user if user is not None and user.is_authenticated else None


def refuse_unless_allowed(order, to_status):
    if not order.can_transition_to(to_status):
        raise InvalidTransition(
            f"Order {order.number} cannot go from {order.get_status_display()} "
            f"to {Order.Status(to_status).label}."
        )


def change_status(order, *, to_status, changed_by=None, note=""):
    """Move the order (checked against Order.ALLOWED_TRANSITIONS), save it and record the move
    in its status history."""
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
        change_status(order, to_status=Order.Status.SHIPPED, changed_by=changed_by)
        # Set after the move: a partially refunded order may ship only while not shipped yet.
        order.shipped_at = timezone.now()
        order.save(update_fields=["shipped_at", "updated_at"])
        queue_order_email(order=order, kind=OrderEmail.Kind.SHIPPED)
    return order


def mark_order_delivered(*, order, changed_by=None):
    """Shipped -> delivered. Locks the order row. Repeating it raises InvalidTransition."""
    with transaction.atomic():
        order = locked_order(order)
        change_status(order, to_status=Order.Status.DELIVERED, changed_by=changed_by)
    return order


def captured_payment(order):
    """The payment that paid for the order (None for an order paid before payments were kept)."""
    return (
        Payment.objects.filter(
            order=order,
            status__in=[Payment.Status.PAID, Payment.Status.PARTIALLY_REFUNDED],
        )
        .order_by("-paid_at", "-pk")
        .first()
    )


def refund_what_is_left(order, *, changed_by=None, reason):
    """Refund what the order's payment still holds, through its own gateway, keyed by the
    order so a retry never refunds twice; records the refund's reference on the order and
    returns the refund (None when nothing was left)."""
    payment = captured_payment(order)
    if payment is None:
        return None
    left = payment.amount - payment.refunded_amount
    if left <= 0:
        return None
    refund = refund_payment(
        payment=payment,
        amount=left,
        idempotency_key=f"cancel-{order.number}-{payment.pk}",
        reason=reason,
        created_by=known_user(changed_by),
    )
    order.refund_reference = refund.reference
    return refund


def cancel_order(*, order, changed_by=None, note="", notify_customer=True):
    """Pending, paid or partially refunded (not shipped) -> cancelled: refunds what a paid
    order's payment still holds (through its gateway, recording the refund), puts the units not
    refunded yet back in stock, gives back its discount code's use, issues a credit note for
    everything of the invoice not credited yet and queues the cancellation email (unless
    `notify_customer` is false: the customer cancelled the payment page themselves).

    Locks the order row first, then the payment, then the variants (by ascending id), then the
    discount code, then the credit notes' number series. The refund is requested before the
    variants are locked, so only this order's rows wait on the provider; a refund error rolls
    everything back and the order stays as it was. Repeating it raises InvalidTransition (it is
    cancelled already), so nothing is refunded, restocked, credited or given back twice.
    """
    with transaction.atomic():
        order = locked_order(order)
        refuse_unless_allowed(order, Order.Status.CANCELLED)
        refunded = order.status != Order.Status.PENDING_PAYMENT
        reason = note or "Order cancelled"
        refund = None
        if refunded:
            refund = refund_what_is_left(order, changed_by=changed_by, reason=reason)
        restock(order)
        release_discount_code(order_number=order.number)
        if refunded:
            credit_the_rest(
                order,
                reason=reason,
                refund_reference=refund.reference if refund else "",
                created_by=known_user(changed_by),
            )
        order.cancelled_at = timezone.now()
        change_status(
            order,
            to_status=Order.Status.CANCELLED,
            changed_by=changed_by,
            note=note or ("Cancelled and refunded" if refunded else "Cancelled"),
        )
        if notify_customer:
            queue_order_email(order=order, kind=OrderEmail.Kind.CANCELLED)
    return order


def unpaid_orders(*, older_than):
    cutoff = timezone.now() - older_than
    return Order.objects.filter(status=Order.Status.PENDING_PAYMENT, created_at__lt=cutoff)
