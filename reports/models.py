"""The sales report has no table of its own: it reads orders. This proxy gives it a place in
the admin ("Reports > Sales") and a permission of its own (`reports.view_salesreport`)."""

from orders.models import Order


class SalesReport(Order):
    class Meta:
        proxy = True
        verbose_name = "sales report"
        verbose_name_plural = "sales"
        default_permissions = ("view",)
