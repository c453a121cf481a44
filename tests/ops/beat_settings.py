"""Test settings for beat processes: the sweeps every second, a 3-second beat lock."""

from config.settings_test import *  # noqa: F403

CELERY_BEAT_SCHEDULE = {
    "send-pending-emails": {"task": "outbox.tasks.send_pending_emails", "schedule": 1.0},
    "cancel-unpaid-orders": {"task": "orders.tasks.cancel_unpaid_orders", "schedule": 1.0},
}
SHOP_BEAT_LOCK_SECONDS = 3
