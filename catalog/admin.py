"""Admin for the catalog (the "Catalog managers" group). Every save goes on to the catalog
services, so prices, search vectors and the storefront cache follow staff edits."""

import json

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.utils.html import format_html

from catalog import selectors, services
from catalog.models import Category, Product, ProductImage, Variant
from catalog.templatetags.catalog_tags import money


def _is_changelist(request, model):
    """Whether this request is for the admin's list of `model` (not a form or another list)."""
    match = request.resolver_match
    return bool(match and match.url_name == f"catalog_{model._meta.model_name}_changelist")


def _thumbnail(image, size=48):
    if image is None:
        return "—"
    source = image.thumbnail or image.image
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="" loading="lazy">', source.url, size, size
    )


class InvalidatesCatalogOnDelete:
    """Deleting products or categories changes the pages every visitor sees."""

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(services.invalidate_catalog_cache)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        transaction.on_commit(services.invalidate_catalog_cache)


# What staff change about money and stock is written out in the admin's log with the values
# before and after (Django's own message names the fields only).
AUDITED_FIELDS = {
    "price": money,
    "compare_at_price": money,
    "stock": str,
    "is_active": lambda active: "on sale" if active else "not on sale",
}


def money_and_stock_changes(form):
    """["price €10.00 → €12.00", "stock 5 → 20"] for the audited fields the form changed."""
    changes = []
    for name, show in AUDITED_FIELDS.items():
        if name in form.changed_data:
            before, after = (
                "none" if value is None else show(value)
                for value in (form.initial.get(name), form.cleaned_data.get(name))
            )
            changes.append(f"{name.replace('_', ' ')} {before} → {after}")
    return changes


class LogsMoneyAndStockChanges:
    """Variant forms (the variant itself, or a product's variant rows) say what they changed."""

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        details = (
            []
            if add or form.instance._meta.model is not Variant
            else (money_and_stock_changes(form))
        )
        for formset in formsets or []:  # the list's inline editing passes None
            if formset.model is Variant:
                for variant_form in formset.initial_forms:
                    changes = money_and_stock_changes(variant_form)
                    if changes:
                        details.append(f"{variant_form.instance.sku}: {', '.join(changes)}")
        if not details:
            return message
        summary = LogEntry(change_message=json.dumps(message)).get_change_message()
        return f"{summary} {'; '.join(details)}."


def log_bulk_change(request, queryset, message):
    """One log entry per object of an admin action."""
    LogEntry.objects.log_actions(
        user_id=request.user.pk, queryset=queryset, action_flag=CHANGE, change_message=message
    )


class VariantStockFilter(admin.SimpleListFilter):
    title = "stock"
    parameter_name = "stock"

    def lookups(self, request, model_admin):
        low = settings.SHOP_LOW_STOCK_THRESHOLD
        return [("in", f"In stock (more than {low})"), ("low", f"Low (1–{low})"), ("out", "Out")]

    def queryset(self, request, queryset):
        low = settings.SHOP_LOW_STOCK_THRESHOLD
        if self.value() == "in":
            return queryset.filter(stock__gt=low)
        if self.value() == "low":
            return queryset.filter(stock__gte=1, stock__lte=low)
        if self.value() == "out":
            return queryset.filter(stock__lte=0)
        return queryset


class ProductStockFilter(admin.SimpleListFilter):
    """By the stock of a product's active variants."""

    title = "stock"
    parameter_name = "stock"

    def lookups(self, request, model_admin):
        low = settings.SHOP_LOW_STOCK_THRESHOLD
        return [
            ("low", f"Low stock (a variant with 1–{low} left)"),
            ("out", "Out of stock (no variant left)"),
        ]

    def queryset(self, request, queryset):
        active = Variant.objects.filter(product=OuterRef("pk"), is_active=True)
        if self.value() == "low":
            low = settings.SHOP_LOW_STOCK_THRESHOLD
            return queryset.filter(Exists(active.filter(stock__gte=1, stock__lte=low)))
        if self.value() == "out":
            return queryset.exclude(Exists(active.filter(stock__gt=0)))
        return queryset


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0
    min_num = 1
    fields = [
        "sku",
        "options",
        "price",
        "compare_at_price",
        "sale_price",
        "stock",
        "is_active",
        "position",
    ]
    readonly_fields = ["sale_price"]


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ["preview", "image", "alt_text", "position"]
    readonly_fields = ["preview"]

    @admin.display(description="Preview")
    def preview(self, image):
        return _thumbnail(image, 80) if image.pk else "—"


