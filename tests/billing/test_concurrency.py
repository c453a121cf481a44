"""Invoices numbered and refunds made at the same moment, in real threads on PostgreSQL."""

from decimal import Decimal

import pytest

from billing.models import Invoice
from orders.models import Order
from orders.services import RefundNotPossible, ReturnedUnits, refund_order
from payments.models import Payment
from tests.billing.conftest import pay_for
from tests.factories import VariantFactory
from tests.orders.concurrency import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_fifty_orders_paid_at_once_get_fifty_consecutive_invoice_numbers(postgres):
    variants = [VariantFactory(price="10.00", stock=5) for _ in range(50)]

    results = run_in_threads(50, lambda index: pay_for({variants[index]: 1}))

    assert all(isinstance(result, Order) for result in results), results
    invoices = list(Invoice.objects.order_by("sequence"))
    assert [invoice.sequence for invoice in invoices] == list(range(1, 51))
    year = invoices[0].year
    assert [invoice.number for invoice in invoices] == [f"{year}-{n:06d}" for n in range(1, 51)]
    assert {invoice.order_id for invoice in invoices} == {order.pk for order in results}


def test_refunds_racing_on_one_order_never_give_back_more_than_was_paid(postgres):
    # given an order of 5 units (€10.00 each), paid
    order = pay_for({VariantFactory(price="10.00", stock=10): 5})
    line = order.lines.get()

    # when 10 staff refund one unit each at the same moment, each with their own form
    def refund_one(index):
        return refund_order(
            order=order,
            returns=[ReturnedUnits(line.pk, 1)],
            idempotency_key=f"form-{index}",
        )

    results = run_in_threads(10, refund_one)

    # then exactly 5 refunds went through; the others were told nothing is left
    done = [result for result in results if not isinstance(result, Exception)]
    refused = [result for result in results if isinstance(result, Exception)]
    assert len(done) == 5
    assert all(isinstance(error, RefundNotPossible) for error in refused), refused
    payment = Payment.objects.get(order=order)
    assert payment.refunded_amount == Decimal("50.00")
    order.refresh_from_db()
    assert order.refunded_total == Decimal("50.00")
    assert order.lines.get().refunded_quantity == 5
    assert sorted(note.number for note in done) == sorted({note.number for note in done})
