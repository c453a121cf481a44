"""Rolling up the sales of finished days (`DailySales`, `DailyProductSales`), so that reports
over long ranges read one row per day instead of every order.

A day is rolled up once it is over (plus a margin for transactions that were still committing
at midnight). That is safe because the figures of a day only ever grow while it is the current
day: orders get `paid_at` and refunds `cancelled_at` when they happen. Anything that writes
older dates (the demo orders) rolls those days up again.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from orders.models import Order
from reports.models import DailyProductSales, DailySales
from reports.selectors import DateRange, lines_paid, live_days, sales_per

# Orders paid just before midnight may commit a little after it.
MIDNIGHT_MARGIN = timedelta(minutes=10)


def last_finished_day(now=None) -> date:
    now = timezone.localtime(now) - MIDNIGHT_MARGIN
    return now.date() - timedelta(days=1)


def roll_up_sales(*, period: DateRange | None = None) -> int:
    """Sum the given finished days (by default: every finished day since the last roll-up, or
    since the first order) into the roll-up tables, replacing what was there; returns the
    number of days written.

    One transaction. Concurrent runs are serialised by locking the days' rows (inserted
    first if missing), so the product rows of a day are never written twice. Safe to repeat.
    """
    period = period or _days_to_roll_up()
    if period is None:
        return 0
    period = DateRange(period.start, min(period.end, last_finished_day()))
    if period.start > period.end:
        return 0
    days = [period.start + timedelta(days=n) for n in range(period.days)]
    with transaction.atomic():
        DailySales.objects.bulk_create(
            [DailySales(day=day, orders=0, gross=0, refunds=0) for day in days],
            ignore_conflicts=True,
        )
        list(DailySales.objects.select_for_update().filter(day__in=days).order_by("day"))
        figures = live_days(period)
        for day in days:
            found = figures.get(day)
            DailySales.objects.filter(day=day).update(
                orders=found.orders if found else 0,
                gross=found.gross if found else 0,
                refunds=found.refunds if found else 0,
                rolled_up_at=timezone.now(),
            )
        DailyProductSales.objects.filter(day__in=days).delete()
        DailyProductSales.objects.bulk_create(
            [
                DailyProductSales(
                    day=row["day"],
                    product_id=row["variant__product_id"],
                    product_name=row["name"],
                    units=row["units"],
                    gross=row["gross"],
                )
                for row in sales_per(
                    lines_paid(period), "day", "variant__product_id", name="product_name"
                )
            ],
            batch_size=2000,
        )
    return len(days)


def _days_to_roll_up() -> DateRange | None:
    latest = DailySales.objects.order_by("-day").values_list("day", flat=True).first()
    if latest is not None:
        return DateRange(latest + timedelta(days=1), last_finished_day())
    first = Order.objects.filter(paid_at__isnull=False).order_by("paid_at").first()
    if first is None:
        return None
    return DateRange(timezone.localtime(first.paid_at).date(), last_finished_day())
