"""Putting units back on the shelf, and keeping the cached catalog pages honest about it."""

from django.db import transaction

from catalog.models import Variant
from catalog.services import invalidate_catalog_cache, stock_change_is_visible


def restock(order):
    """Put the order's units back, but those refunded already (whose return staff decided on
    when refunding them), locking the variants in ascending id order."""
    quantities = {}
    for variant_id, quantity, refunded in order.lines.filter(variant__isnull=False).values_list(
        "variant_id", "quantity", "refunded_quantity"
    ):
        quantities[variant_id] = quantities.get(variant_id, 0) + quantity - refunded
    restock_units(quantities)


def restock_units(quantities):
    """Put `quantities` ({variant id: units}) back on the shelf, locking the variants in
    ascending id order."""
    quantities = {pk: units for pk, units in quantities.items() if units}
    variants = list(Variant.objects.select_for_update().filter(pk__in=quantities).order_by("pk"))
    for variant in variants:
        variant.stock += quantities[variant.pk]
    Variant.objects.bulk_update(variants, ["stock"])
    invalidate_pages_showing(variants, change=quantities)


def invalidate_pages_showing(variants, *, change):
    """Drop the cached catalog pages after commit, but only when they show the stock change:
    with plenty in stock, every order would otherwise empty the whole catalog cache."""
    if any(
        stock_change_is_visible(before=variant.stock - change[variant.pk], after=variant.stock)
        for variant in variants
    ):
        transaction.on_commit(invalidate_catalog_cache)
