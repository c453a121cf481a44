"""Admin for discount codes (with the orders that used them, bulk generation and CSV export)
and automatic promotions (applied to the catalog as soon as staff save them)."""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from promotions import services
from promotions.models import DiscountCode, Promotion, Redemption


def _orders_link(query, text):
    url = reverse("admin:orders_order_changelist") + "?" + urlencode(query)
    return format_html('<a href="{}">{}</a>', url, text)


class RedemptionInline(admin.TabularInline):
    model = Redemption
    fields = ["order", "customer", "email", "amount", "redeemed_at", "released_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "orders that used it"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Order")
    def order(self, redemption):
        return _orders_link({"q": redemption.order_number}, redemption.order_number)


class GenerateCodesForm(forms.Form):
    count = forms.IntegerField(
        label="How many codes", min_value=1, max_value=services.MAX_GENERATED, initial=100
    )
    prefix = forms.RegexField(
        label="Prefix",
        regex=r"^[A-Za-z0-9]{0,20}$",
        required=False,
        help_text="Optional, e.g. NEWS: codes then look like NEWS-7KQ2M9XH4P.",
        error_messages={"invalid": "Use up to 20 letters or digits."},
    )


@admin.register(DiscountCode)
class DiscountCodeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "description",
        "uses",
        "min_subtotal",
        "starts_at",
        "ends_at",
        "is_active",
        "batch",
    ]
    list_filter = ["is_active", "kind"]
    search_fields = ["code", "batch"]
    readonly_fields = ["times_used", "batch", "created_at"]
    autocomplete_fields = ["products", "categories"]
    fieldsets = [
        (None, {"fields": ["code", "kind", "value", "is_active"]}),
        ("Conditions", {"fields": ["min_subtotal", "starts_at", "ends_at"]}),
        ("Limits", {"fields": ["max_uses", "max_uses_per_customer", "times_used"]}),
        ("Only for", {"fields": ["products", "categories"]}),
        (None, {"fields": ["batch", "created_at"]}),
    ]
    inlines = [RedemptionInline]
    actions = ["generate_codes", "export_csv"]
    list_per_page = 100

    @admin.display(description="Used", ordering="times_used")
    def uses(self, code):
        return f"{code.times_used} of {code.max_uses}" if code.max_uses else code.times_used

    @admin.action(
        description="Generate single-use codes like the selected code", permissions=["add"]
    )
    def generate_codes(self, request, queryset):
        """Asks how many (and a prefix) on an intermediate page, then creates the codes."""
        if queryset.count() != 1:
            self.message_user(
                request, "Select exactly one code to copy the terms from.", messages.WARNING
            )
            return None
        template = queryset.get()
        form = GenerateCodesForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                codes = services.generate_discount_codes(
                    template=template,
                    count=form.cleaned_data["count"],
                    prefix=form.cleaned_data["prefix"],
                )
            except services.PromotionError as error:
                self.message_user(request, str(error), messages.ERROR)
                return None
            self.message_user(
                request,
                f"{len(codes)} single-use codes generated. Select them all and choose "
                "“Export selected codes as CSV”.",
                messages.SUCCESS,
            )
            changelist = reverse("admin:promotions_discountcode_changelist")
            return redirect(f"{changelist}?{urlencode({'batch': codes[0].batch})}")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Generate codes like {template.code}",
            "opts": self.model._meta,
            "form": form,
            "template_code": template,
            "selected": [template.pk],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": "generate_codes",
            "action_label": "Generate codes",
        }
        return TemplateResponse(request, "promotions/admin/generate_codes.html", context)

    @admin.action(description="Export selected codes as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"discount-codes-{timezone.now():%Y%m%d-%H%M%S}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        services.write_codes_csv(codes=queryset.order_by("code"), out=response)
        return response


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    """Saving, ending or deleting a promotion updates the catalog's sale prices at once;
    beat starts and ends scheduled ones within a minute of their times."""

    list_display = ["name", "percent", "starts_at", "ends_at", "is_active", "state", "orders"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["products", "categories"]
    fields = ["name", "percent", "starts_at", "ends_at", "is_active", "products", "categories"]
    actions = ["end_now"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(order_count=Count("order_lines__order", distinct=True))
        )

    @admin.display(description="State")
    def state(self, promotion):
        now = timezone.now()
        if promotion.is_live_at(now):
            return "Running"
        if promotion.is_active and promotion.starts_at > now:
            return "Scheduled"
        return "Not running"

    @admin.display(description="Orders", ordering="order_count")
    def orders(self, promotion):
        if not promotion.order_count:
            return 0
        return _orders_link({"lines__promotion__id__exact": promotion.pk}, promotion.order_count)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._apply(request)

    def _apply(self, request):
        changed = services.apply_promotions()
        if changed:
            self.message_user(request, f"Sale prices updated on {changed} variant(s).")

    def delete_model(self, request, obj):
        services.delete_promotions(promotions=[obj])

    def delete_queryset(self, request, queryset):
        services.delete_promotions(promotions=list(queryset))

    @admin.action(description="End the selected promotions now", permissions=["change"])
    def end_now(self, request, queryset):
        ended = services.end_promotions(promotions=list(queryset))
        self.message_user(request, f"{ended} promotion(s) ended.", messages.SUCCESS)
