"""Write paths for carts and orders: every change to a cart, an order or the stock it holds.

One module per concern: `cart` (a visitor's cart), `checkout` (placing an order),
`lifecycle` (status moves, cancellation, the unpaid-order sweep), `stock` (restocking).
Locks are always taken in the same order, so concurrent calls queue instead of deadlocking:
an order row first (when changing an existing order), then variant rows by ascending id.
"""

from orders.services.cart import (
    add_to_cart,
    clear_cart,
    merge_session_cart,
    remove_from_cart,
    set_cart_quantity,
)
from orders.services.checkout import AddressData, place_order, save_checkout_address
from orders.services.errors import (
    EmptyCart,
    InvalidTransition,
    OrderError,
    OutOfStock,
    PaymentDeclined,
)
from orders.services.lifecycle import (
    cancel_order,
    cancel_unpaid_orders,
    mark_order_delivered,
    mark_order_shipped,
    unpaid_orders,
)

__all__ = [
    "AddressData",
    "EmptyCart",
    "InvalidTransition",
    "OrderError",
    "OutOfStock",
    "PaymentDeclined",
    "add_to_cart",
    "cancel_order",
    "cancel_unpaid_orders",
    "clear_cart",
    "mark_order_delivered",
    "mark_order_shipped",
    "merge_session_cart",
    "place_order",
    "remove_from_cart",
    "save_checkout_address",
    "set_cart_quantity",
    "unpaid_orders",
]
