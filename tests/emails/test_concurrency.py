"""Racing senders on PostgreSQL: every outbox row is sent exactly once."""

import threading
from collections import Counter

import pytest
from django.db import connection

from orders.models import OrderEmail
from outbox.services import send_now, send_pending
from tests.factories import OrderFactory

ROWS = 40
SENDERS = 6


def run_at_once(targets):
    """Start every target together; each thread closes its own database connection."""
    barrier = threading.Barrier(len(targets))
    results, errors = [], []

    def run(target):
        try:
            barrier.wait()
            results.append(target())
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return results


def pending_confirmations(count):
    return [
        OrderEmail.objects.create(
            order=OrderFactory(email=f"racer{n}@example.com"), kind=OrderEmail.Kind.CONFIRMATION
        )
        for n in range(count)
    ]


def delivered_per_recipient(smtp_server):
    return Counter(message["To"] for message in smtp_server.messages)


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_send_each_pending_email_once(postgres, smtp_mailer):
    # given many pending rows
    pending_confirmations(ROWS)

    # when several sweeps run at the same time, in small batches so they interleave
    sent = run_at_once([lambda: send_pending(batch_size=3)] * SENDERS)

    # then each row went out exactly once, and the sweeps agree on how many they sent
    per_recipient = delivered_per_recipient(smtp_mailer)
    assert len(per_recipient) == ROWS
    assert set(per_recipient.values()) == {1}
    assert sum(sent) == ROWS
    assert set(OrderEmail.objects.values_list("state", flat=True)) == {OrderEmail.State.SENT}


@pytest.mark.django_db(transaction=True)
def test_tasks_racing_each_other_and_the_sweep_send_each_email_once(postgres, smtp_mailer):
    # given pending rows, each picked up by two tasks (a redelivery) while a sweep runs
    emails = pending_confirmations(ROWS // 2)
    senders = [lambda: send_pending(batch_size=2)] * 2
    for email in emails:
        senders += [lambda pk=email.pk: send_now(OrderEmail, pk)] * 2

    run_at_once(senders)

    per_recipient = delivered_per_recipient(smtp_mailer)
    assert len(per_recipient) == len(emails)
    assert set(per_recipient.values()) == {1}
