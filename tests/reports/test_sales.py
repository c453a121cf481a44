"""The sales figures (admin page, CSV, `report_sales`) against SQL written independently, on
the demo orders."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from orders.demo import seed_demo_orders
from reports import charts
from reports.selectors import (
    DateRange,
    by_period,
    discount_usage,
    sales_report,
    summary,
    top_categories,
)
from reports.selectors import top_products as top_products_of
from reports.services import roll_up_sales
from tests.factories import CategoryFactory, OrderFactory, UserFactory, VariantFactory
from tests.two_factor import log_in_with_second_factor

PAGE = "/admin/reports/salesreport/"


@pytest.fixture(params=["orders only", "rolled up", "partly rolled up"])
def demo_sales(request, db):
    """A small catalog in two categories and 300 demo orders over 60 days (some refunded);
    the days summed up from the orders only, all rolled up, or rolled up with gaps."""
    tools, gifts = CategoryFactory(name="Tools"), CategoryFactory(name="Gifts")
    for n in range(12):
        VariantFactory(
            product__name=f"Thing {n}",
            product__categories=[tools] if n % 3 else [tools, gifts],
            price=Decimal("7.25") + n,
        )
    seed_demo_orders(orders=300, days=60)
    today = timezone.localdate()
    if request.param == "rolled up":
        roll_up_sales(period=DateRange(today - timedelta(days=61), today))
    elif request.param == "partly rolled up":
        roll_up_sales(period=DateRange(today - timedelta(days=30), today - timedelta(days=20)))
        roll_up_sales(period=DateRange(today - timedelta(days=10), today - timedelta(days=5)))
    return DateRange(today - timedelta(days=44), today - timedelta(days=3))


def sql(query, params):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def sql_bounds(period):
    return [period.start, period.end + timedelta(days=1)]


@pytest.mark.django_db
def test_summary_matches_sql(postgres, demo_sales):
    [(orders, gross)] = sql(
        "SELECT count(*), coalesce(sum(total), 0) FROM orders_order "
        "WHERE paid_at >= %s::date AND paid_at < %s::date",
        sql_bounds(demo_sales),
    )
    [(refunded,)] = sql(
        "SELECT coalesce(sum(amount), 0) FROM payments_refund WHERE status = 'succeeded' "
        "AND created_at >= %s::date AND created_at < %s::date",
        sql_bounds(demo_sales),
    )

    figures = summary(demo_sales)

    assert orders > 100 and refunded > 0
    assert (figures.orders, figures.gross, figures.refunds) == (orders, gross, refunded)
    assert figures.revenue == gross - refunded
    assert figures.average_order_value == (gross / orders).quantize(Decimal("0.01"))


@pytest.mark.django_db
def test_days_weeks_and_months_match_sql(postgres, demo_sales):
    per_day = {
        day: (count, total)
        for day, count, total in sql(
            "SELECT paid_at::date, count(*), sum(total) FROM orders_order "
            "WHERE paid_at >= %s::date AND paid_at < %s::date GROUP BY 1",
            sql_bounds(demo_sales),
        )
    }
    refunds_per_week = dict(
        sql(
            "SELECT date_trunc('week', created_at)::date, sum(amount) FROM payments_refund "
            "WHERE status = 'succeeded' AND created_at >= %s::date "
            "AND created_at < %s::date GROUP BY 1",
            sql_bounds(demo_sales),
        )
    )

    days = by_period(demo_sales, "day")
    weeks = by_period(demo_sales, "week")
    months = by_period(demo_sales, "month")

    assert len(days) == demo_sales.days
    for period in days:
        assert (period.figures.orders, period.figures.gross) == per_day.get(
            period.start, (0, Decimal("0.00"))
        )
    assert {p.start: p.figures.refunds for p in weeks if p.figures.refunds} == refunds_per_week
    assert all(p.start.weekday() == 0 for p in weeks)
    total = summary(demo_sales)
    for periods in (days, weeks, months):
        assert sum(p.figures.orders for p in periods) == total.orders
        assert sum(p.figures.revenue for p in periods) == total.revenue


@pytest.mark.django_db
def test_top_products_and_categories_match_sql(postgres, demo_sales):
    products = sql(
        "SELECT v.product_id, sum(l.quantity), sum(l.line_total) FROM orders_orderline l "
        "JOIN orders_order o ON o.id = l.order_id JOIN catalog_variant v ON v.id = l.variant_id "
        "WHERE o.paid_at >= %s::date AND o.paid_at < %s::date "
        "GROUP BY 1 ORDER BY 3 DESC LIMIT 10",
        sql_bounds(demo_sales),
    )
    categories = sql(
        "SELECT c.name, sum(l.quantity), sum(l.line_total) FROM orders_orderline l "
        "JOIN orders_order o ON o.id = l.order_id JOIN catalog_variant v ON v.id = l.variant_id "
        "JOIN catalog_product_categories pc ON pc.product_id = v.product_id "
        "JOIN catalog_category c ON c.id = pc.category_id "
        "WHERE o.paid_at >= %s::date AND o.paid_at < %s::date GROUP BY 1 ORDER BY 3 DESC",
        sql_bounds(demo_sales),
    )

    assert [
        (row["product_id"], row["units"], row["gross"]) for row in top_products_of(demo_sales)
    ] == products
    assert [(row["name"], row["units"], row["gross"]) for row in top_categories(demo_sales)] == (
        categories
    )


@pytest.mark.django_db
def test_the_report_takes_the_same_queries_whatever_the_number_of_orders(
    demo_sales, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        sales_report(demo_sales, "day")
    seed_demo_orders(orders=600, days=60)
    with django_assert_max_num_queries(10):
        sales_report(demo_sales, "day")


@pytest.fixture
def boss_client(client, db):
    log_in_with_second_factor(client, UserFactory(is_staff=True, is_superuser=True))
    return client


def query(period, **extra):
    return {"start": period.start.isoformat(), "end": period.end.isoformat(), **extra}


@pytest.mark.django_db
def test_the_sales_page_shows_the_figures_and_the_charts(boss_client, demo_sales):
    figures = summary(demo_sales)

    page = boss_client.get(PAGE, query(demo_sales, by="week"))

    assert page.status_code == 200
    html = page.text
    assert f"<dt>Orders</dt><dd>{figures.orders}</dd>" in html
    assert f"<dt>Revenue</dt><dd>€{figures.revenue:,.2f}</dd>" in html
    assert f"<dt>Average order value</dt><dd>€{figures.average_order_value:,.2f}</dd>" in html
    charts_html = re.findall(r"<svg viewBox.*?</svg>", html, flags=re.S)
    assert len(charts_html) == 2
    weeks = by_period(demo_sales, "week")
    assert all(chart.count("<rect ") == len(weeks) for chart in charts_html)
    assert 'role="img" aria-labelledby="revenue-chart-title"' in html
    assert "Thing " in html  # top products
    assert "Tools" in html  # top categories
    assert "No discount codes used in this period." in html


@pytest.mark.django_db
def test_the_csv_has_the_same_figures(boss_client, demo_sales):
    response = boss_client.get(PAGE, query(demo_sales, by="month", format="csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    months = by_period(demo_sales, "month")
    assert [row["period_start"] for row in rows] == [
        *(p.start.isoformat() for p in months),
        "total",
    ]
    total = summary(demo_sales)
    assert rows[-1]["orders"] == str(total.orders)
    assert Decimal(rows[-1]["revenue"]) == total.revenue


@pytest.mark.django_db
def test_a_backwards_range_is_a_form_error(boss_client):
    page = boss_client.get(PAGE, {"start": "2026-05-02", "end": "2026-05-01"})
    assert page.status_code == 200
    assert "The end must not be before the start." in page.text
    assert boss_client.get(PAGE, {"start": "nonsense", "end": "2026-05-01"}).status_code == 200


@pytest.mark.django_db
def test_staff_without_the_permission_cannot_see_sales(client):
    log_in_with_second_factor(client, UserFactory(is_staff=True))
    assert client.get(PAGE).status_code == 403


@pytest.mark.django_db
def test_report_sales_prints_the_figures_of_the_page(demo_sales, capsys):
    call_command(
        "report_sales", "--from", demo_sales.start.isoformat(), "--to", demo_sales.end.isoformat()
    )
    out = capsys.readouterr().out
    figures = summary(demo_sales)
    assert f"Sales from {demo_sales.start} to {demo_sales.end}" in out
    assert f"Orders: {figures.orders}\n" in out
    assert f"Revenue: €{figures.revenue:,.2f}\n" in out
    assert f"Average order value: €{figures.average_order_value:,.2f}\n" in out


@pytest.mark.django_db
def test_report_sales_refuses_bad_dates():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("report_sales", "--from", "01/05/2026", "--to", "2026-05-31")
    with pytest.raises(CommandError, match="must not be before"):
        call_command("report_sales", "--from", "2026-05-31", "--to", "2026-05-01")


def test_a_chart_hangs_negative_bars_below_the_zero_line():
    chart = charts.bar_chart([("Mon", Decimal("120")), ("Tue", Decimal("-30")), ("Wed", 0)])
    monday, tuesday, wednesday = chart.bars
    assert monday.y + monday.height == pytest.approx(chart.baseline)
    assert tuesday.y == pytest.approx(chart.baseline)
    assert wednesday.height == 0
    assert [tick.label for tick in chart.ticks] == ["-50", "0", "50", "100", "150"]


def test_nice_steps_are_round():
    assert charts.nice_step(1000) == 500
    assert charts.nice_step(7) == 2


@pytest.mark.django_db
def test_discount_usage_counts_the_codes_of_paid_orders(postgres):
    today = timezone.localdate()
    paid_at = timezone.now() - timedelta(days=1)
    for code, discount in [("WELCOME10", "2.00"), ("WELCOME10", "3.00"), ("FREESHIP", "4.90")]:
        OrderFactory(
            paid_at=paid_at,
            discount_code=code,
            discount=Decimal(discount),
            total=Decimal("24.90") - Decimal(discount),
        )
    OrderFactory(discount_code="WELCOME10", discount=Decimal("2.00"), total=Decimal("22.90"))
    period = DateRange(today - timedelta(days=7), today)

    expected = sql(
        "SELECT discount_code, count(*), sum(discount) FROM orders_order "
        "WHERE discount_code <> '' AND paid_at >= %s::date AND paid_at < %s::date "
        "GROUP BY 1 ORDER BY 2 DESC",
        sql_bounds(period),
    )

    assert [(row["code"], row["orders"], row["discount"]) for row in discount_usage(period)] == (
        expected
    )
    assert expected[0] == ("WELCOME10", 2, Decimal("5.00"))
