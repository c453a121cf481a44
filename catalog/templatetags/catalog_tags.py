"""Template filters for showing catalog data: `{% load catalog_tags %}`."""

from decimal import Decimal

from django import template
from django.conf import settings

register = template.Library()

CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "JPY": "¥", "CHF": "CHF "}


@register.filter
def money(amount):
    """A price in the shop currency: 1234.5 -> "€1,234.50"."""
    if amount is None or amount == "":
        return ""
    symbol = CURRENCY_SYMBOLS.get(settings.SHOP_CURRENCY, f"{settings.SHOP_CURRENCY} ")
    return f"{symbol}{Decimal(amount):,.2f}"
