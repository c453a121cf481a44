"""The sales figures, for the admin's sales page and `manage.py report_sales` alike.

Definitions (what the figures mean):
- Orders: orders paid in the range (by `paid_at`), whatever happened to them later.
- Gross sales: the totals of those orders (what customers paid: goods and shipping, VAT in).
- Refunds: money given back in the range (by the refund's date), whichever order it was for.
- Revenue: gross sales minus refunds.
- Average order value: gross sales / orders (refunds are not spread over orders, as in most
  shop reports).

A range is whole days in the shop's time zone, both ends included. Every figure is a handful
of aggregate queries on indexed columns (`Order.paid_at`, `Order.cancelled_at`), whatever the
number of orders; per week and per month are summed from the days in Python.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Max, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from catalog.models import Variant
from orders.models import Order, OrderLine
from orders.pricing import round_money

ZERO = Decimal("0.00")
GRANULARITIES = ("day", "week", "month")


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date  # included

    def bounds(self):
        """Aware datetimes [start, end + 1 day) in the shop's time zone."""
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone),
        )

    @property
    def days(self):
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Figures:
    orders: int
    gross: Decimal
    refunds: Decimal

    @property
    def revenue(self):
        return self.gross - self.refunds

    @property
    def average_order_value(self):
        return round_money(self.gross / self.orders) if self.orders else ZERO


@dataclass(frozen=True)
class Period:
    start: date
    figures: Figures


def paid_orders(period: DateRange):
    start, end = period.bounds()
    return Order.objects.filter(paid_at__gte=start, paid_at__lt=end)


def refunds(period: DateRange):
    """Every refund made in the range as rows of (`refunded_at`, `amount`).

    The one place reports learn about refunds. Today a refund is the full refund of a paid
    order when it is cancelled (`Order.refund_reference`, on `cancelled_at`); when refunds get
    records of their own (partial refunds, with amounts), point this at them.
    """
    start, end = period.bounds()
    return (
        Order.objects.filter(cancelled_at__gte=start, cancelled_at__lt=end, paid_at__isnull=False)
        .exclude(refund_reference="")
        .annotate(refunded_at=F("cancelled_at"), amount=F("total"))
        .values("refunded_at", "amount")
    )


def discount_usage(period: DateRange) -> list[dict]:
    """Discount codes used by orders paid in the range: [{code, orders, discount}], most used
    first. The shop has no discount codes yet; when the promotions app lands, read its
    redemptions here."""
    return []


def summary(period: DateRange) -> Figures:
    totals = paid_orders(period).aggregate(orders=Count("pk"), gross=Sum("total"))
    refunded = refunds(period).aggregate(total=Sum("amount"))["total"]
    return Figures(orders=totals["orders"], gross=totals["gross"] or ZERO, refunds=refunded or ZERO)


def _period_start(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def by_period(period: DateRange, granularity: str) -> list[Period]:
    """The figures per day, week (from Monday) or month of the range, empty ones included."""
    zone = timezone.get_current_timezone()
    daily = (
        paid_orders(period)
        .annotate(day=TruncDate("paid_at", tzinfo=zone))
        .values("day")
        .annotate(orders=Count("pk"), gross=Sum("total"))
        .order_by()
    )
    daily_refunds = (
        refunds(period)
        .annotate(day=TruncDate("refunded_at", tzinfo=zone))
        .values("day")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    starts = sorted(
        {_period_start(period.start + timedelta(days=n), granularity) for n in range(period.days)}
    )
    sums = {start: [0, ZERO, ZERO] for start in starts}
    for row in daily:
        bucket = sums[_period_start(row["day"], granularity)]
        bucket[0] += row["orders"]
        bucket[1] += row["gross"]
    for row in daily_refunds:
        sums[_period_start(row["day"], granularity)][2] += row["total"]
    return [Period(start, Figures(*sums[start])) for start in starts]


def top_products(period: DateRange, *, limit=10) -> list[dict]:
    """Best sellers by gross sales: [{name, units, gross}] (a deleted product keeps the name
    it was sold under)."""
    start, end = period.bounds()
    return list(
        OrderLine.objects.filter(order__paid_at__gte=start, order__paid_at__lt=end)
        .values("variant__product_id")
        .annotate(name=Max("product_name"), units=Sum("quantity"), gross=Sum("line_total"))
        .order_by("-gross", "name")[:limit]
    )


def top_categories(period: DateRange, *, limit=10) -> list[dict]:
    """Categories by gross sales of their products: [{name, units, gross}]. A product in two
    categories counts in both."""
    start, end = period.bounds()
    return list(
        OrderLine.objects.filter(
            order__paid_at__gte=start,
            order__paid_at__lt=end,
            variant__product__categories__isnull=False,
        )
        .values("variant__product__categories__id")
        .annotate(
            name=Max("variant__product__categories__name"),
            units=Sum("quantity"),
            gross=Sum("line_total"),
        )
        .order_by("-gross", "name")[:limit]
    )


def low_stock(*, limit=20):
    """Variants on sale with stock at or below the low-stock threshold, emptiest first."""
    return (
        Variant.objects.filter(
            is_active=True,
            product__is_active=True,
            stock__lte=settings.SHOP_LOW_STOCK_THRESHOLD,
        )
        .select_related("product")
        .order_by("stock", "sku")[:limit]
    )


@dataclass(frozen=True)
class SalesReport:
    period: DateRange
    granularity: str
    summary: Figures
    periods: list[Period]
    top_products: list[dict]
    top_categories: list[dict]
    discount_usage: list[dict]
    low_stock: list


def sales_report(period: DateRange, granularity: str) -> SalesReport:
    """Everything the sales page shows, in eight queries whatever the number of orders."""
    return SalesReport(
        period=period,
        granularity=granularity,
        summary=summary(period),
        periods=by_period(period, granularity),
        top_products=top_products(period),
        top_categories=top_categories(period),
        discount_usage=discount_usage(period),
        low_stock=list(low_stock()),
    )
