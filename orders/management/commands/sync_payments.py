"""Reconcile orders still waiting for a Stripe payment with Stripe's Checkout Sessions."""

from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date

from orders.services import sync_payments
from payments.gateways import hosted_checkout


class Command(BaseCommand):
    help = (
        "Ask Stripe about every order still pending payment (webhooks missed in an outage): "
        "paid sessions mark their orders paid, expired ones cancel and restock them. Safe to "
        "run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            metavar="YYYY-MM-DD",
            help="Only orders placed on or after this day (default: the last 3 days).",
        )

    def handle(self, *, since, **options):
        if not hosted_checkout():
            raise CommandError("SHOP_PAYMENT_GATEWAY is not 'stripe': there is nothing to sync.")
        if since:
            try:
                day = parse_date(since)
            except ValueError:
                day = None
            if day is None:
                raise CommandError("--since must be a date as YYYY-MM-DD.")
            start = timezone.make_aware(datetime.combine(day, time.min))
        else:
            start = timezone.now() - timedelta(days=3)
        counts = sync_payments(since=start)
        checked = sum(counts.values())
        self.stdout.write(
            f"Checked {checked} pending order{'s' if checked != 1 else ''} since "
            f"{start:%Y-%m-%d %H:%M}: {counts['paid']} paid, {counts['cancelled']} cancelled, "
            f"{counts['refunded']} refunded (paid too late), {counts['still waiting']} still "
            f"waiting, {counts['errors']} errors."
        )
        if counts["errors"]:
            raise CommandError("Stripe could not be asked about some orders; run it again later.")
