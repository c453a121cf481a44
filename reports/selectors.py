"""The sales figures, for the admin's sales page and `manage.py report_sales` alike.

Definitions (what the figures mean):
- Orders: orders paid in the range (by `paid_at`), whatever happened to them later.
- Gross sales: the totals of those orders (what customers paid: goods and shipping, VAT in).
- Refunds: money given back in the range (by the refund's date), whichever order it was for.
- Revenue: gross sales minus refunds.
- Average order value: gross sales / orders (refunds are not spread over orders, as in most
  shop reports).

A range is whole days in the shop's time zone, both ends included.

Speed on a large shop: days that are over are summed once into `DailySales` and
`DailyProductSales` (`reports.services.roll_up_sales`, run by beat), so a year's report reads
365 rows, not 100,000 orders. Days without a roll-up (today, or all of them before the first
run) are summed from the orders here, with the same definitions, on indexed columns
(`Order.paid_at`, `Refund.created_at`). Per week and per month are summed from the days.
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
from payments.models import Refund
from reports.models import DailyProductSales, DailySales

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

    The one place reports learn about refunds: the payments' refund records (full refunds of
    cancelled orders, partial refunds, refunds made in the Stripe dashboard) that succeeded.
    """
    start, end = period.bounds()
    return (
        Refund.objects.filter(created_at__gte=start, created_at__lt=end, status="succeeded")
        .annotate(refunded_at=F("created_at"))
        .values("refunded_at", "amount")
    )


def discount_usage(period: DateRange, *, limit=10) -> list[dict]:
    """Discount codes used by the orders paid in the range: [{code, orders, discount}], most
    used first (`discount` includes what the code took off shipping). Read from the orders,
    which keep the code and the amount they were given; an index on the paid orders that used
    a code keeps it small."""
    return list(
        paid_orders(period)
        .exclude(discount_code="")
        .values("discount_code")
        .annotate(code=F("discount_code"), orders=Count("pk"), discount=Sum("discount"))
        .order_by("-orders", "-discount", "code")[:limit]
    )


