"""Checkout: turning a cart into a paid order, exactly once per checkout form.

Locks are always taken in the same order, so concurrent checkouts queue instead of
deadlocking: an order row first (when changing an existing order), then variant rows by
ascending id.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Address
from catalog.models import Variant
from orders.emails import queue_order_email
from orders.models import Order, OrderEmail, OrderLine, OrderStatusChange, new_order_number
from orders.payments import get_gateway
from orders.pricing import line_total, order_totals
from orders.selectors import (
    is_for_sale,
    order_for_checkout_token,
    stock_message,
    unavailable_message,
)
from orders.services.errors import EmptyCart, OutOfStock, PaymentDeclined
from orders.services.lifecycle import change_status, known_user
from orders.services.stock import invalidate_pages_showing, restock

logger = logging.getLogger(__name__)

ORDER_NUMBER_ATTEMPTS = 5


@dataclass(frozen=True)
class AddressData:
    full_name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str
    phone: str = ""


class _DuplicateCheckout(Exception):
    """Raised inside the stock transaction to roll it back when the token was already used."""

    def __init__(self, order):
        self.order = order


def _address_fields(prefix, address):
    return {
        f"{prefix}_full_name": address.full_name,
        f"{prefix}_line1": address.line1,
        f"{prefix}_line2": address.line2,
        f"{prefix}_city": address.city,
        f"{prefix}_postal_code": address.postal_code,
        f"{prefix}_country": address.country,
        f"{prefix}_phone": address.phone,
    }


def place_order(
    *,
    customer,
    email,
    quantities,
    shipping_address,
    billing_address,
    shipping_method,
    card,
    checkout_token,
):
    """Turn a cart ({variant_id: quantity}) into a paid order, or change nothing.

    1. One short transaction locks the variants being bought (SELECT ... FOR UPDATE, ascending
       id, so checkouts sharing variants queue instead of deadlocking), checks and decrements
       their stock, and creates the order (pending payment) with its lines, copied from the
       variants at their current prices. Raises OutOfStock, touching nothing, when any line
       cannot be had.
    2. The card is charged after that commits, holding no locks while the provider answers.
    3. Approved: a second transaction marks the order paid and queues the confirmation email.
       Declined: a second transaction locks the variants again, restores their stock and deletes
       the order, then PaymentDeclined is raised. If the provider errors instead, the order stays
       pending with its stock reserved; the unpaid-order sweep cancels and restocks it later.

    Safe to repeat: `checkout_token` is unique on Order. A repeat (double click, back button,
    retry after a timeout) finds the order that token created, also when the two requests race
    (the losing insert hits the unique constraint), and returns it without charging again.
    """
    existing = order_for_checkout_token(checkout_token)
    if existing is not None:
        return existing
    if not quantities:
        raise EmptyCart()
    try:
        order = _reserve_stock_and_create_order(
            customer=known_user(customer),
            email=email,
            quantities=quantities,
            shipping_address=shipping_address,
            billing_address=billing_address,
            shipping_method=shipping_method,
            checkout_token=checkout_token,
        )
    except _DuplicateCheckout as duplicate:
        return duplicate.order

    gateway = get_gateway()
    charge = gateway.charge(
        amount=order.total, currency=order.currency, card=card, description=str(order)
    )
    if not charge.approved:
        _release_declined_order(order)
        raise PaymentDeclined(charge.decline_message)
    return _mark_paid(order=order, card=card, reference=charge.reference, gateway=gateway)


def _reserve_stock_and_create_order(
    *,
    customer,
    email,
    quantities,
    shipping_address,
    billing_address,
    shipping_method,
    checkout_token,
):
    with transaction.atomic():
        variants = list(
            Variant.objects.select_for_update(of=("self",))
            .select_related("product")
            .filter(pk__in=list(quantities))
            .order_by("pk")
        )
        # A duplicate submit that committed while this one waited for the locks.
        existing = order_for_checkout_token(checkout_token)
        if existing is not None:
            raise _DuplicateCheckout(existing)

        by_id = {variant.pk: variant for variant in variants}
        problems = []
        for variant_id, quantity in quantities.items():
            variant = by_id.get(variant_id)
            if variant is None:
                problems.append("Sorry, an item in your cart is no longer available.")
            elif not is_for_sale(variant):
                problems.append(unavailable_message(variant))
            elif quantity > variant.stock:
                problems.append(stock_message(variant=variant, available=variant.stock))
        if problems:
            raise OutOfStock(problems)

        for variant in variants:
            variant.stock -= quantities[variant.pk]
        Variant.objects.bulk_update(variants, ["stock"])
        invalidate_pages_showing(
            variants, change={pk: -quantity for pk, quantity in quantities.items()}
        )

        lines = []  # in the cart's order
        for variant_id, quantity in quantities.items():
            variant = by_id[variant_id]
            lines.append(
                OrderLine(
                    variant=variant,
                    product_name=variant.product.name,
                    options_label=variant.options_label,
                    sku=variant.sku,
                    unit_price=variant.price,
                    quantity=quantity,
                    line_total=line_total(unit_price=variant.price, quantity=quantity),
                )
            )
        totals = order_totals(
            line_totals=[line.line_total for line in lines], shipping_method=shipping_method
        )
        order = Order(
            customer=customer,
            email=email,
            checkout_token=checkout_token,
            shipping_method=shipping_method,
            currency=settings.SHOP_CURRENCY,
            subtotal=totals.subtotal,
            shipping_cost=totals.shipping,
            total=totals.total,
            **_address_fields("shipping", shipping_address),
            **_address_fields("billing", billing_address),
        )
        _insert_order(order)
        for line in lines:
            line.order = order
        OrderLine.objects.bulk_create(lines)
        OrderStatusChange.objects.create(
            order=order, to_status=order.status, changed_by=customer, note="Order placed"
        )
    return order


def _insert_order(order):
    """Insert with a fresh number on the rare collision; a token collision means a concurrent
    duplicate checkout won the race, and rolls this transaction back."""
    for attempt in range(1, ORDER_NUMBER_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                order.save(force_insert=True)
            return
        except IntegrityError:
            existing = order_for_checkout_token(order.checkout_token)
            if existing is not None:
                raise _DuplicateCheckout(existing) from None
            if attempt == ORDER_NUMBER_ATTEMPTS:
                raise
            logger.warning("Order number %s was taken; drawing another", order.number)
            order.number = new_order_number()


def _release_declined_order(order):
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order.pk).first()
        # Staff may have cancelled (and so restocked) it while the card was being charged.
        if order is not None and order.status == Order.Status.PENDING_PAYMENT:
            restock(order)
            order.delete()


def _mark_paid(*, order, card, reference, gateway):
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status != Order.Status.PENDING_PAYMENT:
            # Cancelled while the card was being charged: give the money back.
            gateway.refund(reference=reference, amount=order.total, currency=order.currency)
            raise PaymentDeclined("This order was cancelled; your payment has been refunded.")
        order.payment_brand = card.brand
        order.payment_last4 = card.last4
        order.payment_reference = reference
        order.paid_at = timezone.now()
        change_status(
            order,
            to_status=Order.Status.PAID,
            changed_by=order.customer,
            note=f"Paid with {card.brand} ending in {card.last4}",
        )
        queue_order_email(order=order, kind=OrderEmail.Kind.CONFIRMATION)
    return order


def save_checkout_address(*, user, address):
    """Keep a checkout address in the customer's address book, as the default for shipping
    and billing when they have none yet. Safe to repeat: an identical address is not saved
    twice. Returns the Address."""
    fields = {
        "full_name": address.full_name,
        "line1": address.line1,
        "line2": address.line2,
        "city": address.city,
        "postal_code": address.postal_code,
        "country": address.country,
        "phone": address.phone,
    }
    with transaction.atomic():
        # Lock the user row so two saves cannot both become the default.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        saved = Address.objects.filter(user=user, **fields).first()
        if saved is not None:
            return saved
        defaults = Address.objects.filter(user=user)
        return Address.objects.create(
            user=user,
            is_default_shipping=not defaults.filter(is_default_shipping=True).exists(),
            is_default_billing=not defaults.filter(is_default_billing=True).exists(),
            **fields,
        )
