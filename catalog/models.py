"""The catalog: a category tree, products, their variants (what is bought) and images."""

from typing import NamedTuple

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse


class StockState(NamedTuple):
    css: str  # "in", "low" or "out": the suffix of the .stock-* classes
    label: str


def stock_state(quantity):
    """What customers read about a quantity in stock: "In stock", "Only N left", "Out of stock"."""
    if quantity <= 0:
        return StockState("out", "Out of stock")
    if quantity <= settings.SHOP_LOW_STOCK_THRESHOLD:
        return StockState("low", f"Only {quantity} left")
    return StockState("in", "In stock")


class TaxClass(models.TextChoices):
    """Which of a country's VAT rates a product is sold at (the rates are in billing.TaxRate)."""

    STANDARD = "standard", "Standard rate"
    REDUCED = "reduced", "Reduced rate"
    ZERO = "zero", "Zero rate"


class Category(models.Model):
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"
        indexes = [models.Index(fields=["parent", "position", "name"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalog:category", args=[self.slug])

    def clean(self):
        # A loop in the tree would send every walk of it (pages, breadcrumbs, export) round
        # for ever. One query per level above the new parent.
        ancestor, seen = self.parent, set()
        while self.pk is not None and ancestor is not None and ancestor.pk not in seen:
            if ancestor.pk == self.pk:
                message = "A category cannot be moved inside itself or one of its subcategories."
                raise ValidationError({"parent": message})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class Product(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    brand = models.CharField(max_length=100, blank=True, db_index=True)
    categories = models.ManyToManyField(Category, related_name="products", blank=True)
    is_active = models.BooleanField(default=True)
    is_featured = models.BooleanField(default=False, help_text="Shown first on the home page.")
    tax_class = models.CharField(
        max_length=10,
        choices=TaxClass.choices,
        default=TaxClass.STANDARD,
        help_text="The VAT rate it is sold at: reduced e.g. for books and food in most countries.",
    )
    # Lowest active variant price (a promotion's sale price where one runs), kept by catalog
    # services so listings sort without joins.
    min_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # The active variants' option values, e.g. {"Size": ["L", "M"], "Colour": ["Red"]}, kept by
    # catalog services so a listing's facets are counted from product rows alone.
    option_values = models.JSONField(default=dict, blank=True, editable=False)
    # Name, description, brand, SKUs and category names, weighted; PostgreSQL only (its GIN
    # index is created by a PostgreSQL-only migration).
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["is_active", "name"]),
            models.Index(fields=["is_active", "min_price"]),
            models.Index(fields=["is_active", "-created_at"]),
            models.Index(fields=["is_active", "-is_featured", "-created_at"]),
            # Listable products' ids and prices: PostgreSQL counts a large category's products
            # (within a price range) from this index instead of reading the whole table.
            models.Index(
                fields=["id", "min_price"],
                condition=Q(is_active=True, min_price__isnull=False),
                name="catalog_product_listable",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalog:product", args=[self.slug])

    # The properties below read the lists that catalog.selectors prefetches for every page that
    # shows products: `active_variants` (active variants by position) and `image_list`.

    @property
    def price_variant(self):
        """The cheapest active variant: its price (and sale price) is the one a card shows."""
        return min(self.active_variants, key=lambda v: (v.current_price, v.position), default=None)

    @property
    def has_price_range(self):
        return len({variant.current_price for variant in self.active_variants}) > 1

    @property
    def stock_state(self):
        return stock_state(sum(variant.stock for variant in self.active_variants))

    @property
    def main_image(self):
        return self.image_list[0] if self.image_list else None


class Variant(models.Model):
    """A buyable version of a product (e.g. Size M, Red). Carts and orders hold variants."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField("SKU", max_length=64, unique=True)
    # Option name -> value, e.g. {"Size": "M", "Colour": "Red"}; empty for a single variant.
    options = models.JSONField(default=dict, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    compare_at_price = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The former price, shown struck through when higher than the price.",
    )
    stock = models.IntegerField(default=0)
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    # The price while an automatic promotion runs, written by the promotions app through
    # `catalog.services.set_sale_prices` (denormalised here so that listings show, sort and
    # filter by it without a join). It counts only while `price` is still the
    # `sale_base_price` it was computed from: `refresh_products` drops it after a price edit,
    # until the promotions sweep computes it again. `sale_promotion_id` names the
    # promotions.Promotion behind it (an id, not a foreign key: catalog depends on no app).
    sale_price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    sale_base_price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    sale_promotion_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="variant_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gte=0), name="variant_price_not_negative"),
            models.CheckConstraint(
                condition=Q(compare_at_price__isnull=True) | Q(compare_at_price__gte=0),
                name="variant_compare_at_price_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "is_active", "stock"]),
            models.Index(fields=["stock"], name="variant_stock_idx"),
        ]

    def __str__(self):
        label = self.options_label
        return f"{self.product.name} ({label})" if label else self.product.name

    @property
    def options_label(self):
        return ", ".join(f"{name}: {value}" for name, value in self.options.items())

    @property
    def options_value_label(self):
        """The option values alone, e.g. "M / Red", for a variant select."""
        return " / ".join(str(value) for value in self.options.values())

    @property
    def stock_state(self):
        return stock_state(self.stock)

    @property
    def current_price(self):
        """What a unit costs now: the promotion's sale price while one runs, else the price."""
        return self.price if self.sale_price is None else self.sale_price

    @property
    def was_price(self):
        """The price shown struck through: the regular price during a promotion, else the
        former price when it is higher; None when not on sale."""
        if self.sale_price is not None:
            return self.price
        if self.compare_at_price is not None and self.compare_at_price > self.price:
            return self.compare_at_price
        return None

    @property
    def is_on_sale(self):
        return self.was_price is not None

    @property
    def is_on_promotion(self):
        return self.sale_price is not None

    @property
    def is_purchasable(self):
        return self.is_active and self.product.is_active and self.stock > 0


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(
        upload_to="products/%Y/%m/", width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    # Renditions generated once from `image` by catalog.services.generate_image_renditions:
    # a square thumbnail for cards and lists, and a bounded size for the product page.
    thumbnail = models.ImageField(
        upload_to="products/renditions/",
        blank=True,
        editable=False,
        width_field="thumbnail_width",
        height_field="thumbnail_height",
    )
    thumbnail_width = models.PositiveIntegerField(null=True, editable=False)
    thumbnail_height = models.PositiveIntegerField(null=True, editable=False)
    display = models.ImageField(
        upload_to="products/renditions/",
        blank=True,
        editable=False,
        width_field="display_width",
        height_field="display_height",
    )
    display_width = models.PositiveIntegerField(null=True, editable=False)
    display_height = models.PositiveIntegerField(null=True, editable=False)
    alt_text = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["product", "position"])]

    def __str__(self):
        return self.alt_text or f"Image of {self.product}"


class SearchTerm(models.Model):
    """A word of the catalog's product names, brands and category names: what a misspelt search
    word is corrected to ("saucpan" -> "saucepan", by pg_trgm similarity). Kept by
    `catalog.services.refresh_products`; it only grows (a stale word finds nothing, so it is
    never suggested)."""

    word = models.CharField(max_length=64, unique=True)

    def __str__(self):
        return self.word
