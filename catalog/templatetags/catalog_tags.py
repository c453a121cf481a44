"""Template filters for showing catalog data: `{% load catalog_tags %}`."""

from decimal import Decimal

from django import template
from django.conf import settings

register = template.Library()

CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "JPY": "¥", "CHF": "CHF "}


@register.filter
def money(amount, currency=None):
    """An amount with its currency's symbol: 1234.5 -> "€1,234.50".

    `currency` is an ISO code (`{{ line.line_total|money:order.currency }}` for an order, which
    keeps the currency it was placed in); without it, the shop currency. A code without a known
    symbol is written before the amount: "SEK 1,234.50".
    """
    if amount is None or amount == "":
        return ""
    code = (currency or settings.SHOP_CURRENCY).upper()
    symbol = CURRENCY_SYMBOLS.get(code, f"{code} ")
    return f"{symbol}{Decimal(amount):,.2f}"


@register.filter
def percent(value):
    """A rate in percent without trailing zeros: 19.00 -> "19%", 5.50 -> "5.5%"."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value).normalize():f}%"