@admin.register(Product)
class ProductAdmin(LogsMoneyAndStockChanges, InvalidatesCatalogOnDelete, admin.ModelAdmin):
    # Fits next to the filters at 1280 px: short headers, money with its currency.
    list_display = ["thumbnail", "name", "brand", "price_from", "stock", "active", "featured"]
    list_display_links = ["thumbnail", "name"]
    list_filter = ["is_active", ProductStockFilter, "is_featured", "tax_class", "categories"]
    search_fields = ["name", "slug", "brand", "variants__sku"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["categories"]
    readonly_fields = ["min_price", "created_at", "updated_at"]
    fields = [
        "name",
        "slug",
        "brand",
        "categories",
        "description",
        "is_active",
        "is_featured",
        "tax_class",
        "min_price",
        "created_at",
        "updated_at",
    ]
    inlines = [VariantInline, ProductImageInline]
    actions = ["activate", "deactivate"]
    list_per_page = 50

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return selectors.with_card_data(queryset) if _is_changelist(request, Product) else queryset

    @admin.display(description="Image")
    def thumbnail(self, product):
        return _thumbnail(product.main_image)

    @admin.display(description="Stock")
    def stock(self, product):
        return product.stock_state.label

    @admin.display(description="Price from", ordering="min_price")
    def price_from(self, product):
        return money(product.min_price)

    @admin.display(description="Active", boolean=True, ordering="is_active")
    def active(self, product):
        return product.is_active

    @admin.display(description="Featured", boolean=True, ordering="is_featured")
    def featured(self, product):
        return product.is_featured

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for formset in formsets:
            if formset.model is ProductImage:
                replaced = [image for image, fields in formset.changed_objects if "image" in fields]
                for image in formset.new_objects + replaced:
                    services.generate_image_renditions(image=image)
        services.refresh_products(product_ids=[form.instance.pk])

    @admin.action(description="Activate the selected products", permissions=["change"])
    def activate(self, request, queryset):
        changed = services.set_products_active(
            product_ids=list(queryset.values_list("pk", flat=True)), is_active=True
        )
        log_bulk_change(request, queryset, "Activated: shown in the shop.")
        self.message_user(request, f"{changed} product(s) activated.", messages.SUCCESS)

    @admin.action(description="Deactivate the selected products", permissions=["change"])
    def deactivate(self, request, queryset):
        changed = services.set_products_active(
            product_ids=list(queryset.values_list("pk", flat=True)), is_active=False
        )
        log_bulk_change(request, queryset, "Deactivated: hidden from the shop.")
        self.message_user(request, f"{changed} product(s) deactivated.", messages.SUCCESS)


@admin.register(Variant)
class VariantAdmin(LogsMoneyAndStockChanges, admin.ModelAdmin):
    """Variants across products: the low-stock list and quick stock and price edits."""

    list_display = [
        "sku",
        "product",
        "options_label",
        "price",
        "compare_at_price",
        "sale_price",
        "stock",
    ]
    list_editable = ["price", "compare_at_price", "stock"]
    list_filter = [VariantStockFilter, "is_active"]
    list_select_related = ["product"]
    search_fields = ["sku", "product__name"]
    autocomplete_fields = ["product"]
    ordering = ["stock", "sku"]
    list_per_page = 100

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        products = [obj.product_id]
        if "product" in form.changed_data and form.initial.get("product"):
            products.append(form.initial["product"])
        services.refresh_products(product_ids=products)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.refresh_products(product_ids=[obj.product_id])

    def delete_queryset(self, request, queryset):
        products = list(queryset.values_list("product_id", flat=True).distinct())
        super().delete_queryset(request, queryset)
        services.refresh_products(product_ids=products)


@admin.register(Category)
class CategoryAdmin(InvalidatesCatalogOnDelete, admin.ModelAdmin):
    """Categories in tree order, indented by depth."""

    list_display = ["indented_name", "slug", "position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    list_per_page = 200

    def get_queryset(self, request):
        if not _is_changelist(request, Category):
            return super().get_queryset(request)
        walk = list(selectors.category_tree().walk())
        order = [When(pk=category.pk, then=Value(i)) for i, (category, _) in enumerate(walk)]
        depths = [When(pk=category.pk, then=Value(depth)) for category, depth in walk if depth]
        # Annotated before ModelAdmin's ordering by the annotation is applied.
        return Category.objects.annotate(
            tree_order=Case(*order, default=Value(len(walk)), output_field=IntegerField()),
            tree_depth=Case(*depths, default=Value(0), output_field=IntegerField()),
        ).order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        # Other admins order their category choices by this too, without the annotation.
        return ["tree_order", "name"] if _is_changelist(request, Category) else ["name"]

    @admin.display(description="Name", ordering="tree_order")
    def indented_name(self, category):
        return format_html("{}{}", "— " * getattr(category, "tree_depth", 0), category.name)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "name" in form.changed_data:  # category names are part of the search vectors
            services.refresh_products(product_ids=list(obj.products.values_list("pk", flat=True)))
        else:
            transaction.on_commit(services.invalidate_catalog_cache)
