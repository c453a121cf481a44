"""What payments do to orders: a payment proven, failed or abandoned, Stripe's webhook events,
and the reconciliation that catches what a webhook missed.

Whatever tells the shop about a payment (the test gateway's answer, a webhook, the customer's
return from Stripe, the unpaid-order sweep, `sync_payments`) ends in the same few functions
below, each run with the order row locked, so they agree whatever the order they arrive in:

- `settle_payment`: money was taken. A pending order becomes paid (one confirmation email);
  money for an order already cancelled, or paid twice, is refunded at once and flagged for
  staff, never kept silently and never lost.
- `end_unpaid_payment`: the payment failed or expired. A pending order is cancelled and
  restocked; an order already paid is left alone.

Lock order: the webhook event row (webhooks only), then the order row, then the payment row,
then variants by ascending id, then a discount code's row: the same order every other write
path uses after the order.
"""

import logging
from collections import Counter
from dataclasses import replace

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from orders.emails import queue_order_email
from orders.models import Order, OrderEmail
from orders.services.errors import InvalidTransition, PaymentDeclined
from orders.services.invoicing import invoice_paid_order
from orders.services.lifecycle import (
    cancel_order,
    change_status,
    locked_order,
    unpaid_orders,
)
from orders.services.refunds import credit_outside_refund
from orders.services.stock import restock
from payments.gateways import STRIPE, GatewayError, StripeSession, get_gateway
from payments.models import Payment, WebhookEvent
from payments.services import (
    attach_checkout_session,
    finish_webhook_event,
    flag_for_attention,
    mark_payment_paid,
    mark_payment_unsuccessful,
    record_stripe_refunds,
    record_webhook_event,
    refund_payment,
)
from promotions.services import release_discount_code

logger = logging.getLogger(__name__)

CANCEL_LINK_SALT = "orders.payment-cancel"
SESSION_EVENTS = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
}
PAYMENT_PROVEN_EVENTS = {"checkout.session.completed", "checkout.session.async_payment_succeeded"}


class EventNotReady(Exception):
    """The event refers to something the shop has not recorded yet (e.g. a refund of a payment
    whose completion has not arrived): Stripe delivers it again later."""


# Settling: the one place a payment's outcome changes an order.


def settle_payment(*, order, payment, reference, card_brand="", card_last4=""):
    """Record money taken by `payment` for `order`; returns what it did, in words.

    Call it in a transaction holding the order row lock. A pending order becomes paid, owes
    its customer one confirmation email and gets its invoice, numbered in this transaction (so
    a rollback gives the number back). A payment already recorded as paid changes nothing
    (one given up as expired or failed can still turn out paid). Money for
    an order that is no longer waiting for it (cancelled meanwhile, or paid by another payment)
    is refunded in full at once, keyed by the payment, and flagged for staff.
    """
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.paid_at is not None:
        return f"Already recorded: payment is {payment.get_status_display().lower()}"
    mark_payment_paid(
        payment=payment, reference=reference, card_brand=card_brand, card_last4=card_last4
    )
    if order.status != Order.Status.PENDING_PAYMENT:
        refund = refund_payment(
            payment=payment,
            amount=payment.amount,
            idempotency_key=f"unwanted-payment-{payment.pk}",
            reason=f"Paid while the order was {order.get_status_display().lower()}",
        )
        note = (
            f"Paid after the order was {order.get_status_display().lower()}: "
            f"refunded automatically ({refund.reference})."
        )
        flag_for_attention(payment=payment, note=note)
        if order.status == Order.Status.CANCELLED:
            order.refund_reference = refund.reference
            order.save(update_fields=["refund_reference", "updated_at"])
        logger.warning("Order %s: %s", order.number, note)
        return note
    order.payment_brand = payment.card_brand
    order.payment_last4 = payment.card_last4
    order.payment_reference = payment.reference
    order.paid_at = timezone.now()
    card = f"{payment.card_brand} ending in {payment.card_last4}" if payment.card_last4 else ""
    change_status(
        order,
        to_status=Order.Status.PAID,
        changed_by=order.customer,
        note=f"Paid with {card}" if card else f"Paid ({payment.get_gateway_display()})",
    )
    queue_order_email(order=order, kind=OrderEmail.Kind.CONFIRMATION)
    invoice_paid_order(order)
    return "Order paid"


