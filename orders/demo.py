"""Demo orders for `make run` and for measuring the sales reports on a large shop.

Orders are written directly (no checkout: no stock change, no payment, no emails), spread over
the last days with more on weekends, from the catalog's active variants, each with its
payment record; about one in twenty paid orders is later cancelled and refunded (with its
refund record). Every demo order's checkout token starts with
`demo-`, so the seeding knows how many it already made.
"""

import random
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from billing.selectors import tax_rates_for
from catalog.models import Variant
from orders.models import Order, OrderLine
from orders.selectors import CartItem, price_items
from orders.services.checkout import order_line
from payments.models import Payment, Refund

DEMO_TOKEN_PREFIX = "demo-"  # noqa: S105 - a marker, not a secret
BATCH_SIZE = 2000
REFUNDED_SHARE = 0.05


def demo_order_count():
    return Order.objects.filter(checkout_token__startswith=DEMO_TOKEN_PREFIX).count()


def seed_demo_orders(*, orders: int, days: int = 90, seed: int = 1, on_progress=None) -> int:
    """Add demo orders until there are `orders` of them; returns how many were created."""
    missing = orders - demo_order_count()
    variants = list(
        Variant.objects.filter(is_active=True, product__is_active=True)
        .select_related("product")
        .order_by("pk")[:5000]
    )
    if missing <= 0 or not variants:
        return 0
    rng = random.Random(seed + demo_order_count())
    now = timezone.now()
    created = 0
    while created < missing:
        size = min(BATCH_SIZE, missing - created)
        _create_batch(size, variants=variants, rng=rng, now=now, days=days)
        created += size
        if on_progress is not None:
            on_progress(size)
    return created


def _paid_moment(rng, now, days):
    while True:
        moment = now - timedelta(seconds=rng.uniform(0, days * 86400))
        # Weekends sell more: accept a weekday draw only part of the time.
        if moment.weekday() >= 5 or rng.random() < 0.7:
            return moment


def _create_batch(size, *, variants, rng, now, days):
    orders, lines_per_order, rates = [], [], {}
    for _ in range(size):
        paid_at = _paid_moment(rng, now, days)
        picked = rng.sample(variants, k=min(len(variants), rng.choice((1, 1, 2, 2, 3))))
        method = rng.choice(list(Order.ShippingMethod))
        address = _demo_address(rng)
        country = address["shipping_country"]
        if country not in rates:
            rates[country] = tax_rates_for(country)
        # Priced by the checkout's own engine (VAT of the destination), without a code.
        items = [CartItem(variant, rng.choice((1, 1, 1, 2, 3))) for variant in picked]
        quote = price_items(items, rates=rates[country], shipping_method=method)
        lines = [order_line(item.variant, quote.line(item.variant.pk), {}) for item in items]
        refunded = rng.random() < REFUNDED_SHARE
        age = now - paid_at
        status = (
            Order.Status.CANCELLED
            if refunded
            else Order.Status.DELIVERED
            if age > timedelta(days=5)
            else Order.Status.SHIPPED
            if age > timedelta(days=1)
            else Order.Status.PAID
        )
        orders.append(
            Order(
                email=f"customer{rng.randrange(1, 20000)}@example.com",
                status=status,
                checkout_token=f"{DEMO_TOKEN_PREFIX}{uuid.UUID(int=rng.getrandbits(128)).hex}",
                shipping_method=method,
                currency=settings.SHOP_CURRENCY,
                subtotal=quote.subtotal,
                shipping_cost=quote.shipping,
                discount=quote.discount,
                shipping_discount=quote.shipping_discount,
                shipping_vat_rate=quote.shipping_vat_rate,
                shipping_vat=quote.shipping_vat,
                vat_country=rates[country].country,
                total=quote.total,
                payment_brand="Visa",
                payment_last4="4242",
                payment_reference=f"demo-{rng.getrandbits(40):x}",
                refund_reference=f"demo-refund-{rng.getrandbits(40):x}" if refunded else "",
                paid_at=paid_at,
                cancelled_at=min(paid_at + timedelta(hours=rng.uniform(1, 72)), now)
                if refunded
                else None,
                shipped_at=paid_at + timedelta(days=1) if status in _SHIPPED else None,
                **address,
            )
        )
        lines_per_order.append(lines)
    with transaction.atomic():
        Order.objects.bulk_create(orders)
        for order, lines in zip(orders, lines_per_order, strict=True):
            for line in lines:
                line.order = order
        OrderLine.objects.bulk_create([line for lines in lines_per_order for line in lines])
        _record_payments(orders)
        # created_at is set on insert; a demo order was placed a minute before it was paid.
        Order.objects.filter(pk__in=[order.pk for order in orders]).update(
            created_at=F("paid_at") - timedelta(minutes=1)
        )


def _record_payments(orders):
    """Each demo order's payment, and the refund of those cancelled, as the gateway left them."""
    payments = Payment.objects.bulk_create(
        [
            Payment(
                order=order,
                order_number=order.number,
                gateway=Payment.Gateway.TEST,
                status=Payment.Status.REFUNDED if order.refund_reference else Payment.Status.PAID,
                amount=order.total,
                currency=order.currency,
                reference=order.payment_reference,
                card_brand=order.payment_brand,
                card_last4=order.payment_last4,
                paid_at=order.paid_at,
            )
            for order in orders
        ]
    )
    refunds = Refund.objects.bulk_create(
        [
            Refund(
                payment=payment,
                amount=payment.amount,
                currency=payment.currency,
                reference=order.refund_reference,
                idempotency_key=f"cancel-{order.number}-{payment.pk}",
                reason="Order cancelled",
            )
            for payment, order in zip(payments, orders, strict=True)
            if order.refund_reference
        ]
    )
    # created_at is set on insert; a demo refund was made when its order was cancelled.
    Refund.objects.filter(pk__in=[refund.pk for refund in refunds]).update(
        created_at=Subquery(
            Payment.objects.filter(pk=OuterRef("payment_id")).values("order__cancelled_at")
        )
    )


_SHIPPED = {Order.Status.SHIPPED, Order.Status.DELIVERED}
_NAMES = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson", "Linus Pauling"]
_CITIES = [("Berlin", "10115", "DE"), ("Paris", "75001", "FR"), ("London", "N1 7AA", "GB")]


def _demo_address(rng):
    name = rng.choice(_NAMES)
    city, postal_code, country = rng.choice(_CITIES)
    address = {
        "full_name": name,
        "line1": f"{rng.randrange(1, 200)} Market Street",
        "city": city,
        "postal_code": postal_code,
        "country": country,
    }
    return {
        f"{prefix}_{key}": value
        for prefix in ("shipping", "billing")
        for key, value in address.items()
    }
