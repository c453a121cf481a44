"""Refunds and returns: chosen units and the shipping back through the gateway, the stock
staff choose back on the shelf, a credit note referring to the invoice, the customer emailed;
never more than was paid."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.test import Client

from billing.models import CreditNote, Invoice
from catalog.models import Variant
from orders.emails import build_order_email
from orders.models import Order, OrderEmail
from orders.services import RefundNotPossible, ReturnedUnits, cancel_order, mark_order_shipped
from orders.services import refund_order as refund
from payments.models import Payment
from promotions.models import DiscountCode
from promotions.services import create_discount_code
from tests.billing.conftest import pay_for, pdf_text
from tests.factories import UserFactory
from tests.two_factor import log_in_with_second_factor

pytestmark = pytest.mark.django_db

D = Decimal


def lines_of(order):
    return {line.sku: line for line in order.lines.all()}


def refund_order(order, *units, shipping=False, key="form-1", **options):
    """Refund (sku, quantity, restock) triples of `order`."""
    lines = lines_of(order)
    return refund(
        order=order,
        returns=[
            ReturnedUnits(lines[sku].pk, quantity, restock) for sku, quantity, restock in units
        ],
        refund_shipping=shipping,
        idempotency_key=key,
        **options,
    )


def test_refunding_one_line_gives_back_its_price_and_vat_and_restocks_if_asked(
    two_rate_order, jacket, guide
):
    staff = UserFactory(is_staff=True)
    mark_order_shipped(order=two_rate_order)

    # when staff refund one returned guide (back in stock) and the jacket (damaged: not)
    note = refund_order(
        two_rate_order,
        ("BOOK-1", 1, True),
        ("JKT-M", 1, False),
        reason="Returned",
        created_by=staff,
    )

    # then the customer got €52.50 back through the gateway, documented by a credit note
    payment = Payment.objects.get(order=two_rate_order)
    [gateway_refund] = payment.refunds.all()
    assert (gateway_refund.amount, gateway_refund.created_by) == (D("52.50"), staff)
    assert payment.status == Payment.Status.PARTIALLY_REFUNDED
    assert note.invoice == Invoice.objects.get(order=two_rate_order)
    assert note.number.startswith("CN-") and note.refund_reference == gateway_refund.reference
    assert (note.created_by, note.reason) == (staff, "Returned")
    assert [(line.description, line.quantity, line.net, line.vat) for line in note.lines.all()] == [
        ("Field Guide", 1, D("11.68"), D("0.82")),
        ("Rain Jacket", 1, D("33.61"), D("6.39")),
    ]
    assert (note.net, note.vat, note.gross) == (D("45.29"), D("7.21"), D("52.50"))
    # and only the guide went back on the shelf
    assert Variant.objects.get(pk=guide.pk).stock == 9
    assert Variant.objects.get(pk=jacket.pk).stock == 9
    # and the order says so, in its history too
    order = Order.objects.get(pk=two_rate_order.pk)
    assert order.status == Order.Status.PARTIALLY_REFUNDED
    assert order.refunded_total == D("52.50")
    assert {sku: line.refunded_quantity for sku, line in lines_of(order).items()} == {
        "JKT-M": 1,
        "BOOK-1": 1,
    }
    last = order.status_changes.last()
    assert (last.from_status, last.to_status, last.changed_by) == (
        "shipped",
        "partially_refunded",
        staff,
    )
    assert last.note == f"Refunded €52.50 (credit note {note.number})"


def test_refunding_the_rest_and_the_shipping_makes_the_order_refunded(two_rate_order):
    first = refund_order(two_rate_order, ("BOOK-1", 1, True))
    second = refund_order(
        two_rate_order, ("BOOK-1", 1, True), ("JKT-M", 1, True), shipping=True, key="form-2"
    )

    order = Order.objects.get(pk=two_rate_order.pk)
    assert order.status == Order.Status.REFUNDED
    assert order.refunded_total == order.total
    assert Payment.objects.get(order=order).status == Payment.Status.REFUNDED
    # and the two credit notes take back exactly the invoice, rate by rate
    invoice = Invoice.objects.get(order=order)
    credited = {}
    for note in (first, second):
        for part in note.vat_by_rate:
            net, vat = credited.get(part.rate, (0, 0))
            credited[part.rate] = (net + part.net, vat + part.vat)
    assert credited == {part.rate: (part.net, part.vat) for part in invoice.vat_by_rate}
    assert list(order.status_changes.values_list("to_status", flat=True)) == [
        "pending_payment",
        "paid",
        "partially_refunded",
        "refunded",
    ]


def test_a_refund_never_exceeds_the_units_bought_or_the_shipping_paid(two_rate_order):
    refund_order(two_rate_order, ("BOOK-1", 2, False), shipping=True)

    with pytest.raises(RefundNotPossible, match="only 0 of 2 can still be refunded"):
        refund_order(two_rate_order, ("BOOK-1", 1, False), key="form-2")
    with pytest.raises(RefundNotPossible, match="shipping was not paid or has been refunded"):
        refund_order(two_rate_order, shipping=True, key="form-3")
    with pytest.raises(RefundNotPossible, match="Choose the units"):
        refund_order(two_rate_order, key="form-4")
    with pytest.raises(RefundNotPossible, match="only 1 of 1"):
        refund_order(two_rate_order, ("JKT-M", 2, False), key="form-5")
    assert Payment.objects.get(order=two_rate_order).refunds.count() == 1


def test_only_paid_orders_are_refunded(jacket):
    order = pay_for({jacket: 1})
    cancel_order(order=order)
    with pytest.raises(RefundNotPossible, match="is cancelled"):
        refund_order(order, ("JKT-M", 1, False), key="late")


def test_the_same_refund_form_sent_twice_refunds_once(two_rate_order, guide):
    first = refund_order(two_rate_order, ("BOOK-1", 1, True))
    again = refund_order(two_rate_order, ("BOOK-1", 1, True))

    assert again == first
    assert Payment.objects.get(order=two_rate_order).refunds.count() == 1
    assert Variant.objects.get(pk=guide.pk).stock == 9
    assert CreditNote.objects.count() == 1


def test_the_customer_is_emailed_each_refund_with_its_credit_note(two_rate_order):
    first = refund_order(two_rate_order, ("BOOK-1", 1, True))
    second = refund_order(two_rate_order, ("JKT-M", 1, True), key="form-2")

    emails = OrderEmail.objects.filter(order=two_rate_order, kind=OrderEmail.Kind.REFUND)
    assert [email.credit_note for email in emails.order_by("pk")] == [first, second]
    message = build_order_email(emails.get(credit_note=second))
    assert message.subject == f"Refund for order {two_rate_order.number}"
    assert "We have refunded €40.00" in message.body
    [credit_note_url] = re.findall(r"\(PDF\): (\S+)", message.body)
    path = f"/orders/{two_rate_order.number}/credit-notes/{second.number}/?key="
    assert credit_note_url.startswith(f"{settings.SITE_URL}{path}")
    # and the link opens the credit note, which refers to the invoice
    text = pdf_text(Client().get(credit_note_url).getvalue())
    invoice = Invoice.objects.get(order=two_rate_order)
    assert f"Credit note {second.number}" in text
    assert f"For invoice {invoice.number}" in text
    assert "Rain Jacket SKU JKT-M 1 €40.00 19% €33.61 €6.39 €40.00" in text
    assert "Total credited €40.00" in text


def test_a_full_refund_gives_the_discount_code_use_back(jacket):
    create_discount_code(code="ONCE", kind="percent", value=D("10"), max_uses=1)
    order = pay_for({jacket: 1}, discount_code="ONCE")
    assert DiscountCode.objects.get(code="ONCE").times_used == 1

    refund_order(order, ("JKT-M", 1, True))
    assert DiscountCode.objects.get(code="ONCE").times_used == 1  # shipping not refunded yet
    refund_order(order, shipping=True, key="form-2")

    assert Order.objects.get(pk=order.pk).status == Order.Status.REFUNDED
    assert DiscountCode.objects.get(code="ONCE").times_used == 0


def test_cancelling_a_paid_order_credits_it_in_full(jacket):
    order = pay_for({jacket: 1})

    cancel_order(order=order, note="Out of stock at the warehouse")

    [note] = CreditNote.objects.filter(order=order)
    invoice = Invoice.objects.get(order=order)
    assert (note.net, note.vat, note.gross) == (invoice.net, invoice.vat, invoice.gross)
    assert [line.description for line in note.lines.all()] == [
        "Rain Jacket",
        "Shipping (Standard)",
    ]
    assert note.reason == "Out of stock at the warehouse"
    assert note.refund_reference == Order.objects.get(pk=order.pk).refund_reference
    # the cancellation email says it; no separate refund email
    assert not OrderEmail.objects.filter(order=order, kind=OrderEmail.Kind.REFUND).exists()


def test_cancelling_a_partially_refunded_order_restocks_and_credits_what_is_left(
    two_rate_order, jacket, guide
):
    refund_order(two_rate_order, ("BOOK-1", 1, False))

    cancel_order(order=two_rate_order, note="Cancelled by staff")

    order = Order.objects.get(pk=two_rate_order.pk)
    assert order.status == Order.Status.CANCELLED
    assert order.refunded_total == order.total
    assert Payment.objects.get(order=order).refunded_amount == order.total
    # the guide refunded before stays off the shelf, the rest goes back
    assert Variant.objects.get(pk=guide.pk).stock == 9
    assert Variant.objects.get(pk=jacket.pk).stock == 10
    notes = CreditNote.objects.filter(order=order).order_by("pk")
    assert sum(note.gross for note in notes) == order.total
    assert [line.quantity for line in notes.last().lines.all()] == [1, 1, 1]


def test_a_partially_refunded_order_ships_the_rest_but_once_shipped_cannot_be_cancelled(
    two_rate_order,
):
    refund_order(two_rate_order, ("BOOK-1", 1, True))
    order = mark_order_shipped(order=two_rate_order)
    assert order.status == Order.Status.SHIPPED
    refund_order(order, ("BOOK-1", 1, True), key="form-2")

    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_REFUNDED
    assert not order.can_transition_to(Order.Status.CANCELLED)
    assert not order.can_transition_to(Order.Status.SHIPPED)


# The admin: the order's page, the refund form.


@pytest.fixture
def manager():
    user = UserFactory(email="manager@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name="Order managers"))
    client = Client()
    log_in_with_second_factor(client, user)
    client.user = user
    return client


def refund_page(order):
    return f"/admin/orders/order/{order.pk}/refund/"


def form_data(page, **values):
    form = page.context["form"]
    data = {name: field.initial for name, field in form.fields.items() if field.initial}
    data["key"] = form.initial["key"]
    data.update(values)
    return {name: value for name, value in data.items() if value not in (False, None)}


def test_staff_refund_chosen_units_from_the_order_page(manager, two_rate_order, guide, jacket):
    lines = lines_of(two_rate_order)
    change_page = manager.get(f"/admin/orders/order/{two_rate_order.pk}/change/").content.decode()
    assert "Refund or return items" in change_page
    assert f"Invoice {Invoice.objects.get(order=two_rate_order).number}" in change_page

    page = manager.get(refund_page(two_rate_order))
    html = page.content.decode()
    assert "Units of Field Guide to refund" in html and "2 of 2 can be refunded" in html
    assert "€79.90 is left to refund" in html
    data = form_data(
        page,
        **{
            f"quantity_{lines['BOOK-1'].pk}": "2",
            f"restock_{lines['JKT-M'].pk}": "",
            "refund_shipping": "on",
            "reason": "Parcel returned",
        },
    )
    response = manager.post(refund_page(two_rate_order), data)

    assert response.status_code == 302, response.context["form"].errors
    note = CreditNote.objects.get(order=two_rate_order)
    assert note.gross == D("39.90") and note.created_by == manager.user
    assert Variant.objects.get(pk=guide.pk).stock == 10
    messages = [str(m) for m in manager.get(response["Location"]).context["messages"]]
    assert f"Credit note {note.number} issued for €39.90." in messages
    # and the admin's log says who refunded what
    entry = LogEntry.objects.get(object_id=two_rate_order.pk)
    assert entry.user == manager.user
    assert f"Refund: Credit note {note.number} issued for €39.90." in entry.get_change_message()
    # the credit note is downloadable from the order's page
    pdf = manager.get(f"/admin/billing/creditnote/{note.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    # the same form sent again refunds nothing more
    manager.post(refund_page(two_rate_order), data)
    assert CreditNote.objects.filter(order=two_rate_order).count() == 1


def test_the_refund_form_refuses_nothing_chosen_and_too_many_units(manager, two_rate_order):
    lines = lines_of(two_rate_order)
    page = manager.get(refund_page(two_rate_order))
    nothing = manager.post(refund_page(two_rate_order), form_data(page))
    assert "Choose at least one unit or the shipping to refund." in nothing.content.decode()
    too_many = manager.post(
        refund_page(two_rate_order), form_data(page, **{f"quantity_{lines['JKT-M'].pk}": "2"})
    )
    assert "Ensure this value is less than or equal to 1." in too_many.content.decode()
    assert not CreditNote.objects.exists()


def test_staff_without_the_refund_permission_cannot_refund(two_rate_order):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(
        *Group.objects.get(name="Order managers").permissions.exclude(codename="refund_order")
    )
    client = Client()
    log_in_with_second_factor(client, viewer)
    assert client.get(refund_page(two_rate_order)).status_code == 403
    assert client.post(refund_page(two_rate_order), {"key": "x"}).status_code == 403


def test_invoices_and_credit_notes_are_listed_read_only_with_their_pdfs(manager, two_rate_order):
    refund_order(two_rate_order, ("BOOK-1", 1, True))
    invoice = Invoice.objects.get(order=two_rate_order)

    invoices = manager.get("/admin/billing/invoice/").content.decode()
    notes = manager.get("/admin/billing/creditnote/").content.decode()

    assert invoice.number in invoices and f"invoice-{invoice.number}.pdf" in invoices
    assert "CN-" in notes and invoice.number in notes
    assert manager.get(f"/admin/billing/invoice/{invoice.pk}/pdf/").status_code == 200
    change = manager.get(f"/admin/billing/invoice/{invoice.pk}/change/").content.decode()
    assert 'name="_save"' not in change
    assert manager.get("/admin/billing/invoice/add/").status_code == 403
