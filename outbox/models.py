"""What every outbox row carries: its delivery state.

Each app keeps its own outbox table, one row per email it owes someone, with a foreign key to
what the email is about and a unique constraint that makes queueing it twice impossible
(`orders.OrderEmail`: one per order and kind; `marketing.CartReminder`: one per abandoned
cart; `marketing.BackInStockAlert`: one per request). The delivery columns below are the same
for all of them, so one set of functions (`outbox.services`) claims, sends and retries them.
"""

from django.db import models


class OutboxEmail(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # Not needed any more when its turn came (e.g. the customer bought the cart meanwhile).
        SKIPPED = "skipped", "Skipped"

    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # Sending attempts so far, successful or not.
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
