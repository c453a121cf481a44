"""Rolling up finished days: today is never rolled up, a repeat changes nothing, and the beat
task catches up on every day it missed."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from payments.models import Payment, Refund
from reports.models import DailyProductSales, DailySales
from reports.selectors import DateRange, summary
from reports.services import roll_up_sales
from reports.tasks import roll_up_sales as roll_up_task
from tests.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 6, 10, 12, 0, tzinfo=timezone.get_current_timezone())


def paid_order(at, total="30.00"):
    """A paid order of one line, its figures adding up (free shipping)."""
    amount = Decimal(total)
    order = OrderFactory(paid_at=at, subtotal=amount, shipping_cost=Decimal("0.00"), total=amount)
    OrderLineFactory(order=order, quantity=1, unit_price=amount, line_total=amount)
    return order


def test_the_task_rolls_up_finished_days_only_and_catches_up(settings):
    paid_order(NOON - timedelta(days=3))
    paid_order(NOON - timedelta(days=1))
    paid_order(NOON)

    with time_machine.travel(NOON, tick=False):
        assert roll_up_task() == 3
        assert roll_up_task() == 0

    assert sorted(DailySales.objects.values_list("day", flat=True)) == [
        (NOON - timedelta(days=n)).date() for n in (3, 2, 1)
    ]
    assert DailyProductSales.objects.count() == 2
    with time_machine.travel(NOON + timedelta(days=2), tick=False):
        assert roll_up_task() == 2  # the day of the first run and the next


def test_the_figures_are_the_same_before_and_after_the_roll_up():
    for days_ago in range(5):
        paid_order(NOON - timedelta(days=days_ago), total=f"{10 + days_ago}.00")
    refunded = paid_order(NOON - timedelta(days=2))
    payment = Payment.objects.create(
        order=refunded,
        order_number=refunded.number,
        gateway="test",
        amount="30.00",
        currency="EUR",
        status=Payment.Status.REFUNDED,
    )
    refund = Refund.objects.create(
        payment=payment, amount="30.00", currency="EUR", idempotency_key="re_1"
    )
    Refund.objects.filter(pk=refund.pk).update(created_at=NOON - timedelta(days=1))
    period = DateRange((NOON - timedelta(days=6)).date(), NOON.date())

    with time_machine.travel(NOON, tick=False):
        before = summary(period)
        roll_up_sales()
        roll_up_sales(period=DateRange((NOON - timedelta(days=4)).date(), NOON.date()))
        after = summary(period)

    assert before == after
    assert (after.orders, after.refunds) == (6, Decimal("30.00"))
