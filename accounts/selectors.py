"""Reads of a customer's own account data, always scoped by the user."""

from django.db.models import QuerySet

from accounts.models import Address, User
from orders.models import Order


def addresses_for(*, user: User) -> QuerySet[Address]:
    """The user's address book, defaults first."""
    return Address.objects.filter(user=user)


def default_address(*, user: User, kind: str) -> Address | None:
    """The user's default `kind` ("shipping" or "billing") address, or None."""
    return Address.objects.filter(user=user, **{f"is_default_{kind}": True}).first()


ADDRESS_FIELDS = ("full_name", "line1", "line2", "city", "postal_code", "phone")


def export_user_data(*, user: User) -> dict:
    """Everything the shop holds about the user that the user may take away, as JSON-ready
    data: the profile, the address book, and their orders with lines. Three queries whatever
    the number of rows."""
    addresses = [
        {
            **{field: getattr(address, field) for field in ADDRESS_FIELDS},
            "country": address.country.code,
            "is_default_shipping": address.is_default_shipping,
            "is_default_billing": address.is_default_billing,
            "created_at": address.created_at.isoformat(),
        }
        for address in addresses_for(user=user)
    ]
    orders = Order.objects.filter(customer=user).prefetch_related("lines")
    return {
        "profile": {
            "email": user.email,
            "full_name": user.full_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "addresses": addresses,
        "orders": [_order_data(order) for order in orders],
    }


def _order_data(order: Order) -> dict:
    def address(prefix):
        data = {field: getattr(order, f"{prefix}_{field}") for field in ADDRESS_FIELDS}
        data["country"] = getattr(order, f"{prefix}_country").code
        return data

    return {
        "number": order.number,
        "status": order.status,
        "created_at": order.created_at.isoformat(),
        "email": order.email,
        "shipping_address": address("shipping"),
        "billing_address": address("billing"),
        "shipping_method": order.shipping_method,
        "currency": order.currency,
        "subtotal": str(order.subtotal),
        "shipping_cost": str(order.shipping_cost),
        "total": str(order.total),
        "payment": {"brand": order.payment_brand, "last4": order.payment_last4},
        "lines": [
            {
                "product_name": line.product_name,
                "options": line.options_label,
                "sku": line.sku,
                "unit_price": str(line.unit_price),
                "quantity": line.quantity,
                "line_total": str(line.line_total),
            }
            for line in order.lines.all()
        ],
    }