def live_days(period: DateRange) -> dict[date, Figures]:
    """The figures of each day of the range with any sale or refund, from the orders."""
    zone = timezone.get_current_timezone()
    sales = (
        paid_orders(period)
        .annotate(day=TruncDate("paid_at", tzinfo=zone))
        .values("day")
        .annotate(orders=Count("pk"), gross=Sum("total"))
        .order_by()
    )
    refunded = (
        refunds(period)
        .annotate(day=TruncDate("refunded_at", tzinfo=zone))
        .values("day")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    days = {row["day"]: Figures(row["orders"], row["gross"], ZERO) for row in sales}
    for row in refunded:
        day = days.get(row["day"], Figures(0, ZERO, ZERO))
        days[row["day"]] = Figures(day.orders, day.gross, row["total"])
    return days


def lines_paid(period: DateRange):
    """Order lines of the orders paid in the range, each with the `day` it was paid."""
    start, end = period.bounds()
    return OrderLine.objects.filter(order__paid_at__gte=start, order__paid_at__lt=end).annotate(
        day=TruncDate("order__paid_at", tzinfo=timezone.get_current_timezone())
    )


def sales_per(lines, *keys: str, name: str):
    """Units and gross sales of `lines` grouped by `keys`: rows of {*keys, name, units, gross}."""
    return (
        lines.values(*keys)
        .annotate(name=Max(name), units=Sum("quantity"), gross=Sum("line_total"))
        .order_by()
    )


def _rolled_up_days(period: DateRange) -> dict[date, Figures]:
    rows = DailySales.objects.filter(day__gte=period.start, day__lte=period.end)
    return {row.day: Figures(row.orders, row.gross, row.refunds) for row in rows}


def _not_rolled_up(period: DateRange, rolled_up) -> DateRange | None:
    """The span from the first to the last day of the range that has no roll-up, if any."""
    missing = [
        day
        for day in (period.start + timedelta(days=n) for n in range(period.days))
        if day not in rolled_up
    ]
    return DateRange(missing[0], missing[-1]) if missing else None


def daily(period: DateRange, rolled_up=None) -> dict[date, Figures]:
    """Every day of the range with sales or refunds: rolled-up days as summed, the others
    (today, usually) from the orders."""
    days = dict(_rolled_up_days(period) if rolled_up is None else rolled_up)
    span = _not_rolled_up(period, days)
    if span is not None:
        days.update((day, figures) for day, figures in live_days(span).items() if day not in days)
    return days


def _add(figures: list[Figures]) -> Figures:
    return Figures(
        sum(f.orders for f in figures),
        sum((f.gross for f in figures), ZERO),
        sum((f.refunds for f in figures), ZERO),
    )


def summary(period: DateRange) -> Figures:
    return _add(list(daily(period).values()))


def _in_periods(period: DateRange, days: dict[date, Figures], granularity: str) -> list[Period]:
    starts = sorted(
        {_period_start(period.start + timedelta(days=n), granularity) for n in range(period.days)}
    )
    buckets = {start: [] for start in starts}
    for day, figures in days.items():
        buckets[_period_start(day, granularity)].append(figures)
    return [Period(start, _add(buckets[start])) for start in starts]


def _period_start(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def by_period(period: DateRange, granularity: str) -> list[Period]:
    """The figures per day, week (from Monday) or month of the range, empty ones included."""
    return _in_periods(period, daily(period), granularity)


def _live_lines(period: DateRange, rolled_up):
    """Lines paid on the days of the range that have no roll-up."""
    span = _not_rolled_up(period, rolled_up)
    if span is None:
        return OrderLine.objects.none()
    return lines_paid(span).exclude(day__in=[day for day in rolled_up if day >= span.start])


def _merged(rows, key, limit):
    """Rows from the roll-up and from the orders summed per `key`, best `limit` first."""
    totals = {}
    for row in rows:
        found = totals.get(row[key])
        if found is None:
            totals[row[key]] = {**row}
        else:
            found["units"] += row["units"]
            found["gross"] += row["gross"]
    return sorted(totals.values(), key=lambda row: (-row["gross"], row["name"]))[:limit]


def top_products(period: DateRange, *, limit=10, rolled_up=None) -> list[dict]:
    """Best sellers by gross sales: [{product_id, name, units, gross}] (a deleted product
    keeps the name it was sold under).

    Exact with bounded reads: a product with no sale on a live day cannot overtake the
    roll-up's best `limit + live products` (each has at least its roll-up figure), so only
    those and the live products' own roll-up figures are read.
    """
    rolled_up = _rolled_up_days(period) if rolled_up is None else rolled_up
    live = [
        {**row, "product_id": row["variant__product_id"]}
        for row in sales_per(
            _live_lines(period, rolled_up), "variant__product_id", name="product_name"
        )
    ]
    rollups = (
        DailyProductSales.objects.filter(day__gte=period.start, day__lte=period.end)
        .values("product_id")
        .annotate(name=Max("product_name"), units=Sum("units"), gross=Sum("gross"))
        .order_by()
    )
    live_ids = [row["product_id"] for row in live if row["product_id"] is not None]
    candidates = [
        *rollups.order_by("-gross", "product_id")[: limit + len(live)],
        *rollups.filter(product_id__in=live_ids),
    ]
    unique = {row["product_id"]: row for row in candidates}
    rows = [
        {key: row[key] for key in ("product_id", "name", "units", "gross")}
        for row in [*unique.values(), *live]
    ]
    return _merged(rows, "product_id", limit)


def top_categories(period: DateRange, *, limit=10, rolled_up=None) -> list[dict]:
    """Categories by gross sales of their products: [{category_id, name, units, gross}]. A
    product in two categories counts in both; a deleted product in none."""
    rolled_up = _rolled_up_days(period) if rolled_up is None else rolled_up
    live = [
        {**row, "category_id": row["variant__product__categories__id"]}
        for row in sales_per(
            _live_lines(period, rolled_up).filter(variant__product__categories__isnull=False),
            "variant__product__categories__id",
            name="variant__product__categories__name",
        )
    ]
    rollups = (
        DailyProductSales.objects.filter(
            day__gte=period.start, day__lte=period.end, product__categories__isnull=False
        )
        .values("product__categories__id")
        .annotate(
            category_id=F("product__categories__id"),
            name=Max("product__categories__name"),
            units=Sum("units"),
            gross=Sum("gross"),
        )
        .order_by()
    )
    rows = [
        {key: row[key] for key in ("category_id", "name", "units", "gross")}
        for row in [*rollups, *live]
    ]
    return _merged(rows, "category_id", limit)


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
    """Everything the sales page shows, in at most ten queries whatever the number of orders
    (and of days: roll-ups are read per range, not per day)."""
    rolled_up = _rolled_up_days(period)
    days = daily(period, rolled_up)
    return SalesReport(
        period=period,
        granularity=granularity,
        summary=_add(list(days.values())),
        periods=_in_periods(period, days, granularity),
        top_products=top_products(period, rolled_up=rolled_up),
        top_categories=top_categories(period, rolled_up=rolled_up),
        discount_usage=discount_usage(period),
        low_stock=list(low_stock()),
    )
