"""The Celery application: reads CELERY_* settings and finds each app's `tasks.py`."""

import os

from celery import Celery, Task, signals
from kombu.exceptions import OperationalError

from config.circuit import Circuit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Seconds a failed publish keeps this process from trying the broker again.
SKIP_BROKER_AFTER_FAILURE_SECONDS = 5
broker_circuit = Circuit(SKIP_BROKER_AFTER_FAILURE_SECONDS)


class ShopTask(Task):
    """Publishing fails at once while this process has just found the broker down.

    Callers already treat a failed publish as "later" (the email outbox's sweep, a customer
    asking again); the circuit spares every request after the first one the broker's timeout.
    """

    def apply_async(self, *args, **kwargs):
        if self.app.conf.task_always_eager:
            return super().apply_async(*args, **kwargs)
        if broker_circuit.is_open():
            raise OperationalError("The broker was unreachable moments ago; not retried yet.")
        try:
            return super().apply_async(*args, **kwargs)
        except OperationalError:
            broker_circuit.trip()
            raise


app = Celery("shop", task_cls=ShopTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def use_django_logging(**kwargs):
    """Workers log JSON lines through settings.LOGGING, like the web processes."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
