"""The Celery app is configured for reliability and finds every app's tasks."""

import pytest

from config.celery import app


def test_celery_is_configured_for_json_and_late_acks():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_time_limit > app.conf.task_soft_time_limit > 0


@pytest.mark.django_db  # importing the tasks runs Django's checks, which may query the database
def test_celery_autodiscovers_the_shop_tasks():
    app.loader.import_default_modules()
    names = set(app.tasks)
    assert "outbox.tasks.send_email" in names
    assert "outbox.tasks.send_pending_emails" in names
    assert "accounts.tasks.send_password_reset_email" in names


def test_beat_schedules_the_email_sweep():
    schedule = app.conf.beat_schedule
    assert schedule["send-pending-emails"]["task"] == "outbox.tasks.send_pending_emails"


def test_beat_schedules_the_marketing_emails_and_the_sales_roll_up():
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {
        "marketing.tasks.send_abandoned_cart_emails",
        "marketing.tasks.send_back_in_stock_alerts",
        "reports.tasks.roll_up_sales",
    } <= tasks
