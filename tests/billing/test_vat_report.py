"""`manage.py export_vat_report`: invoices and credit notes of a period, totals that reconcile."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from orders.models import Order
from orders.services import ReturnedUnits, cancel_order, refund_order
from tests.billing.conftest import pay_for

pytestmark = pytest.mark.django_db

D = Decimal


def export(*args):
    out = io.StringIO()
    call_command("export_vat_report", *args, stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_the_report_lists_invoices_and_negative_credit_notes_and_reconciles(jacket, guide):
    with time_machine.travel(datetime(2026, 3, 31, 12, tzinfo=UTC), tick=False):
        before = pay_for({jacket: 1})  # March: not in April's report
    with time_machine.travel(datetime(2026, 4, 2, 12, tzinfo=UTC), tick=False):
        kept = pay_for({jacket: 1, guide: 2}, method="express")
        returned = pay_for({guide: 1})
        cancelled = pay_for({jacket: 2})
        line = kept.lines.get(sku="BOOK-1")
        refund_order(order=kept, returns=[ReturnedUnits(line.pk, 1)], idempotency_key="k")
        cancel_order(order=cancelled)
    with time_machine.travel(datetime(2026, 4, 30, 23, 59, tzinfo=UTC), tick=False):
        refund_order(
            order=returned,
            returns=[ReturnedUnits(returned.lines.get().pk, 1, True)],
            refund_shipping=True,
            idempotency_key="k2",
        )

    rows = export("--from", "2026-04-01", "--to", "2026-04-30")

    *documents, total = rows
    assert [row["type"] for row in documents] == ["Invoice"] * 3 + ["Credit note"] * 3
    assert before.number not in {row["order"] for row in documents}
    invoices = {row["order"]: row["number"] for row in documents if row["type"] == "Invoice"}
    assert sorted(row["invoice"] for row in documents if row["type"] == "Credit note") == sorted(
        invoices[order.number] for order in (kept, returned, cancelled)
    )
    assert all(D(row["gross"]) < 0 for row in documents if row["type"] == "Credit note")
    # every column's total is the sum of its rows, and net + VAT = gross
    for column in ["net 19%", "VAT 19%", "net 7%", "VAT 7%", "net", "VAT", "gross"]:
        assert D(total[column]) == sum(D(row[column]) for row in documents)
    assert D(total["net"]) + D(total["VAT"]) == D(total["gross"])
    assert D(total["VAT 19%"]) + D(total["VAT 7%"]) == D(total["VAT"])
    # and the totals are what the orders kept: paid less refunded, VAT per rate likewise
    orders = Order.objects.filter(pk__in=[kept.pk, returned.pk, cancelled.pk])
    assert D(total["gross"]) == sum(order.total - order.refunded_total for order in orders)
    assert D(total["gross"]) == kept.total - D("12.50")
    assert D(total["VAT 7%"]) == D("0.82")  # the one guide kept: 12.50 x 7/107
    assert D(total["VAT 19%"]) == [p for p in kept.totals.vat if p.rate == 19][0].vat


@pytest.mark.parametrize(
    "args, message",
    [
        (["--from", "2026-02-30", "--to", "2026-03-01"], "--from must be a date as YYYY-MM-DD"),
        (["--from", "2026-03-01", "--to", "yesterday"], "--to must be a date as YYYY-MM-DD"),
        (["--from", "2026-03-02", "--to", "2026-03-01"], "--to must not be before --from"),
    ],
)
def test_bad_dates_are_refused_clearly(args, message):
    with pytest.raises(CommandError, match=message):
        export(*args)


def test_an_empty_period_has_only_its_totals_row():
    assert export("--from", "2020-01-01", "--to", "2020-01-31") == [
        {
            "type": "Total",
            "number": "",
            "date": "",
            "order": "",
            "invoice": "",
            "buyer": "",
            "VAT country": "",
            "currency": "",
            "net": "0.00",
            "VAT": "0.00",
            "gross": "0.00",
        }
    ]
