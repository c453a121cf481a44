"""Emails that bring customers back: a reminder about a cart left behind, and an alert when a
sold-out product is back. Both go through the outbox (each reminder and alert row is an
`OutboxEmail`), and both honour a person's opt-out."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from outbox.models import OutboxEmail


def account_of_the_recipient(*, related_name):
    """The customer's account when they had one (rows go with it when it is deleted)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name=related_name,
    )


class OptOut(models.Model):
    """Someone asked (through the link in an email) not to receive these emails any more.

    Kept when an account is deleted: it is the record of a wish not to be emailed."""

    class Topic(models.TextChoices):
        CART_REMINDERS = "cart_reminders", "Cart reminders"
        BACK_IN_STOCK = "back_in_stock", "Back-in-stock alerts"

    email = models.EmailField()
    topic = models.CharField(max_length=20, choices=Topic.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "opt-out"
        constraints = [
            models.UniqueConstraint(fields=["email", "topic"], name="one_opt_out_per_topic"),
        ]

    def __str__(self):
        return f"{self.email}: no {self.get_topic_display().lower()}"


class GuestCheckout(models.Model):
    """A guest who typed their email at checkout: who, and what their cart held then (their
    cart lives in their browser's session, out of reach of a reminder)."""

    email = models.EmailField()
    # {variant id: quantity}, as in the session cart.
    lines = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["email"])]

    def __str__(self):
        return f"Checkout of {self.email}"


class CartReminder(OutboxEmail):
    """The one reminder about a cart left behind: a signed-in customer's cart as it was last
    changed (`cart_changed_at`), or a guest's checkout."""

    email = models.EmailField()
    user = account_of_the_recipient(related_name="cart_reminders")
    guest_checkout = models.OneToOneField(
        GuestCheckout,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminder",
    )
    cart_changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "cart_changed_at"],
                condition=Q(user__isnull=False),
                name="one_reminder_per_left_cart",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=True) ^ Q(guest_checkout__isnull=True),
                name="reminder_for_a_customer_or_a_guest",
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"Cart reminder to {self.email}"


class BackInStockRequest(models.Model):
    """ "Email me when available": waits until the variant is back, then becomes an alert."""

    email = models.EmailField()
    user = account_of_the_recipient(related_name="back_in_stock_requests")
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.CASCADE, related_name="back_in_stock_requests"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["email", "variant"], name="one_request_per_variant"),
        ]

    def __str__(self):
        return f"{self.email} waits for {self.variant_id}"


class BackInStockAlert(OutboxEmail):
    """The one email a request earns when its variant is back in stock."""

    email = models.EmailField()
    user = account_of_the_recipient(related_name="back_in_stock_alerts")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "variant", "requested_at"], name="one_alert_per_request"
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"Back-in-stock alert to {self.email}"
