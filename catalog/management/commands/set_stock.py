"""manage.py set_stock SKU QUANTITY: set one variant's stock."""

from django.core.management.base import BaseCommand, CommandError

from catalog.services import CatalogError, set_stock


class Command(BaseCommand):
    help = "Set the stock of the variant with this SKU to QUANTITY (a whole number, 0 or more)."

    def add_arguments(self, parser):
        parser.add_argument("sku")
        parser.add_argument("quantity")

    def handle(self, *args, sku, quantity, **options):
        try:
            number = int(quantity)
        except ValueError:
            raise CommandError(f"QUANTITY must be a whole number, not {quantity!r}.") from None
        try:
            variant = set_stock(sku=sku, quantity=number)
        except CatalogError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{variant.sku}: stock is now {variant.stock}.")
