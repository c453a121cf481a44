"""manage.py seed_demo_orders [--orders N] [--days D]: demo sales for the reports (idempotent).

The orders are written by orders.demo; their days are then rolled up for the reports."""

import sys
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from orders.demo import demo_order_count, seed_demo_orders
from reports.selectors import DateRange
from reports.services import last_finished_day, roll_up_sales


class Command(BaseCommand):
    help = (
        "Add demo orders (paid, shipped, delivered, some refunded) from the demo catalog until "
        "there are N of them, spread over the last D days. Running it again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=400, help="how many (default 400)")
        parser.add_argument("--days", type=int, default=90, help="over how many days (90)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")

    def handle(self, *args, orders, days, seed, **options):
        if orders < 0 or days < 1:
            raise CommandError("--orders must be 0 or more and --days at least 1.")
        missing = max(orders - demo_order_count(), 0)
        with tqdm(total=missing, unit="order", file=sys.stderr, disable=None) as bar:
            created = seed_demo_orders(orders=orders, days=days, seed=seed, on_progress=bar.update)
        # The new orders are back-dated: sum their days again, and those before.
        if created:
            roll_up_sales(
                period=DateRange(last_finished_day() - timedelta(days=days), last_finished_day())
            )
        self.stdout.write(f"Demo orders: {created} created, {demo_order_count()} in all.")
