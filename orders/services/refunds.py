"""Refunds and returns of paid orders, each documented by a credit note (orders.services.
invoicing builds its lines; an order's invoice is issued by `settle_payment` in the
transaction that marks it paid, so a rollback never uses up a number).

- `refund_order`: staff give back chosen units of lines (and optionally the shipping),
  putting back in stock the units they choose; the money goes back through the payment's
  gateway and a credit note documents it.
- `cancel_order` (lifecycle) refunds what the payment still holds and credits the rest
  (`invoicing.credit_the_rest`).
- `credit_outside_refund`: a refund made in Stripe's dashboard names no items: its amount is
  credited over the order's VAT rates in proportion to what is left at each
  (`orders.pricing.allocate_by_rate`).

Refunds never exceed what was paid: each line's refunded units are at most its units, the
credited total at most the order's total (both also database constraints), and the payment
refuses to give back more than it holds. All of it is checked with the order row locked, so
two staff refunding at once queue. Lock order, as in every order service: the order row, the
payment row, variants by ascending id, the discount code, and last the billing number series.
"""

from dataclasses import dataclass

from django.db import transaction

from billing.models import Document
from catalog.templatetags.catalog_tags import money
from orders.emails import queue_refund_email
from orders.models import Order, OrderLine
from orders.pricing import ZERO
from orders.services.errors import OrderError
from orders.services.invoicing import (
    credit_amount,
    issue_credit_note,
    returned_units_line,
    shipping_credit_line,
)
from orders.services.lifecycle import captured_payment, change_status, known_user, locked_order
from orders.services.stock import restock_units
from payments.models import Refund
from payments.services import RefundRefused, refund_payment
from promotions.services import release_discount_code


class RefundNotPossible(OrderError):
    """The refund asked for cannot be made; `str()` says why, for staff."""


@dataclass(frozen=True)
class ReturnedUnits:
    """Units of one order line to refund, and whether they go back in stock."""

    line_id: int
    quantity: int
    restock: bool = False


def _credit(order, *, amount, changed_by, issue, where=""):
    """Record that `amount` more was given back: the order becomes partially refunded, or
    refunded once everything paid has been credited (giving its discount code's use back);
    `issue()` then issues the credit note (None without an invoice), after the code's lock, as
    the lock order wants; the status history names the amount and the credit note, and the
    customer gets the refund email. Returns the credit note."""
    order.refunded_total += amount
    fully = order.refunded_total == order.total
    if fully:
        release_discount_code(order_number=order.number)
    note = issue()
    words = f"Refunded {money(amount, order.currency)}{where}"
    if note is not None:
        words += f" (credit note {note.number})"
    change_status(
        order,
        to_status=Order.Status.REFUNDED if fully else Order.Status.PARTIALLY_REFUNDED,
        changed_by=changed_by,
        note=words,
    )
    if note is not None:
        queue_refund_email(order=order, credit_note=note)
    return note


def refund_order(
    *,
    order,
    returns: list[ReturnedUnits],
    refund_shipping=False,
    reason="",
    created_by=None,
    idempotency_key,
):
    """Refund chosen units of a paid order's lines, and optionally its shipping, through the
    payment's own gateway; put the units marked `restock` back in stock; issue the credit note
    (referring to the invoice), record who did it and queue the refund email. Returns the
    credit note (None for an order paid before invoices were issued).

    Locks the order row first (two refunds of one order queue, and the second sees what the
    first refunded), then the payment, the variants, the discount code (when this refunds
    everything) and the number series. Raises RefundNotPossible, changing nothing, for units
    not bought or already refunded, a refund of nothing, or more than the payment holds; a
    gateway error rolls everything back. Safe to repeat with the same `idempotency_key` (one
    per refund form): a repeat returns the first call's credit note.
    """
    created_by = known_user(created_by)
    with transaction.atomic():
        order = locked_order(order)
        done = Refund.objects.filter(idempotency_key=idempotency_key).first()
        if done is not None:
            return Document.objects.filter(refund_reference=done.reference).first()
        if order.status not in Order.REFUNDABLE:
            raise RefundNotPossible(
                f"Order {order.number} is {order.get_status_display().lower()}: "
                "only paid orders can be refunded."
            )
        lines = {line.pk: line for line in OrderLine.objects.filter(order=order)}
        credit_lines, restocking, refunded_lines = [], {}, []
        for returned in returns:
            line = lines.get(returned.line_id)
            if line is None or returned.quantity < 1:
                raise RefundNotPossible("Choose at least one unit of a line of this order.")
            if returned.quantity > line.refundable_quantity:
                raise RefundNotPossible(
                    f"{line.description}: only {line.refundable_quantity} of {line.quantity} "
                    "can still be refunded."
                )
            credit_lines.append(returned_units_line(line, returned.quantity))
            line.refunded_quantity += returned.quantity
            refunded_lines.append(line)
            if returned.restock and line.variant_id:
                restocking[line.variant_id] = restocking.get(line.variant_id, 0) + returned.quantity
        if refund_shipping:
            if order.shipping_refunded or not order.shipping_paid:
                raise RefundNotPossible("The shipping was not paid or has been refunded already.")
            credit_lines.append(shipping_credit_line(order))
            order.shipping_refunded = True
        amount = sum((line.gross for line in credit_lines), ZERO)
        if amount <= 0:
            raise RefundNotPossible("Choose the units (or the shipping) to refund.")
        if amount > order.total - order.refunded_total:
            raise RefundNotPossible(
                f"Only {money(order.total - order.refunded_total, order.currency)} of this "
                "order is left to refund."
            )
        payment = captured_payment(order)
        if payment is None:
            raise RefundNotPossible(f"Order {order.number} has no payment to refund.")
        try:
            refund = refund_payment(
                payment=payment,
                amount=amount,
                idempotency_key=idempotency_key,
                reason=reason or "Refund",
                created_by=created_by,
            )
        except RefundRefused as error:
            raise RefundNotPossible(str(error)) from error
        OrderLine.objects.bulk_update(refunded_lines, ["refunded_quantity"])
        restock_units(restocking)
        order.refund_reference = refund.reference
        note = _credit(
            order,
            amount=amount,
            changed_by=created_by,
            issue=lambda: issue_credit_note(
                order,
                lines=credit_lines,
                reason=reason,
                refund_reference=refund.reference,
                created_by=created_by,
            ),
        )
    return note


def credit_outside_refund(order, *, refund):
    """A refund made outside the shop (Stripe's dashboard) of an order not being cancelled:
    credit its amount over the VAT rates left on the invoice, mark the order partially
    refunded or refunded, and email the customer. Call it holding the order row lock. Returns
    the credit note (None when the order has no invoice)."""
    amount = min(refund.amount, order.total - order.refunded_total)
    if amount <= 0:
        return None
    return _credit(
        order,
        amount=amount,
        changed_by=None,
        where=" in Stripe",
        issue=lambda: credit_amount(
            order,
            amount=amount,
            description="Refund made in Stripe",
            reason=refund.reason or "Refunded in Stripe",
            refund_reference=refund.reference,
        ),
    )
