"""Admin for payments, refunds and Stripe's webhook events: read-only records, with Stripe's
references linked to its dashboard. Refunds are made by cancelling the order (Sales)."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from payments.models import Payment, Refund, WebhookEvent

DASHBOARD = "https://dashboard.stripe.com/"


def dashboard_link(path, reference, *, livemode):
    """A Stripe reference as a link to it in Stripe's dashboard (test or live mode)."""
    if not reference:
        return "-"
    mode = "" if livemode else "test/"
    return format_html('<a href="{}{}{}" rel="noopener">{}</a>', DASHBOARD, mode, path, reference)


def stripe_links(payment):
    """The session, the PaymentIntent and the refunds of a Stripe payment, as dashboard links."""
    if payment.gateway != Payment.Gateway.STRIPE:
        return payment.reference or "-"
    live = payment.livemode
    parts = [
        dashboard_link(
            f"search?query={payment.stripe_session_id}", payment.stripe_session_id, livemode=live
        ),
        dashboard_link(f"payments/{payment.reference}", payment.reference, livemode=live),
    ]
    parts += [
        dashboard_link(f"refunds/{refund.reference}", refund.reference, livemode=live)
        for refund in payment.refunds.all()
        if refund.reference
    ]
    return format_html_join(mark_safe("<br>"), "{}", ((part,) for part in parts))


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ["created_at", "amount", "currency", "reference", "source", "status", "reason"]
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    """On the order's admin page: every payment attempt, Stripe's references as links."""

    model = Payment
    fields = ["created_at", "gateway", "status", "amount", "card_label", "references", "attention"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("refunds")

    @admin.display(description="References")
    def references(self, payment):
        return stripe_links(payment)


class NeedsAttention(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(attention="")
        if self.value() == "no":
            return queryset.filter(attention="")
        return queryset


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "order_number",
        "gateway",
        "status",
        "amount",
        "currency",
        "card_label",
        "attention",
        "created_at",
    ]
    list_filter = ["status", "gateway", NeedsAttention, "created_at"]
    search_fields = ["order_number", "reference", "stripe_session_id", "order__email"]
    date_hierarchy = "created_at"
    inlines = [RefundInline]
    fields = [
        "order",
        "order_number",
        "gateway",
        "status",
        "attention",
        "amount",
        "currency",
        "card_label",
        "stripe_references",
        "failure_message",
        "livemode",
        "expires_at",
        "created_at",
        "paid_at",
    ]
    readonly_fields = fields

    @admin.display(description="References")
    def stripe_references(self, payment):
        return stripe_links(payment)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["payment", "amount", "currency", "source", "status", "created_by", "created_at"]
    list_filter = ["source", "status", "created_at"]
    search_fields = ["payment__order_number", "reference", "idempotency_key"]
    list_select_related = ["payment", "created_by"]
    fields = [
        "payment",
        "amount",
        "currency",
        "reference",
        "idempotency_key",
        "source",
        "status",
        "reason",
        "created_by",
        "created_at",
    ]
    readonly_fields = fields


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "type", "order_number", "outcome", "received_at", "processed_at"]
    list_filter = ["type", ("processed_at", admin.EmptyFieldListFilter), "received_at"]
    search_fields = ["event_id", "order_number"]
    date_hierarchy = "received_at"
    fields = [
        "event_id",
        "type",
        "order_number",
        "outcome",
        "livemode",
        "received_at",
        "processed_at",
        "payload",
    ]
    readonly_fields = fields
