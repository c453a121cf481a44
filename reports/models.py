"""The sales report reads orders, through daily roll-ups of the days that are over.

`SalesReport` is a proxy that gives the report a place in the admin ("Reports > Sales") and a
permission of its own (`reports.view_salesreport`)."""

from django.db import models

from orders.models import Order


class SalesReport(Order):
    class Meta:
        proxy = True
        verbose_name = "sales report"
        verbose_name_plural = "sales"
        default_permissions = ("view",)


class DailySales(models.Model):
    """One finished day's figures, summed once by `reports.services.roll_up_sales` (beat) so
    that a year's report reads 365 rows instead of every order. Only days that are over are
    rolled up; the reports read the rest (today) from the orders."""

    day = models.DateField(primary_key=True)
    orders = models.PositiveIntegerField()
    gross = models.DecimalField(max_digits=14, decimal_places=2)
    refunds = models.DecimalField(max_digits=14, decimal_places=2)
    rolled_up_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "daily sales"

    def __str__(self):
        return f"Sales of {self.day}"


class DailyProductSales(models.Model):
    """One finished day's sales of one product (units and gross), for the best sellers."""

    day = models.DateField()
    # No database constraint: the figures outlive a deleted product, under its name.
    product = models.ForeignKey(
        "catalog.Product",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    product_name = models.CharField(max_length=200)
    units = models.PositiveIntegerField()
    gross = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        indexes = [models.Index(fields=["day", "product"])]

    def __str__(self):
        return f"{self.product_name} on {self.day}"
