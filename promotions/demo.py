"""Demo promotions and discount codes for `make run` (manage.py seed_demo_promotions): two
running promotions on demo categories and two codes to try in the cart. Idempotent."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from catalog.models import Category
from promotions.models import DiscountCode, Promotion
from promotions.services import apply_promotions, create_discount_code

# (name, percent off, category slug): running from the first seed on, with no end.
PROMOTIONS = [
    ("Outdoor sale", Decimal(20), "outdoor"),
    ("Reading week", Decimal(15), "books"),
]
# (code, fields of create_discount_code)
CODES = [
    ("WELCOME10", {"kind": "percent", "value": Decimal(10), "min_subtotal": Decimal(30)}),
    ("FREESHIP", {"kind": "free_shipping", "value": Decimal(0)}),
]


def seed_demo_promotions():
    """Create what is missing (by promotion name and code) and apply the promotions to the
    catalog; returns the demo codes. Promotions on categories that do not exist (no demo
    catalog) are skipped."""
    now = timezone.now()
    for name, percent, slug in PROMOTIONS:
        category = Category.objects.filter(slug=slug).first()
        if category is None or Promotion.objects.filter(name=name).exists():
            continue
        promotion = Promotion.objects.create(
            name=name, percent=percent, starts_at=now - timedelta(days=1)
        )
        promotion.categories.set([category])
    for code, fields in CODES:
        if not DiscountCode.objects.filter(code__iexact=code).exists():
            create_discount_code(code=code, **fields)
    apply_promotions()
    return [DiscountCode.objects.get(code__iexact=code) for code, _ in CODES]
