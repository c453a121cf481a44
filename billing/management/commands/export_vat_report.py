"""`manage.py export_vat_report --from YYYY-MM-DD --to YYYY-MM-DD`: the invoices and credit
notes of a period as CSV, with net and VAT per rate, for the accountant."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from billing.reports import vat_report, write_vat_report_csv


def iso_date(option, value):
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} must be a date as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Write the invoices and credit notes issued from --from to --to (both days included) "
        "as CSV: net and VAT per rate and gross for each, credit notes negative, and a totals "
        "row that is the period's VAT."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")

    def handle(self, *args, start, end, **options):
        start, end = iso_date("--from", start), iso_date("--to", end)
        if start > end:
            raise CommandError("--to must not be before --from.")
        write_vat_report_csv(vat_report(start=start, end=end), self.stdout)
