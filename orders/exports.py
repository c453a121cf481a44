"""Orders as CSV, for the admin's export action and `manage.py export_orders`."""

import csv

from django.db.models import Sum

HEADER = [
    "number",
    "created_at",
    "status",
    "email",
    "customer",
    "shipping_name",
    "shipping_country",
    "shipping_method",
    "units",
    "subtotal",
    "shipping_cost",
    "total",
    "currency",
    "payment_brand",
    "payment_last4",
    "tracking_number",
]

# A cell starting with one of these is a formula to spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text a customer typed must not run as a spreadsheet formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_orders_csv(*, orders, out):
    """Write one row per order (newest first as given) to the file-like `out`, in one query."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    rows = orders.select_related("customer").annotate(units=Sum("lines__quantity"))
    for order in rows.iterator(chunk_size=500):
        writer.writerow(
            [
                safe_cell(value)
                for value in [
                    order.number,
                    order.created_at.isoformat(),
                    order.status,
                    order.email,
                    order.customer.email if order.customer else "",
                    order.shipping_full_name,
                    order.shipping_country.code,
                    order.shipping_method,
                    order.units or 0,
                    order.subtotal,
                    order.shipping_cost,
                    order.total,
                    order.currency,
                    order.payment_brand,
                    order.payment_last4,
                    order.tracking_number,
                ]
            ]
        )
