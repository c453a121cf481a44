"""`manage.py report_sales --from YYYY-MM-DD --to YYYY-MM-DD [--by day|week|month]`: the sales
figures of the admin's sales page, on the terminal."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from catalog.templatetags.catalog_tags import money
from reports.selectors import GRANULARITIES, DateRange, by_period, summary


def iso_date(value):
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Dates are YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Print orders, gross sales, refunds, revenue (paid orders' totals, refunds subtracted) "
        "and average order value for a date range, both days included; with --by, per period."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, type=str)
        parser.add_argument("--to", dest="end", required=True, type=str)
        parser.add_argument("--by", choices=GRANULARITIES)

    def handle(self, *args, start, end, by, **options):
        period = DateRange(iso_date(start), iso_date(end))
        if period.start > period.end:
            raise CommandError("--to must not be before --from.")
        self.stdout.write(f"Sales from {period.start} to {period.end}")
        self.write_figures(summary(period))
        if by:
            for row in by_period(period, by):
                self.stdout.write(f"\n{by.capitalize()} from {row.start}")
                self.write_figures(row.figures)

    def write_figures(self, figures):
        self.stdout.write(f"Orders: {figures.orders}")
        self.stdout.write(f"Gross sales: {money(figures.gross)}")
        self.stdout.write(f"Refunds: {money(figures.refunds)}")
        self.stdout.write(f"Revenue: {money(figures.revenue)}")
        self.stdout.write(f"Average order value: {money(figures.average_order_value)}")
