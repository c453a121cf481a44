"""Celery beat tasks of the marketing emails: find what is due, queue it in the outbox (whose
workers send each row once)."""

from celery import shared_task

from marketing import services


@shared_task
def send_abandoned_cart_emails():
    """Every few minutes: a reminder for each cart left behind long enough; guests' old
    checkouts are forgotten."""
    services.forget_old_guest_checkouts()
    return len(services.queue_cart_reminders())


@shared_task
def send_back_in_stock_alerts():
    """Every minute: an alert for each request whose variant is back in stock."""
    return len(services.queue_back_in_stock_alerts())
