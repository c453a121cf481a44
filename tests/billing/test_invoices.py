"""Invoices: issued when an order is paid, numbered without gaps, rendered as PDF, downloaded
by whoever may see the order."""

import html
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.test import Client

from billing.models import Document, Invoice, NumberSeries
from billing.services import store_pdf
from billing.tasks import render_document_pdf
from orders.emails import build_order_email
from orders.models import Order, OrderEmail
from orders.selectors import order_link
from orders.services import cancel_order
from orders.services.payment import settle_payment
from payments.models import Payment
from tests.billing.conftest import pay_for, pdf_text
from tests.factories import OrderFactory, OrderLineFactory, UserFactory
from tests.two_factor import log_in_with_second_factor

pytestmark = pytest.mark.django_db

D = Decimal


def test_paying_an_order_issues_its_invoice_with_every_line_and_the_shipping(
    seller, two_rate_order
):
    invoice = Invoice.objects.get(order=two_rate_order)

    year = invoice.issued_at.year
    assert (invoice.number, invoice.order_number) == (f"{year}-000001", two_rate_order.number)
    assert (invoice.seller_name, invoice.seller_vat_id) == ("Northwind Goods GmbH", "DE123456789")
    assert invoice.seller_address == "Hafenstrasse 12\n20457 Hamburg\nGermany"
    assert invoice.buyer_name == "Ada Lovelace"
    assert invoice.buyer_address == "1 Analytical Street\nN1 7AA London\nUnited Kingdom"
    assert [
        (line.description, line.quantity, line.unit_price, line.vat_rate, line.net, line.vat)
        for line in invoice.lines.all()
    ] == [
        ("Rain Jacket", 1, D("40.00"), D("19.00"), D("33.61"), D("6.39")),
        ("Field Guide", 2, D("12.50"), D("7.00"), D("23.36"), D("1.64")),
        ("Shipping (Express)", 1, D("14.90"), D("19.00"), D("12.52"), D("2.38")),
    ]
    assert (invoice.net, invoice.vat, invoice.gross) == (D("69.49"), D("10.41"), D("79.90"))
    assert invoice.gross == two_rate_order.total
    assert [(part.rate, part.vat) for part in invoice.vat_by_rate] == [
        (part.rate, part.vat) for part in two_rate_order.totals.vat
    ]


def test_invoices_and_credit_notes_count_in_their_own_series_and_start_again_each_year(jacket):
    with time_machine.travel(datetime(2026, 12, 31, 23, 0, tzinfo=UTC), tick=False):
        first, second = pay_for({jacket: 1}), pay_for({jacket: 1})
        cancel_order(order=second, note="Changed their mind")
    with time_machine.travel(datetime(2027, 1, 1, 9, 0, tzinfo=UTC), tick=False):
        third = pay_for({jacket: 1})

    numbers = {
        order.number: list(Document.objects.filter(order=order).values_list("number", flat=True))
        for order in (first, second, third)
    }
    assert numbers[first.number] == ["2026-000001"]
    assert sorted(numbers[second.number]) == ["2026-000002", "CN-2026-000001"]
    assert numbers[third.number] == ["2027-000001"]


def test_a_payment_rolled_back_gives_its_invoice_number_back(jacket):
    # given an order waiting for its payment
    order = OrderFactory(status=Order.Status.PENDING_PAYMENT)
    OrderLineFactory(order=order, variant=jacket)
    payment = Payment.objects.create(
        order=order, order_number=order.number, gateway="test", amount=order.total, currency="EUR"
    )

    # when marking it paid fails after its invoice was numbered
    with pytest.raises(RuntimeError), transaction.atomic():
        settle_payment(
            order=Order.objects.select_for_update().get(pk=order.pk),
            payment=payment,
            reference="ch_1",
        )
        assert Invoice.objects.filter(order=order).exists()
        raise RuntimeError("the database went away")

    # then nothing was issued, and the next paid order gets the first number
    assert not Invoice.objects.exists()
    assert Invoice.objects.get(order=pay_for({jacket: 1})).sequence == 1
    assert NumberSeries.objects.get(series="invoice").last_number == 1