def end_unpaid_payment(*, order, payment, status, reason, notify_customer=True):
    """The payment failed or expired unpaid: cancel and restock a pending order. Returns what it
    did. Call it in a transaction holding the order row lock."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status == Payment.Status.PENDING:
        mark_payment_unsuccessful(payment=payment, status=status, message=reason)
    if order.status != Order.Status.PENDING_PAYMENT:
        return f"Ignored: order is {order.get_status_display().lower()}"
    cancel_order(order=order, note=reason, notify_customer=notify_customer)
    return f"Order cancelled: {reason.lower()}"


def release_order(order, *, payment, reason):
    """Undo a checkout whose payment did not go through: restock and delete the order and give
    back its discount code's use, so the same checkout form can be submitted again. The payment
    stays on record as failed. Locks the order row (if it still exists), the variants, then the
    code."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order.pk).first()
        mark_payment_unsuccessful(payment=payment, status=Payment.Status.FAILED, message=reason)
        # Staff may have cancelled (and so restocked) it while the payment was being tried.
        if order is not None and order.status == Order.Status.PENDING_PAYMENT:
            restock(order)
            release_discount_code(order_number=order.number)
            order.delete()


# Stripe Checkout: starting, returning, abandoning.


def hosted_payment(order):
    """The order's latest Stripe payment (None for other orders)."""
    return (
        Payment.objects.filter(order=order, gateway=STRIPE).order_by("-created_at", "-pk").first()
    )


def cancel_link_key(order):
    """The signature of the order's cancel link. Not timestamped: the session's parameters,
    this link among them, must be the same on every retry of its idempotent creation."""
    return signing.Signer(salt=CANCEL_LINK_SALT).signature(order.number)


def cancel_link_opens(*, key, number):
    signer = signing.Signer(salt=CANCEL_LINK_SALT)
    return constant_time_compare(signer.signature(number), key)


def start_hosted_payment(*, order):
    """The Stripe payment page of a pending order: its Checkout Session, created once.

    Locks the order row, so concurrent submits of one checkout form wait here and then find
    the session the first one made; the idempotency key (the order number) makes a retry of
    the same request return the same session, even when the first answer was lost. A session
    Stripe refuses releases the order (restocked, deleted) and raises PaymentDeclined.
    Returns the page's URL, or "" when the order no longer waits for payment.
    """
    with transaction.atomic():
        order = locked_order(order)
        payment = hosted_payment(order)
        if order.status != Order.Status.PENDING_PAYMENT or payment is None:
            return ""
        if payment.stripe_session_id:
            return payment.checkout_url
        return_path = reverse("orders:payment_return", args=[order.number])
        cancel_path = reverse("orders:payment_cancelled", args=[order.number])
        try:
            session = get_gateway(STRIPE).create_checkout_session(
                order_number=order.number,
                amount=order.total,
                currency=order.currency,
                email=order.email,
                description=", ".join(
                    f"{line.quantity} × {line.product_name}" for line in order.lines.all()
                ),
                success_url=f"{settings.SITE_URL}{return_path}?session_id={{CHECKOUT_SESSION_ID}}",
                cancel_url=f"{settings.SITE_URL}{cancel_path}?key={cancel_link_key(order)}",
                expires_at=payment.expires_at,
                idempotency_key=f"checkout-session-{order.number}",
            )
        except GatewayError as error:
            logger.error("Order %s: Stripe refused the Checkout Session: %s", order.number, error)
            failed = error
        else:
            attach_checkout_session(payment=payment, session=session)
            return session.url
    release_order(order, payment=payment, reason=f"Payment could not start: {failed}")
    raise PaymentDeclined("We could not start the payment. Please try again in a moment.")


def apply_session_state(*, order, session, reason_if_unpaid="Session expired"):
    """Bring a pending Stripe order in line with its Checkout Session as Stripe has it now
    (the customer's return, the sweep, `sync_payments`). Returns what it did, in words."""
    with transaction.atomic():
        order = locked_order(order)
        payment = Payment.objects.filter(stripe_session_id=session.id).first()
        if payment is None:
            return "Ignored: unknown session"
        if session.paid:
            return settle_payment(
                order=order,
                payment=payment,
                reference=session.payment_intent,
                card_brand=session.card_brand,
                card_last4=session.card_last4,
            )
        if session.status == "expired":
            return end_unpaid_payment(
                order=order, payment=payment, status=Payment.Status.EXPIRED, reason=reason_if_unpaid
            )
        if session.status == "complete":
            return "Awaiting asynchronous payment"
        return "Awaiting payment"


