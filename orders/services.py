"""Write paths for carts and orders: every change to a cart, an order or the stock it holds.

Locks are always taken in the same order, so concurrent calls queue instead of deadlocking:
an order row first (when changing an existing order), then variant rows by ascending id.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Address
from catalog.models import Variant
from catalog.services import invalidate_catalog_cache, stock_change_is_visible
from orders.emails import queue_order_email
from orders.models import (
    Cart,
    CartLine,
    Order,
    OrderEmail,
    OrderLine,
    OrderStatusChange,
    new_order_number,
)
from orders.payments import get_gateway
from orders.pricing import line_total, order_totals
from orders.selectors import (
    SESSION_CART_KEY,
    is_for_sale,
    order_for_checkout_token,
    session_cart,
    stock_message,
    unavailable_message,
)

logger = logging.getLogger(__name__)

ORDER_NUMBER_ATTEMPTS = 5


class OrderError(Exception):
    """Base of the domain errors below; `str(error)` is the message shown to the customer."""


class EmptyCart(OrderError):
    def __init__(self):
        super().__init__("Your cart is empty.")


class OutOfStock(OrderError):
    """Some items cannot be bought in the quantities asked; `problems` has one message each."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


class PaymentDeclined(OrderError):
    pass


class InvalidTransition(OrderError):
    pass


@dataclass(frozen=True)
class AddressData:
    full_name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str
    phone: str = ""


# Carts ---------------------------------------------------------------------------------------


def _locked_cart(user):
    """The customer's cart row, created if missing and locked for this transaction, so
    concurrent changes to one customer's cart apply one after the other."""
    cart, _ = Cart.objects.get_or_create(user=user)
    return Cart.objects.select_for_update().get(pk=cart.pk)


def _save_session_cart(session, quantities):
    session[SESSION_CART_KEY] = {str(variant_id): qty for variant_id, qty in quantities.items()}


def _refuse_unless_in_stock(variant, quantity, in_cart=0):
    if not is_for_sale(variant):
        raise OutOfStock([unavailable_message(variant)])
    if quantity > variant.stock:
        raise OutOfStock([stock_message(variant=variant, available=variant.stock, in_cart=in_cart)])


def add_to_cart(*, user, session, variant, quantity):
    """Add `quantity` units of `variant` to the visitor's cart (the account's cart when signed
    in, else the session's). Refuses with OutOfStock when the cart would hold more than is in
    stock. Locks the customer's cart row. Not idempotent: each call adds."""
    if not user.is_authenticated:
        quantities = session_cart(session)
        in_cart = quantities.get(variant.pk, 0)
        _refuse_unless_in_stock(variant, in_cart + quantity, in_cart)
        quantities[variant.pk] = in_cart + quantity
        _save_session_cart(session, quantities)
        return
    with transaction.atomic():
        cart = _locked_cart(user)
        line = cart.lines.filter(variant=variant).first()
        in_cart = line.quantity if line else 0
        _refuse_unless_in_stock(variant, in_cart + quantity, in_cart)
        if line:
            line.quantity = in_cart + quantity
            line.save(update_fields=["quantity"])
        else:
            CartLine.objects.create(cart=cart, variant=variant, quantity=quantity)
        cart.save(update_fields=["updated_at"])


def set_cart_quantity(*, user, session, variant, quantity):
    """Set a line's quantity (0 removes it). Refuses quantities above the stock, keeping the
    line as it was. Safe to repeat: the same call leaves the same cart."""
    if quantity == 0:
        remove_from_cart(user=user, session=session, variant_id=variant.pk)
        return
    _refuse_unless_in_stock(variant, quantity)
    if not user.is_authenticated:
        quantities = session_cart(session)
        if variant.pk in quantities:
            quantities[variant.pk] = quantity
            _save_session_cart(session, quantities)
        return
    with transaction.atomic():
        cart = _locked_cart(user)
        cart.lines.filter(variant=variant).update(quantity=quantity)
        cart.save(update_fields=["updated_at"])


def remove_from_cart(*, user, session, variant_id):
    """Remove a line from the cart. Safe to repeat."""
    if user.is_authenticated:
        CartLine.objects.filter(cart__user=user, variant_id=variant_id).delete()
        return
    quantities = session_cart(session)
    quantities.pop(variant_id, None)
    _save_session_cart(session, quantities)


def clear_cart(*, user, session):
    """Empty the cart (after a successful checkout). Safe to repeat."""
    if user is not None and user.is_authenticated:
        CartLine.objects.filter(cart__user=user).delete()
    session.pop(SESSION_CART_KEY, None)


