"""Celery tasks of the promotions app."""

from celery import shared_task

from promotions import services


@shared_task
def apply_promotions():
    """The periodic sweep (Celery beat, every minute): put the sale prices of the promotions
    running now on the catalog, and take those of ended ones off."""
    return services.apply_promotions()
