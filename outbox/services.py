"""The transactional outbox: claim a row, send its email once, retry with backoff, sweep.

How an email travels (the same for every outbox table, see outbox.models):

1. A service writes the outbox row inside its own transaction (unique per what the email is
   about, so a repeat creates nothing) and calls `enqueue_after_commit(row)`. After the commit
   the Celery task `outbox.tasks.send_email` is enqueued; if the broker is down the error is
   logged and swallowed, and the row waits for the sweep.
2. The task (or the sweep, `send_pending`) claims the row with one conditional UPDATE. Only the
   process whose UPDATE changed the row sends it; everybody else skips it. A claim older than
   `SHOP_EMAIL_CLAIM_TIMEOUT` seconds is treated as abandoned (the worker died mid-send) and
   may be claimed again.
3. The message is built by the function its app registered (`register`) and handed to the
   default mailer. The row becomes "sent" only after the SMTP server accepted the message. A
   failure puts the row back to "pending" with an exponential backoff in `next_attempt_at`;
   after `SHOP_EMAIL_MAX_ATTEMPTS` it becomes "failed" and waits for staff to press "Retry
   sending" in the admin. A builder may answer None: the email is no longer wanted (the
   customer bought the cart meanwhile), and the row becomes "skipped".

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from outbox.models import OutboxEmail

logger = logging.getLogger(__name__)

State = OutboxEmail.State


@dataclass(frozen=True)
class Outbox:
    """One app's outbox table and how to turn one of its rows into a message."""

    model: type[OutboxEmail]
    build_message: Callable[[OutboxEmail], EmailMessage | None]
    select_related: tuple[str, ...] = ()


_outboxes: dict[str, Outbox] = {}


def register(model, *, build_message, select_related=()):
    """Called by each app that owns an outbox table, from its AppConfig.ready()."""
    _outboxes[model._meta.label] = Outbox(model, build_message, tuple(select_related))


def registered_models():
    return [outbox.model for outbox in _outboxes.values()]


def enqueue_after_commit(row):
    """Hand the row to a worker once the transaction that wrote it commits."""
    label, pk = row._meta.label, row.pk
    transaction.on_commit(lambda: enqueue(label, pk), robust=True)


def enqueue(label, pk):
    """Hand a row to a worker; if the broker is down, leave it to the sweep."""
    from outbox.tasks import send_email

    try:
        send_email.delay(label, pk)
    except Exception as error:
        logger.warning(
            "Could not enqueue email %s %s, the sweep will send it: %s", label, pk, error
        )


def claimable(now):
    """Rows a sender may take now: due pending rows, or rows whose sender died mid-send."""
    stale = now - timedelta(seconds=settings.SHOP_EMAIL_CLAIM_TIMEOUT)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    abandoned = Q(state=State.SENDING, claimed_at__lt=stale)
    return (Q(state=State.PENDING) & due) | abandoned


def claim(model, pk):
    """Atomically take the row for sending; returns the claim time, or None if not ours.

    One conditional UPDATE: the database lets only one concurrent UPDATE match the row, and the
    others see it already "sending" with a fresh claim, so they change nothing.
    """
    now = timezone.now()
    claimed = (
        model.objects.filter(pk=pk)
        .filter(claimable(now))
        .update(state=State.SENDING, claimed_at=now)
    )
    return now if claimed else None


