"""Write paths for carts and orders: every change to a cart, an order or the stock it holds.

One module per concern: `cart` (a visitor's cart), `checkout` (placing an order and starting
its payment), `payment` (what payments, Stripe's webhooks and the unpaid-order sweep do to
orders), `lifecycle` (status moves, cancellation), `refunds` (refunds and returns),
`invoicing` (what goes on invoices and credit notes), `stock` (restocking).
Locks are always taken in the same order, so concurrent calls queue instead of deadlocking:
a webhook event row (webhooks only), an order row (when changing an existing order), its
payment row, variant rows by ascending id, a discount code's row, and last the billing number
series (issuing an invoice or credit note).
"""

from orders.services.cart import (
    add_to_cart,
    clear_cart,
    merge_session_cart,
    remove_from_cart,
    set_cart_quantity,
)
from orders.services.checkout import (
    AddressData,
    CheckoutResult,
    checkout,
    place_order,
    result_for_checkout_token,
    save_checkout_address,
)
from orders.services.errors import (
    EmptyCart,
    InvalidTransition,
    OrderError,
    OutOfStock,
    PaymentDeclined,
)
from orders.services.lifecycle import (
    cancel_order,
    mark_order_delivered,
    mark_order_shipped,
    unpaid_orders,
)
from orders.services.payment import (
    EventNotReady,
    abandon_hosted_payment,
    cancel_link_opens,
    cancel_unpaid_orders,
    confirm_hosted_payment,
    receive_stripe_event,
    sync_payments,
)
from orders.services.refunds import RefundNotPossible, ReturnedUnits, refund_order

__all__ = [
    "AddressData",
    "CheckoutResult",
    "EmptyCart",
    "EventNotReady",
    "InvalidTransition",
    "OrderError",
    "OutOfStock",
    "PaymentDeclined",
    "RefundNotPossible",
    "ReturnedUnits",
    "abandon_hosted_payment",
    "add_to_cart",
    "cancel_link_opens",
    "cancel_order",
    "cancel_unpaid_orders",
    "checkout",
    "clear_cart",
    "confirm_hosted_payment",
    "mark_order_delivered",
    "mark_order_shipped",
    "merge_session_cart",
    "place_order",
    "receive_stripe_event",
    "refund_order",
    "remove_from_cart",
    "result_for_checkout_token",
    "save_checkout_address",
    "set_cart_quantity",
    "sync_payments",
    "unpaid_orders",
]
