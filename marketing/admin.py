"""The marketing emails in the admin: reminders and alerts with their delivery state, waiting
back-in-stock requests, opt-outs."""

from django.contrib import admin

from marketing.models import BackInStockAlert, BackInStockRequest, CartReminder, OptOut
from outbox.admin import OutboxEmailAdmin


@admin.register(CartReminder)
class CartReminderAdmin(OutboxEmailAdmin):
    list_display = ["email", "cart_changed_at", "state", "attempts", "sent_at", "short_error"]
    search_fields = ["email"]


@admin.register(BackInStockAlert)
class BackInStockAlertAdmin(OutboxEmailAdmin):
    list_display = ["email", "variant", "requested_at", "state", "attempts", "sent_at"]
    list_select_related = ["variant__product"]
    search_fields = ["email", "variant__sku"]


@admin.register(BackInStockRequest)
class BackInStockRequestAdmin(admin.ModelAdmin):
    """Who waits for what: staff see demand for sold-out variants."""

    list_display = ["email", "variant", "created_at"]
    list_select_related = ["variant__product"]
    search_fields = ["email", "variant__sku", "variant__product__name"]
    readonly_fields = ["email", "user", "variant", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ["email", "topic", "created_at"]
    list_filter = ["topic"]
    search_fields = ["email"]
    readonly_fields = ["created_at"]
