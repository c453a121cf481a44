"""Checkout: turning a cart into an order and its payment, exactly once per checkout form.

`checkout()` is the whole flow of a checkout form's submit; `place_order()` is its core
(reserve, create, pay), used on its own by tests and load tools.

Locks are always taken in the same order, so concurrent checkouts queue instead of
deadlocking: an order row first (when changing an existing order), then variant rows by
ascending id.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from accounts.models import Address
from billing.selectors import tax_rates_for
from catalog.models import Variant
from orders.models import Order, OrderLine, OrderStatusChange, new_order_number
from orders.selectors import (
    CartItem,
    cart_contents,
    is_for_sale,
    order_for_checkout_token,
    price_items,
    stock_message,
    unavailable_message,
)
from orders.services.cart import clear_cart
from orders.services.errors import EmptyCart, OutOfStock, PaymentDeclined
from orders.services.lifecycle import known_user
from orders.services.payment import (
    hosted_payment,
    release_order,
    settle_payment,
    start_hosted_payment,
)
from orders.services.stock import invalidate_pages_showing
from payments.gateways import get_gateway, hosted_checkout
from payments.services import create_payment
from promotions.selectors import SESSION_CODE_KEY, promotion_labels, session_code
from promotions.services import DiscountCodeRejected, lock_code_for_order, redeem_discount_code

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


@dataclass(frozen=True)
class CheckoutResult:
    """How a checkout submit ended: an order (paid, or waiting to be paid at `payment_url`),
    or nothing placed and why (`stock_problems`, `payment_error`, `discount_problem`)."""

    order: Order | None = None
    payment_url: str = ""
    stock_problems: tuple[str, ...] = ()
    payment_error: str = ""
    discount_problem: str = ""


def checkout(
    *,
    customer,
    session,
    email,
    shipping_address,
    billing_address,
    shipping_method,
    card,
    checkout_token,
    save_address=False,
):
    """Place the visitor's cart (`customer`'s, or the anonymous `session`'s) as an order, with
    the discount code applied to the cart, and take or start its payment; returns a
    CheckoutResult. Raises EmptyCart. A code that can no longer be used (used up meanwhile,
    expired, this customer's uses spent) places nothing: it is taken off the cart and the
    result says why, so the customer sees the new total before paying.

    The test gateway charges `card` at once: the order is paid and the cart emptied. With
    Stripe (`card` is None) the order waits for payment at `payment_url`; the cart is kept
    until the payment is proven (the return page empties it), so a customer who cancels on
    Stripe's page finds it as it was. A signed-in customer's address is saved when asked.

    Safe to repeat: a checkout token that already placed an order returns that order (and its
    payment page while it waits), whatever the cart holds now; see `place_order`.
    """
    earlier = result_for_checkout_token(checkout_token)
    if earlier is not None:
        return earlier
    quantities = cart_contents(user=customer, session=session).quantities()
    try:
        order = place_order(
            customer=customer,
            email=email,
            quantities=quantities,
            shipping_address=shipping_address,
            billing_address=billing_address,
            shipping_method=shipping_method,
            card=card,
            checkout_token=checkout_token,
            discount_code=session_code(session),
        )
    except OutOfStock as error:
        return CheckoutResult(stock_problems=tuple(error.problems))
    except DiscountCodeRejected as error:
        session.pop(SESSION_CODE_KEY, None)
        return CheckoutResult(discount_problem=str(error))
    except PaymentDeclined as error:
        return CheckoutResult(payment_error=str(error))
    if save_address:
        save_checkout_address(user=customer, address=shipping_address)
        if billing_address != shipping_address:
            save_checkout_address(user=customer, address=billing_address)
    result = _result_for(order)
    if not result.payment_url:
        clear_cart(user=customer, session=session)
    return result


def result_for_checkout_token(checkout_token):
    """What a checkout form already placed (double click, back button, retry), or None. A
    Stripe payment that could not start is retried; if Stripe refuses it again the order is
    released and the result says why (the same form may then be sent once more)."""
    order = order_for_checkout_token(checkout_token)
    return None if order is None else _result_for(order)


def _result_for(order):
    if order.status == Order.Status.PENDING_PAYMENT and hosted_payment(order) is not None:
        try:
            return CheckoutResult(order=order, payment_url=start_hosted_payment(order=order))
        except PaymentDeclined as error:
            return CheckoutResult(payment_error=str(error))
    return CheckoutResult(order=order)


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
    discount_code="",
):
    """Turn a cart ({variant_id: quantity}) into an order and take or start its payment, or
    change nothing.

    1. One short transaction locks the variants being bought (SELECT ... FOR UPDATE, ascending
       id, so checkouts sharing variants queue instead of deadlocking), checks and decrements
       their stock, then locks the `discount_code` (if any) and checks it can be used, and
       creates the order (pending payment) with its lines, copied from the variants at their
       current prices and priced by orders.pricing (VAT of the shipping country, the code's
       discount), and its payment record. A code that reduced the total is redeemed in the
       same transaction. Raises OutOfStock or DiscountCodeRejected, touching nothing, when a
       line cannot be had or the code cannot be used.
    2. The payment starts after that commits, holding no stock locks while the provider
       answers. Stripe: the order's Checkout Session is created and the order returned pending
       (the webhook or the customer's return settles it). Test gateway: the card is charged;
       approved, a second transaction marks the order paid and queues the confirmation email;
       declined (or a session Stripe refuses), the stock is restored, the order deleted and
       PaymentDeclined raised. If the provider errors instead, the order stays pending with
       its stock reserved; the unpaid-order sweep settles or cancels it later.

    Safe to repeat: `checkout_token` is unique on Order. A repeat (double click, back button,
    retry after a timeout) finds the order that token created, also when the two requests race
    (the losing insert hits the unique constraint, or finds the order once it holds the
    variant locks), and returns it without charging again.
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
            discount_code=discount_code,
        )
    except _DuplicateCheckout as duplicate:
        return duplicate.order
    if hosted_checkout():
        start_hosted_payment(order=order)
        return order
    return _charge_card(order, card)


def _charge_card(order, card):
    """The test gateway's synchronous charge of the checkout form's card."""
    payment = order.payments.get()
    charge = get_gateway(payment.gateway).charge(
        amount=order.total, currency=order.currency, card=card, description=str(order)
    )
    if not charge.approved:
        release_order(order, payment=payment, reason=charge.decline_message)
        raise PaymentDeclined(charge.decline_message)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        outcome = settle_payment(
            order=order,
            payment=payment,
            reference=charge.reference,
            card_brand=card.brand,
            card_last4=card.last4,
        )
    if outcome != "Order paid":
        # Cancelled while the card was being charged: the money went straight back.
        raise PaymentDeclined("This order was cancelled; your payment has been refunded.")
    return order


def _reserve_stock_and_create_order(
    *,
    customer,
    email,
    quantities,
    shipping_address,
    billing_address,
    shipping_method,
    checkout_token,
    discount_code,
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

        # Locked after the variants (the lock order of every order service).
        code = None
        if discount_code:
            code = lock_code_for_order(text=discount_code, customer=customer, email=email)
        rates = tax_rates_for(shipping_address.country)
        items = [CartItem(by_id[pk], quantity) for pk, quantity in quantities.items()]
        quote = price_items(items, rates=rates, shipping_method=shipping_method, code=code)
        promotions = promotion_labels([variant.sale_promotion_id for variant in variants])
        lines = [
            order_line(item.variant, quote.line(item.variant.pk), promotions) for item in items
        ]
        redeemed = code is not None and quote.discount > 0
        order = Order(
            customer=customer,
            email=email,
            checkout_token=checkout_token,
            shipping_method=shipping_method,
            currency=settings.SHOP_CURRENCY,
            subtotal=quote.subtotal,
            shipping_cost=quote.shipping,
            discount=quote.discount,
            discount_code=code.code if redeemed else "",
            discount_description=code.description if redeemed else "",
            shipping_discount=quote.shipping_discount,
            shipping_vat_rate=quote.shipping_vat_rate,
            shipping_vat=quote.shipping_vat,
            vat_country=rates.country,
            total=quote.total,
            **_address_fields("shipping", shipping_address),
            **_address_fields("billing", billing_address),
        )
        _insert_order(order)
        for line in lines:
            line.order = order
        OrderLine.objects.bulk_create(lines)
        if redeemed:
            redeem_discount_code(
                code=code,
                order_number=order.number,
                customer=customer,
                email=email,
                amount=quote.discount,
            )
        OrderStatusChange.objects.create(
            order=order, to_status=order.status, changed_by=customer, note="Order placed"
        )
        gateway = settings.SHOP_PAYMENT_GATEWAY
        reserved_until = order.created_at + timedelta(minutes=settings.SHOP_UNPAID_ORDER_MINUTES)
        create_payment(
            order=order, gateway=gateway, expires_at=reserved_until if hosted_checkout() else None
        )
    return order


def order_line(variant, priced, promotions):
    """An order line copied from the variant, with its money from the quote and the label of
    the promotion behind its sale price (`promotions`: labels by id)."""
    return OrderLine(
        variant=variant,
        product_name=variant.product.name,
        options_label=variant.options_label,
        sku=variant.sku,
        unit_price=priced.unit_price,
        quantity=priced.quantity,
        line_total=priced.gross,
        discount=priced.discount,
        tax_class=variant.product.tax_class,
        vat_rate=priced.vat_rate,
        vat_amount=priced.vat,
        net_amount=priced.net,
        promotion_id=variant.sale_promotion_id,
        promotion_label=promotions.get(variant.sale_promotion_id, ""),
    )


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