def merge_session_cart(*, user, session):
    """Move an anonymous visitor's session cart into their account's cart on login.

    Quantities of the same variant are added, capped by the stock; variants no longer for sale
    or sold out are dropped. Returns a message for each line that was capped or dropped.
    Locks the customer's cart row. Safe to repeat: the session cart is emptied afterwards, so a
    second call finds nothing to merge.
    """
    quantities = session_cart(session)
    if not quantities:
        session.pop(SESSION_CART_KEY, None)
        return []
    notes = []
    with transaction.atomic():
        cart = _locked_cart(user)
        variants = Variant.objects.select_related("product").in_bulk(list(quantities))
        lines = {line.variant_id: line for line in cart.lines.all()}
        for variant_id, quantity in quantities.items():
            variant = variants.get(variant_id)
            if variant is None:
                continue
            if not is_for_sale(variant) or variant.stock <= 0:
                notes.append(
                    stock_message(variant=variant, available=0)
                    if is_for_sale(variant)
                    else unavailable_message(variant)
                )
                continue
            line = lines.get(variant_id)
            wanted = quantity + (line.quantity if line else 0)
            merged = min(wanted, variant.stock)
            if merged < wanted:
                notes.append(f"Only {variant.stock} left of {variant}, so your cart has {merged}.")
            if line:
                line.quantity = merged
                line.save(update_fields=["quantity"])
            else:
                CartLine.objects.create(cart=cart, variant=variant, quantity=merged)
    session.pop(SESSION_CART_KEY, None)
    return notes


# Checkout ------------------------------------------------------------------------------------


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


def _known_user(user):
    return user if user is not None and user.is_authenticated else None


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
            customer=_known_user(customer),
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
        _invalidate_pages_showing(
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


def _restock(order):
    """Put the order's units back, locking the variants in ascending id order."""
    quantities = {}
    for variant_id, quantity in order.lines.filter(variant__isnull=False).values_list(
        "variant_id", "quantity"
    ):
        quantities[variant_id] = quantities.get(variant_id, 0) + quantity
    variants = list(Variant.objects.select_for_update().filter(pk__in=quantities).order_by("pk"))
    for variant in variants:
        variant.stock += quantities[variant.pk]
    Variant.objects.bulk_update(variants, ["stock"])
    _invalidate_pages_showing(variants, change=quantities)


def _invalidate_pages_showing(variants, *, change):
    """Drop the cached catalog pages after commit, but only when they show the stock change:
    with plenty in stock, every order would otherwise empty the whole catalog cache."""
    if any(
        stock_change_is_visible(before=variant.stock - change[variant.pk], after=variant.stock)
        for variant in variants
    ):
        transaction.on_commit(invalidate_catalog_cache)


def _release_declined_order(order):
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order.pk).first()
        # Staff may have cancelled (and so restocked) it while the card was being charged.
        if order is not None and order.status == Order.Status.PENDING_PAYMENT:
            _restock(order)
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
        _change_status(
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


# Order status --------------------------------------------------------------------------------


def _refuse_unless_allowed(order, to_status):
    if not order.can_transition_to(to_status):
        raise InvalidTransition(
            f"Order {order.number} cannot go from {order.get_status_display()} "
            f"to {Order.Status(to_status).label}."
        )


def _change_status(order, *, to_status, changed_by=None, note=""):
    _refuse_unless_allowed(order, to_status)
    from_status = order.status
    order.status = to_status
    order.save()
    OrderStatusChange.objects.create(
        order=order,
        from_status=from_status,
        to_status=to_status,
        changed_by=_known_user(changed_by),
        note=note,
    )


def _locked_order(order):
    return Order.objects.select_for_update().get(pk=order.pk)


def mark_order_shipped(*, order, tracking_number="", changed_by=None):
    """Paid -> shipped, with an optional tracking number; queues the shipping notice.
    Locks the order row. Repeating it raises InvalidTransition (it is shipped already)."""
    with transaction.atomic():
        order = _locked_order(order)
        if tracking_number:
            order.tracking_number = tracking_number
        order.shipped_at = timezone.now()
        _change_status(order, to_status=Order.Status.SHIPPED, changed_by=changed_by)
        queue_order_email(order=order, kind=OrderEmail.Kind.SHIPPED)
    return order


def mark_order_delivered(*, order, changed_by=None):
    """Shipped -> delivered. Locks the order row. Repeating it raises InvalidTransition."""
    with transaction.atomic():
        order = _locked_order(order)
        _change_status(order, to_status=Order.Status.DELIVERED, changed_by=changed_by)
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
        order = _locked_order(order)
        _refuse_unless_allowed(order, Order.Status.CANCELLED)
        refunded = order.status == Order.Status.PAID
        if refunded:
            order.refund_reference = get_gateway().refund(
                reference=order.payment_reference, amount=order.total, currency=order.currency
            )
        _restock(order)
        order.cancelled_at = timezone.now()
        _change_status(
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
