"""Every payment attempt, every refund and every Stripe webhook event, as the providers saw them.

Payments are linked to orders by a nullable foreign key (a declined test-gateway attempt
deletes its order but its record stays) and by the order number, which is never lost.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


class Payment(models.Model):
    """One attempt to pay for an order: a test-gateway charge or a Stripe Checkout Session."""

    class Gateway(models.TextChoices):
        TEST = "test", "Test gateway"
        STRIPE = "stripe", "Stripe"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"  # declined, or an asynchronous payment that failed
        EXPIRED = "expired", "Expired"  # never paid: the session expired or was abandoned
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"

    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )
    order_number = models.CharField(max_length=8, db_index=True)
    gateway = models.CharField(max_length=10, choices=Gateway.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    # The provider's id of the money taken: a test charge, or a Stripe PaymentIntent (pi_...).
    reference = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_session_id = models.CharField("Stripe session", max_length=255, blank=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    livemode = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    card_brand = models.CharField(max_length=30, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    # Set when staff must look at this payment, e.g. money taken for an order already cancelled.
    attention = models.CharField("needs attention", max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_session_id"],
                condition=~Q(stripe_session_id=""),
                name="one_payment_per_stripe_session",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.get_gateway_display()} payment for order {self.order_number}"

    @property
    def card_label(self):
        return f"{self.card_brand} ending in {self.card_last4}" if self.card_last4 else ""

    @property
    def refunded_amount(self):
        return sum((refund.amount for refund in self.refunds.all()), Decimal("0.00"))


class Refund(models.Model):
    """Money given back on a payment: asked for by the shop, or seen in Stripe (dashboard)."""

    class Source(models.TextChoices):
        SHOP = "shop", "Shop"
        STRIPE = "stripe", "Stripe dashboard"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    reference = models.CharField(max_length=255, blank=True)
    # The key sent with the refund request: a retry of the same refund never refunds twice.
    idempotency_key = models.CharField(max_length=255, unique=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SHOP)
    status = models.CharField(max_length=30, default="succeeded")
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=~Q(reference=""), name="one_row_per_refund"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
        ]

    def __str__(self):
        return f"Refund of {self.amount} {self.currency} for order {self.payment.order_number}"


class WebhookEvent(models.Model):
    """A Stripe event received on the webhook, stored once by its id before it takes effect."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    order_number = models.CharField(max_length=8, blank=True, db_index=True)
    livemode = models.BooleanField(default=False)
    # What the event did, in words for staff; empty until it has been processed.
    outcome = models.CharField(max_length=255, blank=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self):
        return f"{self.type} {self.event_id}"
