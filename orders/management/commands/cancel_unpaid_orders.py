"""Cancel and restock orders left unpaid (e.g. after a crash mid-payment)."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from orders.services import cancel_unpaid_orders


class Command(BaseCommand):
    help = "Cancel orders pending payment for longer than --older-than minutes and restock them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=settings.SHOP_UNPAID_ORDER_MINUTES,
            metavar="MINUTES",
            help="Only orders placed more than this many minutes ago (default: %(default)s).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List the orders without changing anything."
        )

    def handle(self, *, older_than, dry_run, **options):
        if older_than < 0:
            raise CommandError("--older-than must be zero or more minutes.")
        since_year_one = timezone.now() - datetime.min.replace(tzinfo=UTC)
        if older_than > since_year_one // timedelta(minutes=1):
            raise CommandError("--older-than is too large: it reaches back before the year 1.")
        orders = cancel_unpaid_orders(older_than=timedelta(minutes=older_than), dry_run=dry_run)
        verb = "Would cancel" if dry_run else "Cancelled"
        for order in orders:
            self.stdout.write(f"{verb} order {order.number} ({order.email}, {order.total})")
        self.stdout.write(f"{verb} {len(orders)} unpaid order{'s' if len(orders) != 1 else ''}.")
