"""Operator commands: cancel_unpaid_orders and export_orders."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from catalog.models import Variant
from orders.models import Order
from tests.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def stale_order(variant):
    order = OrderLineFactory(order__status=Order.Status.PENDING_PAYMENT, variant=variant).order
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=90))
    return order


def test_cancel_unpaid_orders_dry_run_changes_nothing(stale_order, variant):
    output = run("cancel_unpaid_orders", "--older-than", "60", "--dry-run")
    assert f"Would cancel order {stale_order.number}" in output
    assert "Would cancel 1 unpaid order." in output
    assert Order.objects.get(pk=stale_order.pk).status == Order.Status.PENDING_PAYMENT
    assert Variant.objects.get(pk=variant.pk).stock == 10


def test_cancel_unpaid_orders_cancels_and_restocks(stale_order, variant):
    output = run("cancel_unpaid_orders", "--older-than", "60")
    assert f"Cancelled order {stale_order.number}" in output
    assert Order.objects.get(pk=stale_order.pk).status == Order.Status.CANCELLED
    assert Variant.objects.get(pk=variant.pk).stock == 12
    assert "Cancelled 0 unpaid orders." in run("cancel_unpaid_orders", "--older-than", "60")


def test_cancel_unpaid_orders_leaves_younger_orders(stale_order):
    assert "Cancelled 0 unpaid orders." in run("cancel_unpaid_orders", "--older-than", "120")


def test_cancel_unpaid_orders_refuses_bad_minutes():
    with pytest.raises(CommandError, match="--older-than must be zero or more"):
        call_command("cancel_unpaid_orders", "--older-than", "-5")


@pytest.mark.parametrize("minutes", ["2000000000", "99999999999999"])
def test_cancel_unpaid_orders_refuses_minutes_before_the_calendar_starts(minutes):
    with pytest.raises(CommandError, match="--older-than is too large"):
        call_command("cancel_unpaid_orders", "--older-than", minutes)


def csv_rows(output):
    return list(csv.DictReader(io.StringIO(output)))


def test_export_orders_writes_csv_filtered_by_day_and_status():
    old = OrderFactory(status=Order.Status.PAID)
    recent_paid = OrderFactory(status=Order.Status.PAID)
    recent_cancelled = OrderFactory(status=Order.Status.CANCELLED)
    Order.objects.filter(pk=old.pk).update(
        created_at=timezone.make_aware(datetime(2024, 12, 31, 23, 59))
    )

    everything = csv_rows(run("export_orders"))
    assert {row["number"] for row in everything} == {
        old.number,
        recent_paid.number,
        recent_cancelled.number,
    }
    since = csv_rows(run("export_orders", "--since", "2025-01-01"))
    assert {row["number"] for row in since} == {recent_paid.number, recent_cancelled.number}
    paid = csv_rows(run("export_orders", "--since", "2025-01-01", "--status", "paid"))
    assert [row["number"] for row in paid] == [recent_paid.number]
    assert paid[0]["total"] == "24.90"


def test_export_orders_with_no_orders_prints_the_header_only():
    assert run("export_orders").splitlines() == [
        "number,created_at,status,email,customer,shipping_name,shipping_country,"
        "shipping_method,units,subtotal,shipping_cost,total,currency,payment_brand,"
        "payment_last4,tracking_number"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "31/01/2025"], "Invalid --since date '31/01/2025': use YYYY-MM-DD"),
        (["--since", "2025-02-30"], "Invalid --since date '2025-02-30'"),
        (["--status", "lost"], "Unknown --status 'lost': choose one of pending_payment, paid"),
    ],
)
def test_export_orders_explains_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command("export_orders", *args)
