"""Celery tasks of the outbox. Tasks take a table's label and a row id, and re-read the row."""

from celery import shared_task
from django.apps import apps

from outbox import services

# The sweep stops claiming new work well before Celery's soft time limit (60 s) interrupts it.
SWEEP_TIME_BUDGET_SECONDS = 40


@shared_task
def send_email(label, pk):
    """Send one outbox row unless another sender has it or it was sent already.

    Failures are not raised: they are recorded on the row (attempts, backoff) and the sweep
    retries the row when it is due, so a redelivered or duplicate task is harmless.
    """
    services.send_now(apps.get_model(label), pk)


@shared_task
def send_pending_emails():
    """The periodic sweep (Celery beat, every minute): send whatever is due or abandoned."""
    return services.send_pending(time_budget=SWEEP_TIME_BUDGET_SECONDS)
