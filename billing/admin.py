"""Admin for VAT rates (staff keep them current when a country changes its rates) and for the
invoices and credit notes issued (read-only, with their PDFs)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from billing.models import CreditNote, DocumentLine, Invoice, TaxRate
from billing.views import pdf_response


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    list_display = ["country", "tax_class", "rate", "updated_at"]
    list_editable = ["rate"]
    list_filter = ["tax_class"]
    search_fields = ["country"]
    ordering = ["country", "tax_class"]
    list_per_page = 100


class DocumentLineInline(admin.TabularInline):
    model = DocumentLine
    fields = ["description", "sku", "quantity", "unit_price", "discount", "vat_rate", "net"]
    fields += ["vat", "gross"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class DocumentAdmin(admin.ModelAdmin):
    """Invoices and credit notes, read-only: issued documents never change. Each row links to
    its PDF (rendered now if the worker has not yet)."""

    list_display = ["number", "issued_at", "order_link", "buyer_name", "net", "vat", "gross"]
    list_display += ["pdf_link"]
    search_fields = ["number", "order_number", "buyer_name", "buyer_email"]
    date_hierarchy = "issued_at"
    inlines = [DocumentLineInline]
    exclude = ["pdf", "kind", "year", "sequence", "order"]
    list_select_related = ["invoice"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields if field.name not in self.exclude]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Order", ordering="order_number")
    def order_link(self, document):
        if document.order_id is None:
            return document.order_number
        url = reverse("admin:orders_order_change", args=[document.order_id])
        return format_html('<a href="{}">{}</a>', url, document.order_number)

    @admin.display(description="PDF")
    def pdf_link(self, document):
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_pdf", args=[document.pk])
        return format_html('<a href="{}">Download {}</a>', url, document.filename)

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_pdf"
        return [
            path("<int:pk>/pdf/", self.admin_site.admin_view(self.pdf_view), name=name),
            *super().get_urls(),
        ]

    def pdf_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        document = get_object_or_404(self.model, pk=pk)
        return pdf_response(document)


@admin.register(Invoice)
class InvoiceAdmin(DocumentAdmin):
    pass


@admin.register(CreditNote)
class CreditNoteAdmin(DocumentAdmin):
    list_display = [*DocumentAdmin.list_display[:3], "invoice", *DocumentAdmin.list_display[3:]]
    list_display += ["created_by"]
    list_select_related = ["invoice", "created_by"]
