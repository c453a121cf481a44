"""Carts, orders (with lines and a status history) and the outbox of order emails."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_countries.fields import CountryField

ORDER_NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ORDER_NUMBER_LENGTH = 8


def new_order_number():
    """Eight random characters without look-alikes (0/O, 1/I): unique enough, not guessable."""
    return "".join(secrets.choice(ORDER_NUMBER_ALPHABET) for _ in range(ORDER_NUMBER_LENGTH))


class Cart(models.Model):
    """A signed-in customer's cart. Anonymous visitors keep theirs in the session."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Cart of {self.user}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="one_line_per_variant"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.variant_id}"


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", "Pending payment"
        PAID = "paid", "Paid"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"

    # The only moves an order may make; services refuse any other.
    ALLOWED_TRANSITIONS = {
        Status.PENDING_PAYMENT: {Status.PAID, Status.CANCELLED},
        Status.PAID: {Status.SHIPPED, Status.CANCELLED},
        Status.SHIPPED: {Status.DELIVERED},
        Status.DELIVERED: set(),
        Status.CANCELLED: set(),
    }

    class ShippingMethod(models.TextChoices):
        STANDARD = "standard", "Standard"
        EXPRESS = "express", "Express"

    number = models.CharField(
        max_length=ORDER_NUMBER_LENGTH, unique=True, default=new_order_number, editable=False
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    email = models.EmailField()
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT, db_index=True
    )
    # One-time token from the checkout form: a second submit finds this order instead of
    # creating another.
    checkout_token = models.CharField(max_length=64, unique=True, editable=False)

    shipping_full_name = models.CharField("full name", max_length=150)
    shipping_line1 = models.CharField("address line 1", max_length=200)
    shipping_line2 = models.CharField("address line 2", max_length=200, blank=True)
    shipping_city = models.CharField("city", max_length=100)
    shipping_postal_code = models.CharField("postal code", max_length=20)
    shipping_country = CountryField("country")
    shipping_phone = models.CharField("phone", max_length=30, blank=True)
    billing_full_name = models.CharField("full name", max_length=150)
    billing_line1 = models.CharField("address line 1", max_length=200)
    billing_line2 = models.CharField("address line 2", max_length=200, blank=True)
    billing_city = models.CharField("city", max_length=100)
    billing_postal_code = models.CharField("postal code", max_length=20)
    billing_country = CountryField("country")
    billing_phone = models.CharField("phone", max_length=30, blank=True)

    shipping_method = models.CharField(max_length=20, choices=ShippingMethod.choices)
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    shipping_cost = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)

    payment_brand = models.CharField(max_length=20, blank=True)
    payment_last4 = models.CharField(max_length=4, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)
    refund_reference = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["customer", "-created_at"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["-created_at"], name="order_created_desc_idx"),
            models.Index(fields=["email"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
        ]

    def __str__(self):
        return f"Order {self.number}"

    def get_absolute_url(self):
        return reverse("orders:detail", args=[self.number])

    @property
    def shipping_address(self):
        return self._address("shipping")

    @property
    def billing_address(self):
        return self._address("billing")

    def _address(self, prefix):
        """One of the copied addresses with the field names of accounts.Address, so the same
        template renders both."""
        fields = ["full_name", "line1", "line2", "city", "postal_code", "country", "phone"]
        return {field: getattr(self, f"{prefix}_{field}") for field in fields}

    def can_transition_to(self, status):
        return status in self.ALLOWED_TRANSITIONS[self.Status(self.status)]


class OrderLine(models.Model):
    """What was bought, copied at checkout so later catalog edits never change the order."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "catalog.Variant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    product_name = models.CharField(max_length=200)
    options_label = models.CharField(max_length=200, blank=True)
    sku = models.CharField("SKU", max_length=64)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.sku}"


class OrderStatusChange(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Order.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Order.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(max_length=200, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.order.number}: {self.from_status or '-'} -> {self.to_status}"


class OrderEmail(models.Model):
    """The transactional outbox: one row per email an order owes its customer.

    The row is written in the same transaction as the order change that calls for it, so the
    intent survives a broker outage; a worker claims it atomically before sending, so it is
    sent once.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Order confirmation"
        SHIPPED = "shipped", "Shipping notice"
        CANCELLED = "cancelled", "Cancellation notice"
        LINK = "link", "New order link"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["order", "kind"], name="one_email_per_order_kind"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.order.number}"
