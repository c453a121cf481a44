"""Template filters for showing catalog data: `{% load catalog_tags %}`."""

import json
from decimal import Decimal
from urllib.parse import urljoin

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# As django.utils.html.json_script: inside <script>, these could end the element early.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

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


def absolute_url(url):
    """`url` under SITE_URL, the shop's public address (left alone when already absolute)."""
    return urljoin(settings.SITE_URL + "/", url)


@register.simple_tag
def site_absolute(url):
    return absolute_url(url)


def _availability(variant):
    state = variant.stock_state.css
    name = {"in": "InStock", "low": "LimitedAvailability", "out": "OutOfStock"}[state]
    return f"https://schema.org/{name}"


def product_structured_data(product, variants, image_url):
    """schema.org Product data for search engines: one Offer per variant (price, currency,
    availability)."""
    url = absolute_url(product.get_absolute_url())
    offers = [
        {
            "@type": "Offer",
            "sku": variant.sku,
            **({"name": variant.options_value_label} if variant.options else {}),
            "price": f"{variant.price:.2f}",
            "priceCurrency": settings.SHOP_CURRENCY,
            "availability": _availability(variant),
            "itemCondition": "https://schema.org/NewCondition",
            "url": url,
        }
        for variant in variants
    ]
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "url": url,
        "description": product.description,
        "offers": offers[0] if len(offers) == 1 else offers,
    }
    if len(variants) == 1:
        data["sku"] = variants[0].sku
    if product.brand:
        data["brand"] = {"@type": "Brand", "name": product.brand}
    if image_url:
        data["image"] = [absolute_url(image_url)]
    return data


@register.simple_tag
def product_json_ld(product, variants, image_url=""):
    """The product's structured data as a `<script type="application/ld+json">` block, escaped
    like `json_script` so no text of the product can close the element."""
    text = json.dumps(product_structured_data(product, variants, image_url), ensure_ascii=False)
    escaped = text.translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(escaped))  # noqa: S308
