"""Which carts are left behind, which requests are answered by stock, who opted out."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from catalog.models import Variant
from marketing.models import BackInStockRequest, CartReminder, GuestCheckout, OptOut
from orders.models import Cart, CartLine, Order

# Carts left longer ago than this get no reminder (e.g. when the feature is first switched on).
REMINDER_MAX_AGE = timedelta(days=7)


def is_opted_out(*, email: str, topic: str) -> bool:
    return OptOut.objects.filter(email__iexact=email, topic=topic).exists()


def _reminder_window(now):
    delay = timedelta(minutes=settings.SHOP_ABANDONED_CART_DELAY_MINUTES)
    return now - REMINDER_MAX_AGE, now - delay


def _opted_out(email_ref):
    return Exists(OptOut.objects.filter(email__iexact=email_ref, topic=OptOut.Topic.CART_REMINDERS))


def left_customer_carts(*, now):
    """Signed-in customers' carts with lines, unchanged for the configured delay, with no
    order paid since that change, no reminder about them yet, and no opt-out."""
    oldest, newest = _reminder_window(now)
    return (
        Cart.objects.filter(updated_at__gte=oldest, updated_at__lte=newest, user__is_active=True)
        .filter(Exists(CartLine.objects.filter(cart=OuterRef("pk"))))
        .exclude(
            Exists(
                Order.objects.filter(customer=OuterRef("user"), paid_at__gte=OuterRef("updated_at"))
            )
        )
        .exclude(
            Exists(
                CartReminder.objects.filter(
                    user=OuterRef("user"), cart_changed_at=OuterRef("updated_at")
                )
            )
        )
        .exclude(_opted_out(OuterRef("user__email")))
        .select_related("user")
        .order_by("updated_at", "pk")
    )


def left_guest_checkouts(*, now):
    """Guests' checkouts untouched for the configured delay, with no paid order under their
    email since, no reminder yet, and no opt-out."""
    oldest, newest = _reminder_window(now)
    return (
        GuestCheckout.objects.filter(
            updated_at__gte=oldest, updated_at__lte=newest, reminder__isnull=True
        )
        .exclude(_bought_since(OuterRef("email"), OuterRef("updated_at")))
        .exclude(_opted_out(OuterRef("email")))
        .order_by("updated_at", "pk")
    )


def _bought_since(email_ref, since_ref):
    return Exists(Order.objects.filter(email__iexact=email_ref, paid_at__gte=since_ref))


def has_bought_since(*, reminder: CartReminder) -> bool:
    """Whether the reminder's customer (or guest email) paid for an order after leaving the
    cart (an order left unpaid on the payment page does not count: that cart is abandoned)."""
    orders = Order.objects.filter(paid_at__gte=reminder.cart_changed_at)
    if reminder.user_id is not None:
        mine = Q(customer_id=reminder.user_id) | Q(email__iexact=reminder.email)
        return orders.filter(mine).exists()
    return orders.filter(email__iexact=reminder.email).exists()


def reminder_lines(reminder: CartReminder):
    """[(variant, quantity)] still for sale, from the customer's cart or the guest's checkout."""
    if reminder.user_id is not None:
        lines = CartLine.objects.filter(cart__user_id=reminder.user_id)
        return for_sale({line.variant_id: line.quantity for line in lines})
    return guest_checkout_lines(reminder.guest_checkout)


def guest_checkout_lines(checkout: GuestCheckout):
    return for_sale({int(pk): quantity for pk, quantity in checkout.lines.items()})


def for_sale(quantities: dict[int, int]):
    """[(variant, quantity)] of the variants that can still be bought, in a stable order."""
    variants = Variant.objects.filter(
        pk__in=quantities, is_active=True, product__is_active=True
    ).select_related("product")
    return [(variant, quantities[variant.pk]) for variant in variants.order_by("pk")]


def requests_back_in_stock():
    """Waiting requests whose variant can be bought again, oldest first."""
    return BackInStockRequest.objects.filter(
        variant__stock__gt=0, variant__is_active=True, variant__product__is_active=True
    ).order_by("created_at", "pk")
