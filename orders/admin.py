"""Admin for orders (order managers) and the email outbox (visible failures, retry)."""

from django.contrib import admin, messages

from orders.emails import retry_failed_order_email
from orders.models import OrderEmail


@admin.register(OrderEmail)
class OrderEmailAdmin(admin.ModelAdmin):
    """The outbox, read-only: staff see what was sent, what is waiting and why a send failed."""

    list_display = [
        "order",
        "kind",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
        "created_at",
    ]
    list_filter = ["state", "kind"]
    search_fields = ["order__number", "order__email"]
    list_select_related = ["order"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "order",
        "kind",
        "state",
        "attempts",
        "last_error",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "created_at",
    ]
    actions = ["retry_sending"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Last error")
    def short_error(self, email):
        return email.last_error[:80]

    @admin.action(description="Retry sending", permissions=["change"])
    def retry_sending(self, request, queryset):
        retried = sum(retry_failed_order_email(email=email) for email in queryset)
        skipped = len(queryset) - retried
        if retried:
            self.message_user(
                request, f"{retried} email{'s' if retried != 1 else ''} queued to be sent again."
            )
        if skipped:
            self.message_user(
                request,
                f"{skipped} email{'s were' if skipped != 1 else ' was'} not failed and left alone.",
                messages.WARNING,
            )
