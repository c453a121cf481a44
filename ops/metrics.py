"""The shop's Prometheus metrics, computed when Prometheus scrapes `/metrics`.

gunicorn runs several worker processes, and Celery workers run elsewhere: a counter kept in one
process's memory would change with the process that happens to answer the scrape. So every
figure is read from shared state (the database, the broker) at scrape time, and any process
gives the same answer. Each figure comes from one small function below; a figure whose source
fails is left out of that scrape and `shop_figure_up` says so, so a scrape never fails whole.
"""

import logging

from django.conf import settings
from django.db.models import Count
from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from config.celery import app as celery_app
from orders.models import Order
from outbox.models import OutboxEmail
from outbox.services import registered_models
from payments.models import Payment

logger = logging.getLogger(__name__)


def orders_placed() -> int:
    """Orders ever placed. A declined checkout deletes its order, so it never counts."""
    return Order.objects.count()


def payments_failed() -> int:
    """Payment attempts that failed: declined cards, asynchronous payments that failed, sessions
    Stripe refused (payments.Payment keeps every attempt, also when its order was released)."""
    return Payment.objects.filter(status=Payment.Status.FAILED).count()


def emails_by_state() -> dict[str, int]:
    """Emails in the outbox (order emails, cart reminders, back-in-stock alerts) by state:
    pending, sending, sent, failed and skipped."""
    counts = dict.fromkeys(OutboxEmail.State.values, 0)
    for model in registered_models():
        for state, count in model.objects.values_list("state").annotate(n=Count("pk")).order_by():
            counts[state] += count
    return counts


def queue_lengths() -> dict[str, int]:
    """Tasks waiting in each Celery queue of the broker (none without a broker)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {}
    lengths = {}
    with celery_app.connection_for_read() as connection:
        connection.ensure_connection(max_retries=0)  # a scrape must not wait on a dead broker
        channel = connection.default_channel
        for queue in celery_app.amqp.queues:
            try:
                lengths[queue] = channel.queue_declare(queue=queue, passive=True).message_count
            except connection.channel_errors:
                lengths[queue] = 0  # never declared: no task was ever sent to it
    return lengths


class ShopCollector:
    """Turns the figures above into Prometheus metric families on each scrape."""

    def collect(self):
        figure_up = GaugeMetricFamily(
            "shop_figure_up",
            "1 when the figure could be read on this scrape, 0 when its source failed.",
            labels=["figure"],
        )

        orders = CounterMetricFamily("shop_orders_placed", "Orders placed.")
        payments = CounterMetricFamily("shop_payments_failed", "Payments that failed.")
        emails = GaugeMetricFamily(
            "shop_emails", "Emails in the outbox, by state.", labels=["state"]
        )
        queues = GaugeMetricFamily(
            "shop_queue_length", "Celery tasks waiting in the broker, by queue.", labels=["queue"]
        )

        if (count := self._read("orders_placed", orders_placed, figure_up)) is not None:
            orders.add_metric([], count)
        if (count := self._read("payments_failed", payments_failed, figure_up)) is not None:
            payments.add_metric([], count)
        for state, count in (self._read("emails", emails_by_state, figure_up) or {}).items():
            emails.add_metric([state], count)
        for queue, length in (self._read("queue_length", queue_lengths, figure_up) or {}).items():
            queues.add_metric([queue], length)
        yield from (orders, payments, emails, queues, figure_up)

    @staticmethod
    def _read(name, figure, figure_up):
        try:
            value = figure()
        except Exception:  # a source being down must not take the other figures with it
            logger.warning("metrics: could not read %s", name, exc_info=True)
            figure_up.add_metric([name], 0)
            return None
        if value is not None:  # None: the shop has no source for this figure
            figure_up.add_metric([name], 1)
        return value


# Only the shop's figures: the client's default per-process collectors would differ by the
# gunicorn worker that answers.
registry = CollectorRegistry()
registry.register(ShopCollector())
