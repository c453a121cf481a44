"""manage.py seed_demo_promotions: demo promotions and discount codes (idempotent)."""

from django.core.management.base import BaseCommand

from promotions.demo import seed_demo_promotions


class Command(BaseCommand):
    help = (
        "Create the demo promotions (20% off Outdoor, 15% off Books) and discount codes "
        "(WELCOME10, FREESHIP) unless they exist, and put the sale prices on the catalog."
    )

    def handle(self, *args, **options):
        for code in seed_demo_promotions():
            self.stdout.write(f"Demo discount code {code.code}: {code.description.lower()}.")
