"""Staff write the content pages here; saves go through pages.services so footers follow."""

from django.contrib import admin
from django.utils.html import format_html

from pages import services
from pages.models import Page


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "link", "in_footer", "position", "is_published", "updated_at"]
    list_editable = ["position"]
    list_filter = ["is_published", "in_footer"]
    search_fields = ["title", "slug", "body"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "summary", "body", "in_footer", "position", "is_published"]

    @admin.display(description="Address")
    def link(self, page):
        return format_html('<a href="{0}">{0}</a>', page.get_absolute_url())

    def save_model(self, request, obj, form, change):
        services.save_page(page=obj)

    def delete_model(self, request, obj):
        services.delete_pages(page_ids=[obj.pk])

    def delete_queryset(self, request, queryset):
        services.delete_pages(page_ids=list(queryset.values_list("pk", flat=True)))
