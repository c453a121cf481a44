"""All of the shop's money arithmetic: line totals, shipping and the grand total.

Prices are Decimals with two places; amounts are rounded here, once, and nowhere else.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from orders.models import Order

CENT = Decimal("0.01")


def round_money(amount):
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def shipping_cost(*, method, subtotal):
    """Standard is a flat rate, free from the threshold on; express always costs its rate."""
    if method == Order.ShippingMethod.EXPRESS:
        return round_money(settings.SHOP_EXPRESS_SHIPPING)
    if subtotal >= settings.SHOP_FREE_SHIPPING_THRESHOLD:
        return round_money(0)
    return round_money(settings.SHOP_STANDARD_SHIPPING)


def line_total(*, unit_price, quantity):
    return round_money(unit_price * quantity)


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    shipping: Decimal
    total: Decimal


def order_totals(*, line_totals, shipping_method):
    """Subtotal of the (already rounded) line totals, shipping for the method, and the sum."""
    subtotal = round_money(sum(line_totals, Decimal(0)))
    shipping = shipping_cost(method=shipping_method, subtotal=subtotal)
    return Totals(subtotal=subtotal, shipping=shipping, total=subtotal + shipping)
