"""Orders as CSV on standard output, for accounting and support."""

from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from orders.exports import write_orders_csv
from orders.models import Order


class Command(BaseCommand):
    help = "Write orders as CSV to standard output, newest first."

    def add_arguments(self, parser):
        parser.add_argument(
            "--since", metavar="YYYY-MM-DD", help="Only orders placed on or after this day."
        )
        parser.add_argument(
            "--status", help=f"Only orders in this status: {', '.join(Order.Status.values)}."
        )

    def handle(self, *, since, status, **options):
        orders = Order.objects.order_by("-created_at", "-pk")
        if since:
            try:
                day = datetime.strptime(since, "%Y-%m-%d").date()
            except ValueError:
                raise CommandError(
                    f"Invalid --since date {since!r}: use YYYY-MM-DD, e.g. 2025-01-31."
                ) from None
            start = timezone.make_aware(datetime.combine(day, time.min))
            orders = orders.filter(created_at__gte=start)
        if status:
            if status not in Order.Status.values:
                raise CommandError(
                    f"Unknown --status {status!r}: choose one of {', '.join(Order.Status.values)}."
                )
            orders = orders.filter(status=status)
        write_orders_csv(orders=orders, out=self.stdout)
