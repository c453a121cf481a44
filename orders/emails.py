"""Order emails (confirmation, shipping notice, cancellation, a fresh order link): queueing
and rendering.

Sending goes through the outbox (`outbox.services`): the row is written with the order change,
claimed by one sender, sent once, retried with backoff. See that module for the guarantees.
"""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from orders.models import OrderEmail
from orders.selectors import order_link
from outbox.services import enqueue_after_commit, send_again

SUBJECTS = {
    OrderEmail.Kind.CONFIRMATION: "Order {number} confirmed",
    OrderEmail.Kind.SHIPPED: "Order {number} has shipped",
    OrderEmail.Kind.CANCELLED: "Order {number} cancelled",
    OrderEmail.Kind.LINK: "Your link to order {number}",
    OrderEmail.Kind.REFUND: "Refund for order {number}",
}
# A stale order link can have a fresh one emailed at most this often.
ORDER_LINK_RESEND_INTERVAL = timedelta(minutes=10)


def queue_order_email(*, order, kind):
    """Record that `order` owes its customer a `kind` email and send it after commit.

    Call it inside the transaction that changes the order, so the email exists exactly when the
    change does. Safe to repeat: the row is unique per (order, kind), so a second call neither
    creates a second row nor sends a second message.
    """
    email, created = OrderEmail.objects.get_or_create(order=order, kind=kind)
    if created:
        enqueue_after_commit(email)
    return email


def queue_refund_email(*, order, credit_note):
    """Record that the customer is owed the refund notice of `credit_note` (one per credit
    note: an order refunded in parts gets one each) and send it after commit. Call it inside
    the transaction that issues the credit note; safe to repeat."""
    email, created = OrderEmail.objects.get_or_create(
        order=order, kind=OrderEmail.Kind.REFUND, credit_note=credit_note
    )
    if created:
        enqueue_after_commit(email)
    return email


def queue_order_link_email(*, order):
    """Email the order's customer a fresh signed link to its page (theirs has expired).

    The outbox row of kind "link" is created on the first request and sent again on later
    ones, once its last message went out more than ORDER_LINK_RESEND_INTERVAL ago (or failed
    for good); a request while one is pending, being sent or just sent changes nothing. So
    each order gets at most one such email per interval, each sent once, whoever asks how
    often. Sending again is one conditional UPDATE, safe against a concurrent request.
    """
    with transaction.atomic():
        email, created = OrderEmail.objects.get_or_create(order=order, kind=OrderEmail.Kind.LINK)
        if created:
            enqueue_after_commit(email)
        else:
            send_again(email, sent_before=timezone.now() - ORDER_LINK_RESEND_INTERVAL)


def build_order_email(email):
    """The message for one outbox row: subject, plain-text body and HTML alternative."""
    order = email.order
    context = {
        "order": order,
        "lines": list(order.lines.all()),
        "order_url": order_link(order),
        "invoice_url": order_link(order, "invoice") if order.paid_at else "",
        "credit_note": email.credit_note,
        "credit_note_url": (
            order_link(order, "credit_note", email.credit_note.number) if email.credit_note else ""
        ),
        "shop_name": settings.SHOP_NAME,
        "site_url": settings.SITE_URL,
    }
    template = f"emails/order_{email.kind}"
    message = EmailMultiAlternatives(
        subject=SUBJECTS[email.kind].format(number=order.number),
        body=render_to_string(f"{template}.txt", context),
        to=[order.email],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
