"""Order emails: the outbox row, the atomic claim, rendering and sending one email.

How an order email travels (a transactional outbox):

1. A service that changes an order calls `queue_order_email(order=..., kind=...)` inside its
   own transaction. That inserts an `OrderEmail` row (state "pending") and, on commit, enqueues
   the Celery task `orders.tasks.send_order_email`. If the broker is down the enqueue error is
   logged and swallowed: the order is saved and the row waits for the sweep.
2. The task (or the sweep, `send_pending_order_emails`) claims the row with one conditional
   UPDATE. Only the process whose UPDATE changed the row sends it; everybody else skips it.
   A claim older than `SHOP_EMAIL_CLAIM_TIMEOUT` seconds is treated as abandoned (the worker
   died mid-send) and may be claimed again.
3. The message is rendered and handed to the default mailer. The row becomes "sent" only after
   the SMTP server accepted the message. A failure puts the row back to "pending" with an
   exponential backoff in `next_attempt_at`; after `SHOP_EMAIL_MAX_ATTEMPTS` it becomes
   "failed" and waits for staff to press "Retry sending" in the admin.

Exactly once, and the window that remains: a message is sent only by the holder of a claim, so
two workers, a redelivered task or the sweep racing a task never send the same row twice. What
cannot be closed is a crash after the SMTP server accepted the message but before the row was
marked sent (the process dies, or the database is unreachable for that one UPDATE): the claim
then expires and the message is sent again. That window is kept to one short UPDATE right after
the SMTP reply, marking the row sent does not depend on still holding the claim, and the claim
timeout is longer than the task's hard time limit plus the SMTP timeout, so a slow but alive
send is never taken over by a second sender.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from orders.models import OrderEmail
from orders.selectors import order_link

logger = logging.getLogger(__name__)

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
        transaction.on_commit(lambda: enqueue_order_email(email.pk), robust=True)
    return email


def queue_refund_email(*, order, credit_note):
    """Record that the customer is owed the refund notice of `credit_note` (one per credit
    note: an order refunded in parts gets one each) and send it after commit. Call it inside
    the transaction that issues the credit note; safe to repeat."""
    email, created = OrderEmail.objects.get_or_create(
        order=order, kind=OrderEmail.Kind.REFUND, credit_note=credit_note
    )
    if created:
        transaction.on_commit(lambda: enqueue_order_email(email.pk), robust=True)
    return email


def queue_order_link_email(*, order):
    """Email the order's customer a fresh signed link to its page (theirs has expired).

    The outbox row of kind "link" is created on the first request and re-armed on later ones,
    once its last message went out more than ORDER_LINK_RESEND_INTERVAL ago (or failed for
    good); a request while one is pending, being sent or just sent changes nothing. So each
    order gets at most one such email per interval, each sent once, whoever asks how often.
    The re-arm is one conditional UPDATE, safe against a concurrent request.
    """
    with transaction.atomic():
        email, created = OrderEmail.objects.get_or_create(order=order, kind=OrderEmail.Kind.LINK)
        rearmed = not created and (
            OrderEmail.objects.filter(pk=email.pk)
            .filter(
                Q(state=OrderEmail.State.FAILED)
                | Q(
                    state=OrderEmail.State.SENT,
                    sent_at__lt=timezone.now() - ORDER_LINK_RESEND_INTERVAL,
                )
            )
            .update(
                state=OrderEmail.State.PENDING,
                attempts=0,
                next_attempt_at=None,
                claimed_at=None,
                last_error="",
            )
        )
        if created or rearmed:
            transaction.on_commit(lambda: enqueue_order_email(email.pk), robust=True)


def enqueue_order_email(email_id):
    """Hand the email to a worker; if the broker is down, leave it to the sweep."""
    from orders.tasks import send_order_email

    try:
        send_order_email.delay(email_id)
    except Exception as error:
        logger.warning(
            "Could not enqueue order email %s, the sweep will send it: %s", email_id, error
        )


def claimable(now):
    """Rows a sender may take now: due pending rows, or rows whose sender died mid-send."""
    stale = now - timedelta(seconds=settings.SHOP_EMAIL_CLAIM_TIMEOUT)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    abandoned = Q(state=OrderEmail.State.SENDING, claimed_at__lt=stale)
    return (Q(state=OrderEmail.State.PENDING) & due) | abandoned


def claim_order_email(email_id):
    """Atomically take the row for sending; returns the claim time, or None if not ours.

    One conditional UPDATE: the database lets only one concurrent UPDATE match the row, and the
    others see it already "sending" with a fresh claim, so they change nothing.
    """
    now = timezone.now()
    claimed = (
        OrderEmail.objects.filter(pk=email_id)
        .filter(claimable(now))
        .update(state=OrderEmail.State.SENDING, claimed_at=now)
    )
    return now if claimed else None


def claim_due_order_emails(*, limit):
    """Claim up to `limit` due rows for this sweep; returns their ids and the claim time.

    `select_for_update(skip_locked=True)` lets several sweeps run at once: each locks a
    different batch, marks it "sending" and commits, so no row lands in two batches.
    """
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            OrderEmail.objects.filter(claimable(now))
            .order_by("created_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        OrderEmail.objects.filter(pk__in=ids).update(state=OrderEmail.State.SENDING, claimed_at=now)
    return ids, now


def renew_claim(email_id, claimed_at):
    """Refresh a batch claim right before sending; returns the new claim time, or None if the
    claim expired and another sender took the row meanwhile."""
    now = timezone.now()
    renewed = OrderEmail.objects.filter(
        pk=email_id, state=OrderEmail.State.SENDING, claimed_at=claimed_at
    ).update(claimed_at=now)
    return now if renewed else None


def release_claims(email_ids, claimed_at):
    """Give back rows this sweep claimed but has no time left to send."""
    OrderEmail.objects.filter(
        pk__in=email_ids, state=OrderEmail.State.SENDING, claimed_at=claimed_at
    ).update(state=OrderEmail.State.PENDING, claimed_at=None)


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


def retry_delay(attempts):
    """Exponential backoff: base, 2 x base, 4 x base, ... after the 1st, 2nd, 3rd failure."""
    return timedelta(seconds=settings.SHOP_EMAIL_RETRY_BASE_SECONDS * 2 ** (attempts - 1))


def deliver_claimed_order_email(email_id, claimed_at):
    """Render and send a row this process has claimed, then record the outcome.

    Returns the row's new state. Never raises for a sending failure: the failure is recorded
    on the row, and that is how the email gets retried.
    """
    email = OrderEmail.objects.select_related("order").get(pk=email_id)
    try:
        build_order_email(email).send()
    except Exception as error:
        return record_failure(email, claimed_at, error)
    # Accepted by the SMTP server: mark it sent whatever happened to the claim meanwhile, so
    # nobody sends it again.
    OrderEmail.objects.filter(pk=email_id).update(
        state=OrderEmail.State.SENT, sent_at=timezone.now(), last_error=""
    )
    logger.info("Sent %s email for order %s", email.kind, email.order.number)
    return OrderEmail.State.SENT


def record_failure(email, claimed_at, error):
    """Back off and retry later, or give up after the cap; only while the claim is still ours."""
    attempts = email.attempts + 1
    message = f"{type(error).__name__}: {error}"
    if attempts >= settings.SHOP_EMAIL_MAX_ATTEMPTS:
        state, next_attempt_at = OrderEmail.State.FAILED, None
        logger.error("Giving up on email %s after %s attempts: %s", email.pk, attempts, message)
    else:
        state, next_attempt_at = OrderEmail.State.PENDING, timezone.now() + retry_delay(attempts)
        logger.warning("Email %s failed (attempt %s), retrying: %s", email.pk, attempts, message)
    OrderEmail.objects.filter(
        pk=email.pk, state=OrderEmail.State.SENDING, claimed_at=claimed_at
    ).update(
        state=state,
        attempts=attempts,
        last_error=message,
        next_attempt_at=next_attempt_at,
    )
    return state


def send_order_email_now(email_id):
    """Claim and send one outbox row; returns its new state, or None if someone else has it."""
    claimed_at = claim_order_email(email_id)
    if claimed_at is None:
        return None
    return deliver_claimed_order_email(email_id, claimed_at)


def send_pending_order_emails(*, batch_size=20, time_budget=None):
    """The sweep: send every due pending row and every abandoned claim; returns how many sent.

    Claims the backlog a batch at a time and renews each row's claim right before sending it,
    so a slow batch never outlives its claims. With `time_budget` (seconds) it stops in time
    and hands back what it has not reached. Safe to run in several processes at once.
    """
    deadline = None if time_budget is None else time.monotonic() + time_budget
    sent = 0
    while deadline is None or time.monotonic() < deadline:
        ids, claimed_at = claim_due_order_emails(limit=batch_size)
        if not ids:
            break
        for position, email_id in enumerate(ids):
            if deadline is not None and time.monotonic() >= deadline:
                release_claims(ids[position:], claimed_at)
                return sent
            renewed_at = renew_claim(email_id, claimed_at)
            if renewed_at is None:
                continue
            if deliver_claimed_order_email(email_id, renewed_at) == OrderEmail.State.SENT:
                sent += 1
    return sent


def retry_failed_order_email(*, email):
    """Staff's "Retry sending": back to pending with a fresh attempt count, enqueued now."""
    with transaction.atomic():
        updated = OrderEmail.objects.filter(pk=email.pk, state=OrderEmail.State.FAILED).update(
            state=OrderEmail.State.PENDING,
            attempts=0,
            next_attempt_at=None,
            claimed_at=None,
        )
        if updated:
            transaction.on_commit(lambda: enqueue_order_email(email.pk), robust=True)
    return bool(updated)