def confirm_hosted_payment(*, order):
    """Ask Stripe about a pending order's session (the customer is back on the success page,
    which never trusts its query string). Returns the order as it is now; if Stripe cannot be
    reached the order simply stays pending until the webhook arrives."""
    payment = hosted_payment(order)
    if order.status != Order.Status.PENDING_PAYMENT or payment is None:
        return order
    if payment.stripe_session_id:
        try:
            session = get_gateway(STRIPE).retrieve_checkout_session(payment.stripe_session_id)
        except GatewayError as error:
            logger.warning("Order %s: could not retrieve its session: %s", order.number, error)
        else:
            apply_session_state(order=order, session=session)
    return Order.objects.get(pk=order.pk)


def abandon_hosted_payment(*, order):
    """The customer left Stripe's page by its back link: expire the session so it can no
    longer be paid, then cancel the order and put its stock back (no email: they chose to).
    If the payment went through after all, the order is paid instead. Returns the order."""
    payment = hosted_payment(order)
    if order.status == Order.Status.PENDING_PAYMENT and payment and payment.stripe_session_id:
        session = get_gateway(STRIPE).expire_checkout_session(payment.stripe_session_id)
        if session.status == "expired":
            with transaction.atomic():
                order = locked_order(order)
                end_unpaid_payment(
                    order=order,
                    payment=payment,
                    status=Payment.Status.EXPIRED,
                    reason="Payment cancelled by the customer",
                    notify_customer=False,
                )
        else:
            apply_session_state(order=order, session=session)
    return Order.objects.get(pk=order.pk)


# Webhooks.


def receive_stripe_event(*, event):
    """Take a verified Stripe event: store it once by id, then act on it. Returns its outcome.

    Re-deliveries and concurrent deliveries of one event find the stored row and do nothing
    more. Acting happens in one transaction that locks the event row, then the order row;
    if it fails (e.g. a refund Stripe refuses) it rolls back, the row stays unprocessed and the
    error reaches Stripe, which delivers the event again later.
    """
    row, _ = record_webhook_event(event=event)
    if row.processed_at is not None:
        return f"Duplicate: {row.outcome}"
    details = _details_from_stripe(event)
    with transaction.atomic():
        row = WebhookEvent.objects.select_for_update().get(pk=row.pk)
        if row.processed_at is not None:
            return f"Duplicate: {row.outcome}"
        outcome, order_number = _act_on_event(event, details)
        finish_webhook_event(event=row, outcome=outcome, order_number=order_number)
    return outcome


def _details_from_stripe(event):
    """What the event does not carry, fetched before any lock is taken: the card of a paid
    session (best effort), or every refund of a refunded charge (required)."""
    data = event["data"]["object"]
    gateway = get_gateway(STRIPE)
    if event["type"] in PAYMENT_PROVEN_EVENTS:
        try:
            return gateway.retrieve_checkout_session(data["id"])
        except GatewayError as error:
            logger.warning("No card details for session %s: %s", data["id"], error)
            return None
    if event["type"] == "charge.refunded" and data.get("payment_intent"):
        return gateway.refunds_of(
            payment_intent=data["payment_intent"], currency=data.get("currency", "")
        )
    return None


def _act_on_event(event, details):
    kind = event["type"]
    data = event["data"]["object"]
    if kind == "charge.refunded":
        return _charge_refunded(data, details)
    if kind not in SESSION_EVENTS:
        return "Ignored: not an event the shop handles", ""
    session = StripeSession.from_stripe(data)
    if details is not None:
        session = replace(
            session,
            payment_intent=details.payment_intent or session.payment_intent,
            card_brand=details.card_brand,
            card_last4=details.card_last4,
        )
    payment = Payment.objects.filter(stripe_session_id=session.id).first()
    if payment is None or payment.order_id is None:
        return "Ignored: no order waits for this session", session.order_number
    order = locked_order(payment.order)
    if kind in PAYMENT_PROVEN_EVENTS and session.paid:
        outcome = settle_payment(
            order=order,
            payment=payment,
            reference=session.payment_intent,
            card_brand=session.card_brand,
            card_last4=session.card_last4,
        )
    elif kind == "checkout.session.completed":
        outcome = "Awaiting asynchronous payment"
    elif kind == "checkout.session.async_payment_failed":
        outcome = end_unpaid_payment(
            order=order, payment=payment, status=Payment.Status.FAILED, reason="Payment failed"
        )
    else:  # expired
        outcome = end_unpaid_payment(
            order=order, payment=payment, status=Payment.Status.EXPIRED, reason="Session expired"
        )
    return outcome, order.number


