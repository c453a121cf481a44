"""Celery tasks of the orders app. Tasks take ids and re-read the rows they work on.

Order emails are sent by the outbox's tasks (`outbox.tasks`)."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from orders import services


@shared_task
def cancel_unpaid_orders():
    """The periodic sweep (Celery beat): cancel and restock orders left unpaid too long."""
    older_than = timedelta(minutes=settings.SHOP_UNPAID_ORDER_MINUTES)
    return [order.number for order in services.cancel_unpaid_orders(older_than=older_than)]