def claim_due(model, *, limit):
    """Claim up to `limit` due rows for this sweep; returns their ids and the claim time.

    `select_for_update(skip_locked=True)` lets several sweeps run at once: each locks a
    different batch, marks it "sending" and commits, so no row lands in two batches.
    """
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            model.objects.filter(claimable(now))
            .order_by("created_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        model.objects.filter(pk__in=ids).update(state=State.SENDING, claimed_at=now)
    return ids, now


def renew_claim(model, pk, claimed_at):
    """Refresh a batch claim right before sending; returns the new claim time, or None if the
    claim expired and another sender took the row meanwhile."""
    now = timezone.now()
    renewed = model.objects.filter(pk=pk, state=State.SENDING, claimed_at=claimed_at).update(
        claimed_at=now
    )
    return now if renewed else None


def release_claims(model, pks, claimed_at):
    """Give back rows this sweep claimed but has no time left to send."""
    model.objects.filter(pk__in=pks, state=State.SENDING, claimed_at=claimed_at).update(
        state=State.PENDING, claimed_at=None
    )


def retry_delay(attempts):
    """Exponential backoff: base, 2 x base, 4 x base, ... after the 1st, 2nd, 3rd failure."""
    return timedelta(seconds=settings.SHOP_EMAIL_RETRY_BASE_SECONDS * 2 ** (attempts - 1))


def deliver_claimed(model, pk, claimed_at):
    """Build and send a row this process has claimed, then record the outcome.

    Returns the row's new state. Never raises for a sending failure: the failure is recorded
    on the row, and that is how the email gets retried.
    """
    outbox = _outboxes[model._meta.label]
    row = model.objects.select_related(*outbox.select_related).get(pk=pk)
    try:
        message = outbox.build_message(row)
        if message is None:
            model.objects.filter(pk=pk, state=State.SENDING, claimed_at=claimed_at).update(
                state=State.SKIPPED, claimed_at=None
            )
            logger.info("Skipped %s %s: no longer needed", model._meta.label, pk)
            return State.SKIPPED
        message.send()
    except Exception as error:
        return record_failure(row, claimed_at, error)
    # Accepted by the SMTP server: mark it sent whatever happened to the claim meanwhile, so
    # nobody sends it again.
    model.objects.filter(pk=pk).update(
        state=State.SENT, sent_at=timezone.now(), last_error="", attempts=F("attempts") + 1
    )
    logger.info("Sent %s", row)
    return State.SENT


def record_failure(row, claimed_at, error):
    """Back off and retry later, or give up after the cap; only while the claim is still ours."""
    attempts = row.attempts + 1
    message = f"{type(error).__name__}: {error}"
    if attempts >= settings.SHOP_EMAIL_MAX_ATTEMPTS:
        state, next_attempt_at = State.FAILED, None
        logger.error("Giving up on %s after %s attempts: %s", row, attempts, message)
    else:
        state, next_attempt_at = State.PENDING, timezone.now() + retry_delay(attempts)
        logger.warning("%s failed (attempt %s), retrying: %s", row, attempts, message)
    type(row).objects.filter(pk=row.pk, state=State.SENDING, claimed_at=claimed_at).update(
        state=state, attempts=attempts, last_error=message, next_attempt_at=next_attempt_at
    )
    return state


def send_now(model, pk):
    """Claim and send one outbox row; returns its new state, or None if someone else has it."""
    claimed_at = claim(model, pk)
    if claimed_at is None:
        return None
    return deliver_claimed(model, pk, claimed_at)


def send_pending(*, models: Iterable | None = None, batch_size=20, time_budget=None, progress=None):
    """The sweep: send every due pending row and every abandoned claim of the given outbox
    tables (all by default); returns how many it sent.

    Claims the backlog a batch at a time and renews each row's claim right before sending it,
    so a slow batch never outlives its claims. With `time_budget` (seconds) it stops in time
    and hands back what it has not reached. `progress(n)` is told after each row (commands
    draw a progress bar with it). Safe to run in several processes at once.
    """
    deadline = None if time_budget is None else time.monotonic() + time_budget
    sent = 0
    for model in registered_models() if models is None else models:
        while deadline is None or time.monotonic() < deadline:
            pks, claimed_at = claim_due(model, limit=batch_size)
            if not pks:
                break
            for position, pk in enumerate(pks):
                if deadline is not None and time.monotonic() >= deadline:
                    release_claims(model, pks[position:], claimed_at)
                    return sent
                renewed_at = renew_claim(model, pk, claimed_at)
                if renewed_at is not None and deliver_claimed(model, pk, renewed_at) == State.SENT:
                    sent += 1
                if progress is not None:
                    progress(1)
    return sent


def retry_failed(row):
    """Staff's "Retry sending": a failed email back to pending with a fresh attempt count,
    enqueued now. Returns whether the row had failed (others are left alone)."""
    return _requeue(row, Q(state=State.FAILED))


def send_again(row, *, sent_before=None):
    """Staff's "Resend" (and a customer asking again for an order link): a sent, failed or
    skipped email is sent once more; with `sent_before`, a sent one only if it went out before
    then. Returns whether it was queued (an email waiting or being sent is left alone, so a
    double click sends once)."""
    sent = Q(state=State.SENT)
    if sent_before is not None:
        sent &= Q(sent_at__lt=sent_before)
    return _requeue(row, sent | Q(state__in=[State.FAILED, State.SKIPPED]))


def _requeue(row, requeueable):
    """Back to pending (one conditional UPDATE, so concurrent calls queue it once), enqueued
    after commit."""
    with transaction.atomic():
        updated = (
            type(row)
            .objects.filter(requeueable, pk=row.pk)
            .update(
                state=State.PENDING,
                attempts=0,
                next_attempt_at=None,
                claimed_at=None,
                last_error="",
            )
        )
        if updated:
            enqueue_after_commit(row)
    return bool(updated)


def failed_count():
    """Emails that failed for good, in every outbox table."""
    return sum(model.objects.filter(state=State.FAILED).count() for model in registered_models())
