"""Write paths for payment records: attempts, their outcome, refunds and webhook events.

These functions never decide what happens to an order; `orders.services` does, and calls them
inside its own transactions with the order row locked (order first, then the payment row), so
two calls about the same payment never interleave.
"""

from django.db import transaction
from django.utils import timezone

from payments.gateways import RefundResult, get_gateway
from payments.models import Payment, Refund, WebhookEvent


class RefundRefused(Exception):
    """The refund asked for is more than what is left to refund on the payment."""


def create_payment(*, order, gateway, expires_at=None):
    """Record a new attempt to pay for `order` (pending), for its total in its currency."""
    return Payment.objects.create(
        order=order,
        order_number=order.number,
        gateway=gateway,
        amount=order.total,
        currency=order.currency,
        expires_at=expires_at,
    )


def attach_checkout_session(*, payment, session):
    """Keep the Stripe Checkout Session made for this attempt (its id, page and mode)."""
    payment.stripe_session_id = session.id
    payment.checkout_url = session.url
    payment.livemode = session.livemode
    payment.save(update_fields=["stripe_session_id", "checkout_url", "livemode", "updated_at"])


def mark_payment_paid(*, payment, reference, card_brand="", card_last4=""):
    """Pending -> paid, with the provider's reference and the card's brand and last four."""
    payment.status = Payment.Status.PAID
    payment.reference = reference or payment.reference
    payment.card_brand = card_brand or payment.card_brand
    payment.card_last4 = card_last4 or payment.card_last4
    payment.checkout_url = ""  # a paid session's page is of no use to anyone
    payment.paid_at = timezone.now()
    payment.save()
    return payment


def mark_payment_unsuccessful(*, payment, status, message=""):
    """Pending -> failed (declined, asynchronous payment failed) or expired (never paid)."""
    payment.status = status
    payment.failure_message = message[:255]
    payment.checkout_url = ""
    payment.save()
    return payment


def flag_for_attention(*, payment, note):
    payment.attention = note[:255]
    payment.save(update_fields=["attention", "updated_at"])


def _refresh_refund_status(payment):
    refunded = payment.refunded_amount
    if refunded >= payment.amount:
        payment.status = Payment.Status.REFUNDED
    elif refunded > 0:
        payment.status = Payment.Status.PARTIALLY_REFUNDED
    payment.save(update_fields=["status", "updated_at"])


def refund_payment(*, payment, amount, idempotency_key, reason="", created_by=None):
    """Give back `amount` (all or part of what is left) through the payment's own gateway.

    Safe to repeat: a refund is recorded under its `idempotency_key` (unique) and the same key
    is sent to the provider, so a retry returns the refund already made instead of refunding
    twice, also when the first attempt's answer was lost. Locks the payment row; call it inside
    the transaction that locked the order. Raises RefundRefused for more than is left, and
    GatewayError when the provider fails (the caller's transaction then rolls back).
    """
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        existing = Refund.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
        left = payment.amount - payment.refunded_amount
        if amount <= 0 or amount > left:
            raise RefundRefused(f"Only {left} {payment.currency} is left to refund.")
        result = get_gateway(payment.gateway).refund(
            reference=payment.reference,
            amount=amount,
            currency=payment.currency,
            idempotency_key=idempotency_key,
        )
        refund = Refund.objects.filter(reference=result.reference).first()
        if refund is None:  # not already recorded from a charge.refunded event
            refund = Refund.objects.create(
                payment=payment,
                amount=result.amount,
                currency=payment.currency,
                reference=result.reference,
                idempotency_key=idempotency_key,
                status=result.status,
                reason=reason,
                created_by=created_by,
            )
        _refresh_refund_status(payment)
    return refund


def record_stripe_refunds(*, payment, refunds: list[RefundResult]):
    """Record the refunds Stripe reports for a payment that the shop has not recorded yet
    (made in Stripe's dashboard); returns the new ones. Safe to repeat: one row per refund id.
    Locks the payment row; call it inside the transaction that locked the order."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        known = set(Refund.objects.filter(payment=payment).values_list("reference", flat=True))
        new = [
            Refund.objects.create(
                payment=payment,
                amount=refund.amount,
                currency=payment.currency,
                reference=refund.reference,
                idempotency_key=f"stripe:{refund.reference}",
                source=Refund.Source.STRIPE,
                status=refund.status,
                reason="Refunded in Stripe",
            )
            for refund in refunds
            if refund.reference not in known and refund.status != "failed"
        ]
        if new:
            _refresh_refund_status(payment)
    return new


def record_webhook_event(*, event: dict):
    """Store a verified Stripe event once, by its id, before it takes effect.

    Returns (row, created). Concurrent deliveries of one event race on the unique event id:
    one inserts, the others wait for it and find the row. Commits on its own, so an event is
    on record (payload included) even if acting on it fails and Stripe has to deliver it again.
    """
    data = (event.get("data") or {}).get("object") or {}
    order_number = (data.get("metadata") or {}).get("order_number") or ""
    return WebhookEvent.objects.get_or_create(
        event_id=event["id"],
        defaults={
            "type": event.get("type", ""),
            "order_number": order_number[:8],
            "livemode": bool(event.get("livemode")),
            "payload": event,
        },
    )


def finish_webhook_event(*, event, outcome, order_number=""):
    """Mark a locked event row processed with what it did."""
    event.outcome = outcome[:255]
    event.order_number = event.order_number or order_number
    event.processed_at = timezone.now()
    event.save(update_fields=["outcome", "order_number", "processed_at"])
