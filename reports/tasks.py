"""Celery beat task of the reports: sum up the days that are over."""

from celery import shared_task

from reports import services


@shared_task
def roll_up_sales():
    """Every half hour: roll up every finished day not rolled up yet (after an outage, all
    of them at once)."""
    return services.roll_up_sales()
