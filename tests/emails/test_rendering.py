"""What each order email says: subject, both parts, lines, totals, address and the order link."""

from decimal import Decimal

import pytest

from orders.emails import build_order_email
from orders.models import OrderEmail
from orders.selectors import guest_key_opens
from tests.factories import OrderFactory, OrderLineFactory, UserFactory


def parts(message):
    html = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    assert len(html) == 1
    return message.body, html[0]


@pytest.fixture
def order():
    order = OrderFactory(
        email="ada@example.com",
        number="ABCD2345",
        shipping_line2="Flat 3",
        subtotal=Decimal("35.00"),
        shipping_cost=Decimal("4.90"),
        total=Decimal("39.90"),
    )
    OrderLineFactory(
        order=order,
        product_name="Salt & Pepper <Set>",
        options_label="Size: L",
        quantity=2,
        unit_price=Decimal("10.00"),
        line_total=Decimal("20.00"),
    )
    OrderLineFactory(
        order=order,
        product_name="Tea towel",
        quantity=1,
        unit_price=Decimal("15.00"),
        line_total=Decimal("15.00"),
    )
    return order


def email_for(order, kind):
    return build_order_email(OrderEmail.objects.create(order=order, kind=kind))


@pytest.mark.django_db
def test_confirmation_has_exact_subject_both_parts_lines_totals_and_address(order):
    message = email_for(order, OrderEmail.Kind.CONFIRMATION)
    text, html = parts(message)

    assert message.subject == "Order ABCD2345 confirmed"
    assert message.to == ["ada@example.com"]
    for body in (text, html):
        assert "ABCD2345" in body
        assert "Tea towel" in body
        assert "Size: L" in body
        assert "€20.00" in body
        assert "€35.00" in body
        assert "€4.90" in body
        assert "€39.90" in body
        assert "1 Analytical Street" in body
        assert "Flat 3" in body
        assert "United Kingdom" in body
    salt = order.lines.get(quantity=2)
    assert f"- 2 x Salt & Pepper <Set> (Size: L), SKU {salt.sku}: €20.00\n" in text
    assert "Subtotal: €35.00\nShipping (Standard): €4.90\nTotal: €39.90\n" in text


@pytest.mark.django_db
def test_amounts_are_in_the_currency_the_order_was_placed_in(order, settings):
    # given an order placed in US dollars, before the shop switched to euros
    order.currency = "USD"
    order.paid_at = order.created_at
    order.save()
    settings.SHOP_CURRENCY = "EUR"

    for kind in (OrderEmail.Kind.CONFIRMATION, OrderEmail.Kind.CANCELLED):
        text, html = parts(email_for(order, kind))
        for body in (text, html):
            assert "$20.00" in body
            assert "$39.90" in body
            assert "€" not in body
    assert "Your payment of $39.90 will be refunded" in text


@pytest.mark.django_db
def test_product_names_are_escaped_in_html_and_verbatim_in_text(order):
    text, html = parts(email_for(order, OrderEmail.Kind.CONFIRMATION))

    assert "Salt & Pepper <Set>" in text
    assert "Salt &amp; Pepper &lt;Set&gt;" in html
    assert "<Set>" not in html


@pytest.mark.django_db
def test_guest_confirmation_links_to_the_order_with_a_signed_key(order, settings):
    settings.SITE_URL = "https://shop.example.com"
    text, html = parts(email_for(order, OrderEmail.Kind.CONFIRMATION))

    link = next(word for word in text.split() if word.startswith("https://shop.example.com/"))
    path, _, key = link.partition("?key=")
    assert path == "https://shop.example.com/orders/ABCD2345/"
    assert guest_key_opens(key=key, number="ABCD2345")
    assert f'href="{path}?key={key}"' in html


@pytest.mark.django_db
def test_customer_confirmation_also_links_to_the_order(order):
    order.customer = UserFactory()
    order.save()
    text, _ = parts(email_for(order, OrderEmail.Kind.CONFIRMATION))

    assert "/orders/ABCD2345/" in text


@pytest.mark.django_db
def test_shipping_notice_names_the_tracking_number_when_given(order):
    order.tracking_number = "1Z999AA10123456784"
    order.save()
    message = email_for(order, OrderEmail.Kind.SHIPPED)
    text, html = parts(message)

    assert message.subject == "Order ABCD2345 has shipped"
    assert "Tracking number: 1Z999AA10123456784" in text
    assert "1Z999AA10123456784" in html


@pytest.mark.django_db
def test_shipping_notice_without_tracking_number_does_not_mention_one(order):
    text, html = parts(email_for(order, OrderEmail.Kind.SHIPPED))

    assert "Tracking number" not in text
    assert "Tracking number" not in html


@pytest.mark.django_db
def test_cancellation_notice_says_so_and_whether_money_comes_back(order):
    message = email_for(order, OrderEmail.Kind.CANCELLED)
    text, html = parts(message)

    assert message.subject == "Order ABCD2345 cancelled"
    assert "has been cancelled" in text
    assert "You have not been charged." in text
    assert "has been cancelled" in html


@pytest.mark.django_db
def test_all_order_emails_share_the_layout(order, settings):
    settings.SHOP_NAME = "Northwind Goods"
    for kind in OrderEmail.Kind.values:
        text, html = parts(build_order_email(OrderEmail(order=order, kind=kind)))
        assert text.startswith("Northwind Goods\n")
        assert "Questions? Just reply to this email." in text
        assert html.startswith("<!doctype html>")
        assert "Questions? Just reply to this email." in html
