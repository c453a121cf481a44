"""The Celery application: reads CELERY_* settings and finds each app's `tasks.py`."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def use_django_logging(**kwargs):
    """Workers log JSON lines through settings.LOGGING, like the web processes."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
