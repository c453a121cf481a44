"""Time the sales report on a large shop: seed demo orders (once), then run the report's
queries for a month, a quarter and a year, and print the median time of each.

    DATABASE_URL=postgres://... python -m tests.perf.sales_report_timing [--orders 100000]

Uses the database of DATABASE_URL (seed it with `manage.py seed_demo` first); not part of
`make test`. The figures in the README come from this script.
"""

import argparse
import os
import statistics
import time
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from orders.demo import demo_order_count  # noqa: E402
from reports.models import DailyProductSales, DailySales  # noqa: E402
from reports.selectors import DateRange, sales_report  # noqa: E402
from reports.services import roll_up_sales  # noqa: E402

RANGES = [
    ("last 30 days, per day", 30, "day"),
    ("last 90 days, per week", 90, "week"),
    ("last 365 days, per month", 365, "month"),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--without-roll-up", action="store_true", help="empty the roll-up: orders only"
    )
    options = parser.parse_args()
    started = time.monotonic()
    missing = options.orders - demo_order_count()
    call_command("seed_demo_orders", orders=options.orders, days=365)
    if missing > 0:
        print(f"seeded {missing} demo orders in {time.monotonic() - started:.0f}s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE orders_order; ANALYZE orders_orderline")
    if options.without_roll_up:
        DailySales.objects.all().delete()
        DailyProductSales.objects.all().delete()
    else:
        roll_up_sales(
            period=DateRange(timezone.localdate() - timedelta(days=400), timezone.localdate())
        )
    print(f"{demo_order_count()} demo orders")
    today = timezone.localdate()
    for label, days, granularity in RANGES:
        period = DateRange(today - timedelta(days=days - 1), today)
        timings = []
        for _ in range(options.runs):
            began = time.perf_counter()
            report = sales_report(period, granularity)
            timings.append((time.perf_counter() - began) * 1000)
        print(
            f"{label}: {report.summary.orders} orders, median {statistics.median(timings):.0f} ms "
            f"(min {min(timings):.0f}, max {max(timings):.0f})"
        )


if __name__ == "__main__":
    main()
