"""manage.py apply_promotions: put running promotions' sale prices on the catalog now."""

from django.core.management.base import BaseCommand

from promotions.services import apply_promotions


class Command(BaseCommand):
    help = (
        "Put the sale prices of the promotions running now on the catalog and take those of "
        "ended ones off (Celery beat does this every minute). Safe to repeat."
    )

    def handle(self, *args, **options):
        changed = apply_promotions()
        self.stdout.write(f"Sale prices changed on {changed} variant(s).")
