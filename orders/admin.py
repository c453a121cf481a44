"""Admin for orders (order managers: ship, cancel, refund and return, export) and the email
outbox (visible failures, retry)."""

import secrets

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from billing.selectors import credit_notes_for_order, invoice_of
from catalog.templatetags.catalog_tags import money
from orders.exports import write_orders_csv
from orders.models import Cart, CartLine, Order, OrderEmail, OrderLine, OrderStatusChange
from orders.services import (
    InvalidTransition,
    RefundNotPossible,
    ReturnedUnits,
    cancel_order,
    mark_order_delivered,
    mark_order_shipped,
    refund_order,
)
from outbox.admin import OutboxEmailAdmin
from outbox.models import OutboxEmail
from outbox.services import send_again
from payments.admin import PaymentInline, dashboard_link
from payments.gateways import GatewayError
from payments.models import Refund, WebhookEvent

State = OutboxEmail.State


@admin.register(OrderEmail)
class OrderEmailAdmin(OutboxEmailAdmin):
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


def plural(count, noun):
    return f"{count} {noun}{'s' if count != 1 else ''}"


def money_column(field, description):
    """A read-only admin column with an order's (or its line's) amount in its currency."""

    @admin.display(description=description, ordering=field)
    def show(self, obj):
        order = obj if isinstance(obj, Order) else obj.order
        return money(getattr(obj, field), order.currency)

    return show


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    fields = [
        "product_name",
        "options_label",
        "sku",
        "unit_price_money",
        "quantity",
        "total",
        "discount_money",
        "vat_rate",
        "vat_money",
        "net_money",
        "promotion_label",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    unit_price_money = money_column("unit_price", "Unit price")
    total = money_column("line_total", "Line total")
    discount_money = money_column("discount", "Discount")
    vat_money = money_column("vat_amount", "VAT")
    net_money = money_column("net_amount", "Net")


class OrderStatusChangeInline(admin.TabularInline):
    model = OrderStatusChange
    fields = ["changed_at", "from_status", "to_status", "changed_by", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "status change"
    verbose_name_plural = "status history"

    def has_add_permission(self, request, obj=None):
        return False


class ShipOrderForm(forms.Form):
    tracking_number = forms.CharField(max_length=100, required=False)

    def clean_tracking_number(self):
        return self.cleaned_data["tracking_number"].strip()


class MarkShippedForm(forms.Form):
    """One optional tracking number per order being shipped."""

    def __init__(self, *args, orders, **kwargs):
        super().__init__(*args, **kwargs)
        for order in orders:
            self.fields[f"tracking_{order.pk}"] = forms.CharField(
                label=f"Tracking number for {order.number}", max_length=100, required=False
            )

    def tracking_number(self, order):
        return self.cleaned_data[f"tracking_{order.pk}"].strip()


class RefundForm(forms.Form):
    """Staff's refund of an order: per line the units to refund and whether they go back in
    stock, optionally the shipping, a reason. A one-time key makes a double submit refund once."""

    refund_shipping = forms.BooleanField(label="Refund the shipping", required=False)
    reason = forms.CharField(max_length=200, required=False, help_text="Shown on the credit note.")
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.lines = [line for line in order.lines.all() if line.refundable_quantity]
        for line in self.lines:
            self.fields[f"quantity_{line.pk}"] = forms.IntegerField(
                label=f"Units of {line.description} to refund",
                min_value=0,
                max_value=line.refundable_quantity,
                initial=0,
                required=False,
                help_text=(
                    f"{line.refundable_quantity} of {line.quantity} can be refunded, "
                    f"{money(line.unit_price, order.currency)} each."
                ),
            )
            self.fields[f"restock_{line.pk}"] = forms.BooleanField(
                label=f"Put {line.description} back in stock", required=False, initial=True
            )
        if order.shipping_refunded or not order.shipping_paid:
            del self.fields["refund_shipping"]
        else:
            self.fields[
                "refund_shipping"
            ].help_text = f"{money(order.shipping_paid, order.currency)} paid."

    def clean(self):
        cleaned = super().clean()
        if not self.returns() and not cleaned.get("refund_shipping"):
            raise forms.ValidationError("Choose at least one unit or the shipping to refund.")
        return cleaned

    def returns(self):
        return [
            ReturnedUnits(
                line_id=line.pk,
                quantity=self.cleaned_data.get(f"quantity_{line.pk}") or 0,
                restock=bool(self.cleaned_data.get(f"restock_{line.pk}")),
            )
            for line in self.lines
            if self.cleaned_data.get(f"quantity_{line.pk}")
        ]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Orders for the order managers: status changes only through the actions (which call the
    services), money and payment fields read-only, no adding or deleting."""

    list_display = ["number", "customer_email", "status", "total_money", "created_at"]
    list_filter = ["status", "shipping_method", "created_at"]
    search_fields = ["number", "email", "customer__email"]
    list_select_related = ["customer"]
    date_hierarchy = "created_at"
    inlines = [OrderLineInline, PaymentInline, OrderStatusChangeInline]
    actions = ["mark_shipped", "mark_delivered", "cancel_and_restock", "export_csv"]
    readonly_fields = [
        "number",
        "customer",
        "status",
        "shipping_method",
        "currency",
        "subtotal_money",
        "shipping_money",
        "discount_money",
        "discount_code",
        "discount_description",
        "shipping_discount_money",
        "shipping_vat_rate",
        "shipping_vat_money",
        "vat_country",
        "total_money",
        "payment_brand",
        "payment_last4",
        "payment_reference",
        "refund_reference",
        "refunded_total",
        "documents",
        "payment_status",
        "webhook_events",
        "created_at",
        "paid_at",
        "shipped_at",
        "cancelled_at",
    ]
    fieldsets = [
        (None, {"fields": ["number", "status", "customer", "email", "created_at"]}),
        (
            "Money",
            {
                "fields": [
                    "currency",
                    "subtotal_money",
                    "shipping_method",
                    "shipping_money",
                    "discount_money",
                    "discount_code",
                    "discount_description",
                    "shipping_discount_money",
                    "total_money",
                    "vat_country",
                    "shipping_vat_rate",
                    "shipping_vat_money",
                    "payment_brand",
                    "payment_last4",
                    "payment_status",
                    "payment_reference",
                    "refund_reference",
                ]
            },
        ),
        ("Invoice, credit notes and refunds", {"fields": ["documents", "refunded_total"]}),
        ("Payment events from Stripe", {"fields": ["webhook_events"]}),
        ("Fulfilment", {"fields": ["tracking_number", "paid_at", "shipped_at", "cancelled_at"]}),
        (
            "Shipping address",
            {
                "fields": [
                    "shipping_full_name",
                    "shipping_line1",
                    "shipping_line2",
                    "shipping_city",
                    "shipping_postal_code",
                    "shipping_country",
                    "shipping_phone",
                ]
            },
        ),
        (
            "Billing address",
            {
                "fields": [
                    "billing_full_name",
                    "billing_line1",
                    "billing_line2",
                    "billing_city",
                    "billing_postal_code",
                    "billing_country",
                    "billing_phone",
                ]
            },
        ),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Payment status")
    def payment_status(self, order):
        payment = order.payments.order_by("-created_at", "-pk").first()
        if payment is None:
            return "-"
        status = f"{payment.get_status_display()} ({payment.get_gateway_display()})"
        if payment.attention:
            return format_html(
                "{}<br><strong>Needs attention:</strong> {}", status, payment.attention
            )
        return status

    @admin.display(description="Webhook events")
    def webhook_events(self, order):
        events = WebhookEvent.objects.filter(order_number=order.number).order_by("received_at")
        if not events:
            return "None received."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    event.received_at.strftime("%Y-%m-%d %H:%M:%S"),
                    event.type,
                    dashboard_link(
                        f"events/{event.event_id}", event.event_id, livemode=event.livemode
                    ),
                    event.outcome or "Not processed yet",
                )
                for event in events
            ),
        )
        return format_html(
            "<table><thead><tr><th>Received</th><th>Type</th><th>Event</th><th>Outcome</th>"
            "</tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="Documents")
    def documents(self, order):
        """The invoice and credit notes (links to their PDFs) and the way to refund."""
        links = [
            (
                reverse(f"admin:billing_{document._meta.model_name}_pdf", args=[document.pk]),
                str(document),
            )
            for document in [invoice_of(order.pk), *credit_notes_for_order(order.pk)]
            if document is not None
        ]
        if order.status in Order.REFUNDABLE:
            links.append(
                (reverse("admin:orders_order_refund", args=[order.pk]), "Refund or return items")
            )
        if not links:
            return "None: an invoice is issued when the order is paid."
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def refund_view(self, request, object_id):
        """Refund chosen units (and the shipping) of one order: needs "Can refund orders"."""
        order = get_object_or_404(Order, pk=object_id)
        if not request.user.has_perm("orders.refund_order"):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        form = RefundForm(data, order=order, initial={"key": secrets.token_urlsafe(32)})
        if form.is_bound and form.is_valid():
            try:
                note = refund_order(
                    order=order,
                    returns=form.returns(),
                    refund_shipping=bool(form.cleaned_data.get("refund_shipping")),
                    reason=form.cleaned_data["reason"],
                    created_by=request.user,
                    idempotency_key=f"refund-{order.number}-{form.cleaned_data['key']}",
                )
            except (RefundNotPossible, GatewayError) as error:
                form.add_error(None, str(error))
            else:
                done = (
                    f"Credit note {note.number} issued for {money(note.gross, order.currency)}."
                    if note
                    else "Refunded."
                )
                self.log_change(request, order, f"Refund: {done} {form.cleaned_data['reason']}")
                self.message_user(request, done, messages.SUCCESS)
                return redirect("admin:orders_order_change", order.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Refund order {order.number}",
            "opts": self.model._meta,
            "order": order,
            "form": form,
            "left": order.total - order.refunded_total,
        }
        return TemplateResponse(request, "orders/admin/refund.html", context)

    def lookup_allowed(self, lookup, value, request):
        # The promotions admin links to the orders that used a promotion.
        return lookup == "lines__promotion__id__exact" or super().lookup_allowed(
            lookup, value, request
        )

    @admin.display(description="Customer", ordering="email")
    def customer_email(self, order):
        return order.email

    subtotal_money = money_column("subtotal", "Subtotal")
    shipping_money = money_column("shipping_cost", "Shipping")
    discount_money = money_column("discount", "Discount")
    shipping_discount_money = money_column("shipping_discount", "Shipping discount")
    shipping_vat_money = money_column("shipping_vat", "Shipping VAT")
    total_money = money_column("total", "Total")

    def _report(self, request, done, skipped, verb):
        if done:
            self.message_user(request, f"{plural(done, 'order')} {verb}.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{plural(len(skipped), 'order')} skipped: " + " ".join(skipped),
                messages.WARNING,
            )

    @admin.action(description="Mark as shipped", permissions=["change"])
    def mark_shipped(self, request, queryset):
        """Asks for tracking numbers on an intermediate page, then ships the paid orders."""
        orders = list(queryset.filter(status=Order.Status.PAID).order_by("created_at", "pk"))
        skipped = [
            f"{order.number} is {order.get_status_display().lower()}, not paid."
            for order in queryset.exclude(status=Order.Status.PAID)
        ]
        if not orders:
            self._report(request, 0, skipped, "marked as shipped")
            return None
        form = MarkShippedForm(request.POST if "apply" in request.POST else None, orders=orders)
        if form.is_bound and form.is_valid():
            done = 0
            for order in orders:
                try:
                    self._ship(request, order, form.tracking_number(order))
                    done += 1
                except InvalidTransition as error:
                    skipped.append(str(error))
            self._report(request, done, skipped, "marked as shipped")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Mark orders as shipped",
            "opts": self.model._meta,
            "form": form,
            "orders": orders,
            "skipped": skipped,
            "selected": queryset.values_list("pk", flat=True),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": "mark_shipped",
            "action_label": "Mark as shipped",
        }
        return TemplateResponse(request, "orders/admin/mark_shipped.html", context)

    @admin.action(description="Mark as delivered", permissions=["change"])
    def mark_delivered(self, request, queryset):
        self._apply_to_each(request, queryset, self._deliver, "marked as delivered")

    @admin.action(description="Cancel and restock", permissions=["change"])
    def cancel_and_restock(self, request, queryset):
        """Cancels pending and paid orders (refunding paid ones) and puts their stock back."""
        self._apply_to_each(request, queryset, self._cancel, "cancelled and restocked")

    def _apply_to_each(self, request, queryset, change, done_verb):
        """Run a status change on every selected order; report the ones it does not apply to."""
        done, skipped = 0, []
        for order in queryset:
            try:
                change(request, order)
                done += 1
            except InvalidTransition as error:
                skipped.append(str(error))
        self._report(request, done, skipped, done_verb)

    # Every change of an order by staff goes through one of these: the service does it, and the
    # admin's log (Administration > Log entries, and the order's History) records who and when.

    def _ship(self, request, order, tracking_number):
        order = mark_order_shipped(
            order=order, tracking_number=tracking_number, changed_by=request.user
        )
        tracking = f" (tracking number {tracking_number})" if tracking_number else ""
        self.log_change(request, order, f"Marked as shipped{tracking}.")

    def _deliver(self, request, order):
        order = mark_order_delivered(order=order, changed_by=request.user)
        self.log_change(request, order, "Marked as delivered.")

    def _cancel(self, request, order):
        order = cancel_order(order=order, changed_by=request.user, note="Cancelled by staff")
        refund = Refund.objects.filter(payment__order=order).order_by("-pk").first()
        if order.refund_reference and refund is not None:
            amount = money(refund.amount, refund.currency)
            message = f"Cancelled and restocked; refunded {amount} ({order.refund_reference})."
        else:
            message = "Cancelled and restocked (nothing was paid: nothing to refund)."
        self.log_change(request, order, message)

    def get_urls(self):
        def order_view(view):
            return self.admin_site.admin_view(view)

        return [
            path("<path:object_id>/ship/", order_view(self.ship_view), name="orders_order_ship"),
            path(
                "<path:object_id>/resend-email/",
                order_view(self.resend_email_view),
                name="orders_order_resend_email",
            ),
            path(
                "<path:object_id>/packing-slip/",
                order_view(self.packing_slip_view),
                name="orders_order_packing_slip",
            ),
            path(
                "<path:object_id>/refund/", order_view(self.refund_view), name="orders_order_refund"
            ),
            *super().get_urls(),
        ]

    def _order_for(self, request, object_id, *, change):
        order = get_object_or_404(Order, pk=object_id)
        allowed = (
            self.has_change_permission(request, order)
            if change
            else (self.has_view_permission(request, order))
        )
        if not allowed:
            raise PermissionDenied
        return order

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = Order.objects.filter(pk=object_id).first()
        extra_context = {
            **(extra_context or {}),
            "can_ship": order is not None and order.status == Order.Status.PAID,
            # Emails waiting or being sent are not offered: they go out anyway.
            "sent_emails": (
                order.emails.exclude(state__in=[State.PENDING, State.SENDING]) if order else []
            ),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @method_decorator(require_POST)
    def ship_view(self, request, object_id):
        order = self._order_for(request, object_id, change=True)
        form = ShipOrderForm(request.POST)
        if not form.is_valid():
            messages.error(request, f"Tracking number: {form.errors['tracking_number'][0]}")
        else:
            try:
                self._ship(request, order, form.cleaned_data["tracking_number"])
                messages.success(request, f"Order {order.number} marked as shipped.")
            except InvalidTransition as error:
                messages.error(request, str(error))
        return redirect("admin:orders_order_change", order.pk)

    @method_decorator(require_POST)
    def resend_email_view(self, request, object_id):
        order = self._order_for(request, object_id, change=True)
        email = order.emails.filter(pk=request.POST.get("email", "").strip() or None).first()
        if email is None:
            messages.error(request, "Choose an email to send again.")
        elif send_again(email):
            self.log_change(request, order, f"Sent the {email.get_kind_display().lower()} again.")
            messages.success(request, f"The {email.get_kind_display().lower()} will be sent again.")
        else:
            messages.warning(request, "That email is being sent already.")
        return redirect("admin:orders_order_change", order.pk)

    def packing_slip_view(self, request, object_id):
        order = self._order_for(request, object_id, change=False)
        context = {
            "order": order,
            "lines": list(order.lines.all()),
            "shop_name": self.admin_site.site_title,
        }
        return TemplateResponse(request, "orders/admin/packing_slip.html", context)

    @admin.action(description="Export selected to CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"orders-{timezone.now():%Y%m%d-%H%M%S}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        write_orders_csv(orders=queryset.order_by("-created_at", "-pk"), out=response)
        return response


class CartLineInline(admin.TabularInline):
    model = CartLine
    fields = ["variant", "quantity", "added_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    """Signed-in customers' carts, read-only, for support."""

    list_display = ["user", "updated_at"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    readonly_fields = ["user", "updated_at"]
    inlines = [CartLineInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
