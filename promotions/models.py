"""Discount codes customers type in the cart, their redemptions, and automatic promotions
staff schedule (sale prices on catalog rows, see promotions.services.apply_promotions)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper

from catalog.templatetags.catalog_tags import money, percent

CODE_PATTERN = r"^[A-Za-z0-9_-]{3,40}$"
code_validator = RegexValidator(
    CODE_PATTERN, "Use 3 to 40 letters, digits, hyphens or underscores, without spaces."
)


class DiscountCode(models.Model):
    """A code customers type in the cart. `times_used` counts the orders that redeemed it and
    were not cancelled or refunded since; it changes only with the row locked
    (promotions.services), so it never passes `max_uses`."""

    class Kind(models.TextChoices):
        PERCENT = "percent", "Percentage off the order"
        AMOUNT = "amount", "Amount off the order"
        FREE_SHIPPING = "free_shipping", "Free shipping"

    code = models.CharField(
        max_length=40,
        validators=[code_validator],
        help_text="What customers type; matched ignoring case and surrounding spaces.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERCENT)
    value = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text="The percentage (e.g. 10) or the amount in the shop currency; 0 for free "
        "shipping.",
    )
    min_subtotal = models.DecimalField(
        "minimum subtotal",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="The cart's subtotal (at sale prices) must reach this for the code to apply.",
    )
    starts_at = models.DateTimeField(null=True, blank=True, help_text="Empty: valid at once.")
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    max_uses = models.PositiveIntegerField(
        null=True, blank=True, help_text="Orders that may use it in all; empty: no limit."
    )
    max_uses_per_customer = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Orders per customer (by account, and by email for guests); empty: no limit.",
    )
    products = models.ManyToManyField(
        "catalog.Product",
        blank=True,
        related_name="+",
        help_text="Only these products (and those of the categories below) are discounted; "
        "none chosen: every product.",
    )
    categories = models.ManyToManyField(
        "catalog.Category",
        blank=True,
        related_name="+",
        help_text="Includes their subcategories.",
    )
    is_active = models.BooleanField(default=True)
    times_used = models.PositiveIntegerField(default=0, editable=False)
    batch = models.CharField(
        max_length=80, blank=True, help_text="Codes generated together share this label."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                Upper("code"),
                name="discount_code_unique_ignoring_case",
                violation_error_message="A code with the same letters exists (codes ignore case).",
            ),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__gt=0, value__lte=100),
                name="discount_code_percent_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(kind="amount") | Q(value__gt=0), name="discount_code_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(times_used__lte=F("max_uses")),
                name="discount_code_never_over_used",
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=F("starts_at")),
                name="discount_code_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["batch"])]

    def __str__(self):
        return self.code

    def clean(self):
        errors = {}
        if self.kind == self.Kind.PERCENT and not (0 < (self.value or 0) <= 100):
            errors["value"] = "A percentage must be more than 0 and at most 100."
        if self.kind == self.Kind.AMOUNT and not (self.value or 0) > 0:
            errors["value"] = "An amount off must be more than 0."
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "The end must be after the start."
        if self.max_uses is not None and self.max_uses < self.times_used:
            errors["max_uses"] = f"It has been used {self.times_used} times already."
        if errors:
            raise ValidationError(errors)

    @property
    def description(self):
        """What it gives, for customers: "10% off", "€5.00 off", "Free shipping"."""
        if self.kind == self.Kind.PERCENT:
            return f"{percent(self.value)} off"
        if self.kind == self.Kind.AMOUNT:
            return f"{money(self.value)} off"
        return "Free shipping"

    def is_valid_at(self, now):
        return (
            self.is_active
            and (self.starts_at is None or self.starts_at <= now)
            and (self.ends_at is None or now < self.ends_at)
        )


class Redemption(models.Model):
    """One order's use of a code (one code per order). A cancelled or fully refunded order's
    redemption is released: it no longer counts against the code's limits."""

    code = models.ForeignKey(DiscountCode, on_delete=models.PROTECT, related_name="redemptions")
    order_number = models.CharField(max_length=8, unique=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    email = models.EmailField(help_text="Lowercased: guests are limited by their email.")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    redeemed_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-redeemed_at", "-pk"]
        indexes = [
            models.Index(fields=["code", "customer"]),
            models.Index(fields=["code", "email"]),
        ]

    def __str__(self):
        return f"{self.code} on order {self.order_number}"


class Promotion(models.Model):
    """A percentage off some products for a while, without a code: shown on the catalog as a
    sale price with the regular price struck through."""

    name = models.CharField(
        max_length=100, help_text="Customers see it in the cart, e.g. “Outdoor weekend”."
    )
    percent = models.DecimalField(
        "percent off",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("99.99"))],
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Empty: until ended.")
    products = models.ManyToManyField(
        "catalog.Product",
        blank=True,
        related_name="+",
        help_text="With the categories below; none of either: every product.",
    )
    categories = models.ManyToManyField(
        "catalog.Category", blank=True, related_name="+", help_text="Includes subcategories."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gt=0, percent__lt=100), name="promotion_percent_in_range"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="promotion_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The end must be after the start."})

    @property
    def label(self):
        """For customers, e.g. "Outdoor weekend: 20% off"."""
        return f"{self.name}: {percent(self.percent)} off"

    def is_live_at(self, now):
        return (
            self.is_active
            and self.starts_at <= now
            and (self.ends_at is None or now < self.ends_at)
        )
