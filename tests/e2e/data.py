"""The data the journeys need, made directly with the factories (not with seed_demo)."""

from decimal import Decimal

from django.utils import timezone

from catalog.services import refresh_products
from orders.models import Order
from tests.factories import (
    CategoryFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    VariantFactory,
)


class Catalog:
    """The handful of products the journeys buy, made directly with the factories."""

    def __init__(self):
        self.apparel = CategoryFactory(name="Apparel", slug="apparel")
        self.footwear = CategoryFactory(name="Footwear", slug="footwear", parent=self.apparel)
        self.kitchen = CategoryFactory(name="Kitchen", slug="kitchen")

        self.shoe = ProductFactory(
            name="Trail Runner Shoe",
            slug="trail-runner-shoe",
            description="A light running shoe with a grippy sole for muddy trails.",
            brand="Stride",
            min_price=Decimal("89.00"),
            categories=[self.footwear],
        )
        self.shoe_sizes = {
            size: VariantFactory(
                product=self.shoe,
                sku=f"TRS-{size}",
                options={"Size": size},
                price=Decimal("89.00"),
                stock=10,
                position=position,
            )
            for position, size in enumerate(["42", "43", "44"])
        }
        self.road_shoe = ProductFactory(
            name="Road Runner Shoe",
            slug="road-runner-shoe",
            description="A cushioned running shoe for tarmac; currently sold out.",
            brand="Stride",
            min_price=Decimal("79.00"),
            categories=[self.footwear],
        )
        VariantFactory(product=self.road_shoe, sku="RRS-1", price=Decimal("79.00"), stock=0)

        self.beanie = ProductFactory(
            name="Merino Beanie",
            slug="merino-beanie",
            description="A warm merino wool beanie.",
            brand="Woolly",
            min_price=Decimal("25.00"),
            categories=[self.apparel],
        )
        self.beanie_variant = VariantFactory(
            product=self.beanie, sku="BEANIE-1", price=Decimal("25.00"), stock=20
        )
        self.mug = ProductFactory(
            name="Enamel Mug",
            slug="enamel-mug",
            description="A camping mug that survives being dropped.",
            brand="Camp",
            min_price=Decimal("12.50"),
            categories=[self.kitchen],
        )
        self.mug_variant = VariantFactory(
            product=self.mug, sku="MUG-1", price=Decimal("12.50"), stock=30
        )
        # What the catalog's write paths keep up to date: min_price and the search vectors.
        refresh_products()


def paid_order(customer, variant, quantity=2):
    """An order as checkout leaves it once the card is approved (two units of `variant`)."""
    line_total = variant.price * quantity
    order = OrderFactory(
        customer=customer,
        email=customer.email,
        status=Order.Status.PAID,
        paid_at=timezone.now(),
        payment_brand="Visa",
        payment_last4="4242",
        subtotal=line_total,
        total=line_total + Decimal("4.90"),
    )
    OrderLineFactory(
        order=order,
        variant=variant,
        unit_price=variant.price,
        quantity=quantity,
        line_total=line_total,
    )
    return order