def test_the_pdf_holds_the_number_order_seller_buyer_lines_and_vat_totals(
    seller, two_rate_order, media_root
):
    invoice = Invoice.objects.get(order=two_rate_order)
    text = pdf_text(Client().get(order_link(two_rate_order, "invoice")).getvalue())

    assert f"Invoice {invoice.number}" in text
    assert f"Order number {two_rate_order.number}" in text
    assert "Northwind Goods GmbH" in text and "VAT ID: DE123456789" in text
    assert "Ada Lovelace" in text and "1 Analytical Street" in text
    assert "Rain Jacket SKU JKT-M 1 €40.00 19% €33.61 €6.39 €40.00" in text
    assert "Field Guide SKU BOOK-1 2 €12.50 7% €23.36 €1.64 €25.00" in text
    assert "Shipping (Express) 1 €14.90 19% €12.52 €2.38 €14.90" in text
    assert "VAT 19% €8.77" in text and "VAT 7% €1.64" in text
    assert "Total €79.90" in text


def test_the_owner_staff_the_signed_link_and_the_placing_session_download_it(
    client, two_rate_order, media_root
):
    path = f"/orders/{two_rate_order.number}/invoice/"
    owner = UserFactory()
    Order.objects.filter(pk=two_rate_order.pk).update(customer=owner)
    staff = UserFactory(is_staff=True, is_superuser=True)

    for user in (owner, staff):
        browser = Client()
        if user.is_staff:  # staff see others' orders after their second factor
            log_in_with_second_factor(browser, user)
        else:
            browser.force_login(user)
        response = browser.get(path)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private, no-store"
    assert Client().get(order_link(two_rate_order, "invoice")).status_code == 200
    session = client.session
    session["recent_orders"] = [two_rate_order.number]
    session.save()
    assert client.get(path).status_code == 200


def test_strangers_get_a_404_anonymous_visitors_the_login_page(two_rate_order):
    path = f"/orders/{two_rate_order.number}/invoice/"
    stranger = Client()
    stranger.force_login(UserFactory())

    assert stranger.get(path).status_code == 404
    assert stranger.get(f"{path}?key=forged").status_code == 404
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_unpaid_order_has_no_invoice():
    order = OrderFactory(status=Order.Status.PENDING_PAYMENT)
    response = Client().get(order_link(order, "invoice"))
    assert response.status_code == 404


def test_the_paid_order_page_and_the_confirmation_email_link_to_the_invoice(two_rate_order):
    # the guest's signed link to the order carries over to the invoice's link on its page
    page = Client().get(order_link(two_rate_order)).content.decode()
    [href] = re.findall(r'<a href="([^"]+)" download>Download invoice \(PDF\)</a>', page)
    assert href.startswith(f"/orders/{two_rate_order.number}/invoice/?key=")
    response = Client().get(html.unescape(href))
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")

    email = OrderEmail.objects.get(order=two_rate_order, kind=OrderEmail.Kind.CONFIRMATION)
    message = build_order_email(email)
    assert f"Download invoice (PDF): {order_link(two_rate_order, 'invoice')}" in message.body
    assert "Download invoice (PDF)</a>" in message.alternatives[0].content


def test_a_pending_order_page_offers_no_invoice():
    order = OrderFactory(status=Order.Status.PENDING_PAYMENT)
    page = Client().get(order_link(order)).content.decode()
    assert "Download invoice" not in page


def test_the_pdf_is_rendered_once_by_the_task_and_on_demand_if_missing(two_rate_order, media_root):
    invoice = Invoice.objects.get(order=two_rate_order)
    assert not invoice.pdf  # the broker is not asked to run it in these tests

    # a download renders and stores it
    first = Client().get(order_link(two_rate_order, "invoice")).getvalue()
    invoice.refresh_from_db()
    stored = invoice.pdf.name
    assert stored.startswith(f"billing/{invoice.year}/{invoice.number}-")
    assert first.startswith(b"%PDF")

    # the task, running late, and a second render keep that one file
    render_document_pdf(invoice.pk)
    assert store_pdf(invoice.pk) == stored
    invoice.refresh_from_db()
    assert invoice.pdf.name == stored
    assert [path.name for path in (media_root / "billing" / str(invoice.year)).iterdir()] == [
        stored.rsplit("/", 1)[1]
    ]
    assert Client().get(order_link(two_rate_order, "invoice")).getvalue() == first


def test_the_deploy_check_warns_while_the_seller_is_not_named(settings):
    from billing.checks import seller_is_named_on_invoices

    settings.SHOP_SELLER_ADDRESS = ""
    [warning] = seller_is_named_on_invoices(None)
    assert warning.id == "billing.W001" and "SHOP_SELLER_ADDRESS" in warning.msg
    settings.SHOP_SELLER_ADDRESS = "Hafenstrasse 12, 20457 Hamburg"
    settings.SHOP_SELLER_VAT_ID = "DE123456789"
    assert seller_is_named_on_invoices(None) == []
