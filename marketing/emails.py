"""Rendering the cart reminder and the back-in-stock alert (sent by the outbox).

Each email carries a link to stop these emails (also as a `List-Unsubscribe` header, which mail
clients show as an "Unsubscribe" button). A builder returns None when the email is no longer
wanted by the time it is sent: the outbox then marks the row "skipped".
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.signing import dumps
from django.template.loader import render_to_string
from django.urls import reverse

from marketing import selectors
from marketing.models import BackInStockAlert, CartReminder, OptOut

UNSUBSCRIBE_SALT = "marketing.unsubscribe"
GUEST_CART_SALT = "marketing.guest-cart"


def unsubscribe_url(*, email: str, topic: str) -> str:
    token = dumps({"email": email.lower(), "topic": topic}, salt=UNSUBSCRIBE_SALT)
    return settings.SITE_URL + reverse("marketing:unsubscribe", args=[token])


def guest_cart_url(guest_checkout) -> str:
    token = dumps(guest_checkout.pk, salt=GUEST_CART_SALT)
    return settings.SITE_URL + reverse("marketing:guest_cart", args=[token])


def _message(*, to, subject, template, context, unsubscribe):
    context = {
        **context,
        "shop_name": settings.SHOP_NAME,
        "site_url": settings.SITE_URL,
        "unsubscribe_url": unsubscribe,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{template}.txt", context),
        to=[to],
        headers={"List-Unsubscribe": f"<{unsubscribe}>"},
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    return message


def build_cart_reminder(reminder: CartReminder):
    """ "You left something in your cart", or None if they bought, opted out or the cart has
    nothing for sale any more."""
    if selectors.is_opted_out(email=reminder.email, topic=OptOut.Topic.CART_REMINDERS):
        return None
    if selectors.has_bought_since(reminder=reminder):
        return None
    lines = selectors.reminder_lines(reminder)
    if not lines:
        return None
    if reminder.guest_checkout_id is not None:
        cart_url = guest_cart_url(reminder.guest_checkout)
    else:
        cart_url = settings.SITE_URL + reverse("orders:cart")
    return _message(
        to=reminder.email,
        subject="You left something in your cart",
        template="cart_reminder",
        context={"lines": lines, "cart_url": cart_url},
        unsubscribe=unsubscribe_url(email=reminder.email, topic=OptOut.Topic.CART_REMINDERS),
    )


def build_back_in_stock_alert(alert: BackInStockAlert):
    """ "<product> is back in stock", or None if they opted out meanwhile."""
    if selectors.is_opted_out(email=alert.email, topic=OptOut.Topic.BACK_IN_STOCK):
        return None
    product = alert.variant.product
    return _message(
        to=alert.email,
        subject=f"{product.name} is back in stock",
        template="back_in_stock",
        context={
            "product": product,
            "variant": alert.variant,
            "product_url": settings.SITE_URL + product.get_absolute_url(),
        },
        unsubscribe=unsubscribe_url(email=alert.email, topic=OptOut.Topic.BACK_IN_STOCK),
    )
