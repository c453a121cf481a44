"""Celery tasks of the orders app. Tasks take ids and re-read the rows they work on."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from orders import services
from orders.emails import send_order_email_now, send_pending_order_emails

# The sweep stops claiming new work well before Celery's soft time limit (60 s) interrupts it.
SWEEP_TIME_BUDGET_SECONDS = 40


@shared_task
def send_order_email(email_id):
    """Send one outbox row unless another sender has it or it was sent already.

    Failures are not raised: they are recorded on the row (attempts, backoff) and the sweep
    retries the row when it is due, so a redelivered or duplicate task is harmless.
    """
    send_order_email_now(email_id)


@shared_task
def send_pending_emails():
    """The periodic sweep (Celery beat, every minute): send whatever is due or abandoned."""
    return send_pending_order_emails(time_budget=SWEEP_TIME_BUDGET_SECONDS)


@shared_task
def cancel_unpaid_orders():
    """The periodic sweep (Celery beat): cancel and restock orders left unpaid too long."""
    older_than = timedelta(minutes=settings.SHOP_UNPAID_ORDER_MINUTES)
    return [order.number for order in services.cancel_unpaid_orders(older_than=older_than)]
