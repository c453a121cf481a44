"""manage.py export_products > products.csv: every variant, in the import format."""

from argparse import RawDescriptionHelpFormatter

from django.core.management.base import BaseCommand, DjangoHelpFormatter

from catalog.csv_format import __doc__ as FORMAT
from catalog.selectors import write_products_csv


class HelpFormatter(RawDescriptionHelpFormatter, DjangoHelpFormatter):
    """Keeps the line breaks of the format description in --help."""


class Command(BaseCommand):
    help = "Write all products and variants as CSV to standard output.\n\n" + FORMAT

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs["formatter_class"] = HelpFormatter
        return super().create_parser(prog_name, subcommand, **kwargs)

    def handle(self, *args, **options):
        write_products_csv(self.stdout)
