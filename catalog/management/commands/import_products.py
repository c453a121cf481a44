"""manage.py import_products FILE.csv [--dry-run]: create or update products by SKU."""

import sys
from argparse import RawDescriptionHelpFormatter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter
from tqdm import tqdm

from catalog.csv_format import __doc__ as FORMAT
from catalog.services.product_import import ImportFailed, import_products


class HelpFormatter(RawDescriptionHelpFormatter, DjangoHelpFormatter):
    """Keeps the line breaks of the format description in --help."""


class Command(BaseCommand):
    help = (
        "Create or update products and variants from a CSV file, matching variants by SKU. "
        "Every row is checked first; on any error nothing is written.\n\n" + FORMAT
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs["formatter_class"] = HelpFormatter
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count the changes, write nothing"
        )

    def handle(self, *args, file, dry_run, **options):
        if not file.is_file():
            raise CommandError(f"No file at {file}.")

        try:
            with tqdm(unit="product", file=sys.stderr, disable=None) as bar:

                def progress(done, total):
                    bar.total = total
                    bar.update(done)

                result = import_products(path=file, dry_run=dry_run, on_progress=progress)
        except ImportFailed as failure:
            for line, message in failure.errors:
                self.stderr.write(f"line {line}: {message}")
            raise CommandError(str(failure)) from None
        prefix = "Dry run, nothing written: " if dry_run else ""
        self.stdout.write(f"{prefix}{result}.")
