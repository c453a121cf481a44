"""The orders' part of a customer's data (accounts.personal_data): exported with the account,
detached (not deleted) when the account is deleted, because the shop must keep its invoices."""

from orders.models import Order

ADDRESS_FIELDS = ("full_name", "line1", "line2", "city", "postal_code", "phone")


def export_orders(user) -> list[dict]:
    """The customer's orders with their lines: two queries whatever their number."""
    orders = Order.objects.filter(customer=user).prefetch_related("lines")
    return [_order_data(order) for order in orders]


def detach_orders(user) -> None:
    Order.objects.filter(customer=user).update(customer=None)


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
