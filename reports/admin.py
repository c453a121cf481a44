"""Reports > Sales in the admin: the figures for a date range, per day, week or month, with
charts drawn on the server, best sellers, refunds, discount usage, low stock, and a CSV
download of the same figures."""

import csv

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path

from catalog.templatetags.catalog_tags import money
from reports import charts
from reports.forms import SalesReportForm
from reports.models import SalesReport
from reports.selectors import sales_report

PERIOD_FORMATS = {"day": "%d %b", "week": "w/c %d %b", "month": "%b %Y"}


def whole_money(amount):
    """Round axis values without cents: "€150,000"."""
    return money(amount).removesuffix(".00")


def period_label(start, granularity):
    return start.strftime(PERIOD_FORMATS[granularity])


@admin.register(SalesReport)
class SalesReportAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_changelist"
        return [path("", self.admin_site.admin_view(self.changelist_view), name=name)]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = SalesReportForm.for_request(request.GET)
        report = sales_report(form.date_range, form.granularity) if form.is_valid() else None
        if report is not None and request.GET.get("format") == "csv":
            return self.csv_response(report)
        context = {
            **self.admin_site.each_context(request),
            "title": "Sales",
            "opts": self.opts,
            "form": form,
            "report": report,
        }
        if report is not None:
            rows = [(period_label(p.start, report.granularity), p) for p in report.periods]
            context["revenue_chart"] = charts.bar_chart(
                [(label, p.figures.revenue) for label, p in rows],
                format_value=money,
                format_tick=whole_money,
            )
            context["orders_chart"] = charts.bar_chart(
                [(label, p.figures.orders) for label, p in rows],
                format_value=lambda value: f"{int(value):,}",
            )
            context["rows"] = rows
            context["csv_query"] = request.GET.urlencode()
        return TemplateResponse(request, "reports/sales_report.html", context)

    def csv_response(self, report):
        period = report.period
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"sales-{period.start:%Y%m%d}-{period.end:%Y%m%d}-{report.granularity}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        writer = csv.writer(response)
        header = ["period_start", "orders", "gross_sales", "refunds", "revenue"]
        writer.writerow([*header, "average_order_value"])
        for row in [
            *((p.start.isoformat(), p.figures) for p in report.periods),
            ("total", report.summary),
        ]:
            label, figures = row
            writer.writerow(
                [
                    label,
                    figures.orders,
                    figures.gross,
                    figures.refunds,
                    figures.revenue,
                    figures.average_order_value,
                ]
            )
        return response
