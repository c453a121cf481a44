"""What every outbox table shows staff: state, attempts, the next try and the last error, plus
the "Retry sending" action for emails that failed for good. Apps subclass it for their table."""

from django.contrib import admin, messages

from outbox.services import retry_failed

DELIVERY_FIELDS = ["state", "attempts", "last_error", "next_attempt_at", "claimed_at", "sent_at"]


class OutboxEmailAdmin(admin.ModelAdmin):
    """Read-only: staff see what was sent, what is waiting and why a send failed."""

    list_filter = ["state"]
    date_hierarchy = "created_at"
    actions = ["retry_sending"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Last error")
    def short_error(self, email):
        return email.last_error[:80]

    @admin.action(description="Retry sending", permissions=["change"])
    def retry_sending(self, request, queryset):
        retried = sum(retry_failed(email) for email in queryset)
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
