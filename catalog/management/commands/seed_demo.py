"""manage.py seed_demo [--products N] [--seed S]: load the demo catalog (idempotent)."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalog.demo import seed_demo_catalog


class Command(BaseCommand):
    help = (
        "Create a believable demo catalog: departments and subcategories, brands, products "
        "with 1-6 variants, drawn images, some out of stock and some on sale. Products that "
        "already exist (by slug) are skipped, so running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=150, help="how many (default 150)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")

    def handle(self, *args, products, seed, **options):
        if products < 0:
            raise CommandError("--products must be 0 or more.")
        started = time.monotonic()
        with tqdm(total=products, unit="product", file=sys.stderr, disable=None) as bar:
            result = seed_demo_catalog(products=products, seed=seed, on_progress=bar.update)
        self.stdout.write(
            f"Demo catalog: {result.created} products created, {result.skipped} already there, "
            f"{result.categories_created} categories created "
            f"({time.monotonic() - started:.1f}s)."
        )