def _charge_refunded(charge, refunds):
    """A refund seen by Stripe (the shop's own, or one made in the dashboard): record the new
    ones. A payment refunded in full cancels and restocks an order not yet shipped (crediting
    the rest); otherwise each new refund is credited by its amount, over the order's VAT rates
    (orders.services.refunds.credit_outside_refund)."""
    payment = Payment.objects.filter(gateway=STRIPE, reference=charge.get("payment_intent") or "")
    payment = payment.first()
    if payment is None:
        if (charge.get("metadata") or {}).get("order_number"):
            # Our charge, but its payment's completion has not been processed yet.
            raise EventNotReady("charge.refunded before the payment was recorded")
        return "Ignored: not a payment of this shop", ""
    if payment.order_id is None:
        return "Ignored: the order no longer exists", payment.order_number
    order = locked_order(payment.order)
    new = record_stripe_refunds(payment=payment, refunds=refunds or [])
    if not new:
        return "Refund already recorded", order.number
    payment.refresh_from_db()
    if (
        payment.status == Payment.Status.REFUNDED
        and order.status in Order.REFUNDABLE
        and order.can_transition_to(Order.Status.CANCELLED)
    ):
        cancel_order(order=order, note="Refunded in Stripe")
        return "Order cancelled: refunded in Stripe", order.number
    if order.status in Order.REFUNDABLE:
        for refund in new:
            credit_outside_refund(order, refund=refund)
    total = sum(refund.amount for refund in new)
    return f"Recorded a refund of {total} {payment.currency} made in Stripe", order.number


# Reconciliation: the sweep and sync_payments.


def reconcile_hosted_payment(*, order, expire_if_open):
    """Ask Stripe about a pending order's session and apply what it says; with
    `expire_if_open`, first close a session still open (its reservation is over). Returns the
    outcome, or None for an order without a Stripe session. Raises GatewayError."""
    payment = hosted_payment(order)
    if payment is None or not payment.stripe_session_id:
        return None
    gateway = get_gateway(STRIPE)
    if expire_if_open:
        session = gateway.expire_checkout_session(payment.stripe_session_id)
    else:
        session = gateway.retrieve_checkout_session(payment.stripe_session_id)
    return apply_session_state(order=order, session=session, reason_if_unpaid="Not paid in time")


def cancel_unpaid_orders(*, older_than, dry_run=False):
    """Cancel and restock orders left pending payment for longer than `older_than` (a
    timedelta), e.g. after a crash mid-payment. Returns the orders cancelled (or, with
    `dry_run`, that would be). A Stripe order's session is asked first: paid means paid, not
    cancelled; open is expired first so nobody can pay a cancelled order; Stripe unreachable
    means the order waits for the next sweep. Each order in its own transaction; one paid or
    cancelled meanwhile is skipped, so running it twice, or concurrently, is safe."""
    candidates = list(unpaid_orders(older_than=older_than).order_by("created_at", "pk"))
    if dry_run:
        return candidates
    cancelled = []
    for order in candidates:
        try:
            outcome = reconcile_hosted_payment(order=order, expire_if_open=True)
        except GatewayError as error:
            logger.warning("Order %s left for the next sweep: %s", order.number, error)
            continue
        if outcome is not None:
            if outcome.startswith("Order cancelled"):
                cancelled.append(order)
            continue
        try:
            cancelled.append(cancel_order(order=order, note="Not paid in time"))
        except InvalidTransition:
            continue
    return cancelled


def sync_payments(*, since):
    """Reconcile every order placed since `since` that still waits for a Stripe payment (for
    webhooks missed in an outage): paid sessions mark orders paid, expired ones cancel them,
    open ones past their reservation are expired first. Returns a Counter of outcomes.
    Idempotent: a second run finds nothing left to change."""
    pending = Order.objects.filter(
        status=Order.Status.PENDING_PAYMENT,
        created_at__gte=since,
        payments__gateway=STRIPE,
    ).distinct()
    now = timezone.now()
    counts = Counter()
    for order in pending.order_by("created_at", "pk"):
        payment = hosted_payment(order)
        overdue = payment is not None and payment.expires_at and payment.expires_at <= now
        try:
            outcome = reconcile_hosted_payment(order=order, expire_if_open=bool(overdue))
        except GatewayError as error:
            logger.warning("Order %s could not be checked: %s", order.number, error)
            outcome = "error"
        counts[_summary_kind(outcome)] += 1
    return counts


def _summary_kind(outcome):
    if outcome in (None, "error"):
        return "errors" if outcome else "without session"
    if outcome == "Order paid":
        return "paid"
    if outcome.startswith("Order cancelled"):
        return "cancelled"
    if outcome.startswith("Paid after"):
        return "refunded"
    return "still waiting"
