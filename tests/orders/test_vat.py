"""VAT on the cart, the checkout, the order and its emails: the shelf price is what everybody
pays, and the VAT inside it follows the shipping country (one-stop-shop) and the tax class."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from catalog.models import TaxClass
from orders.emails import build_order_email
from orders.models import Order, OrderEmail, OrderLine
from tests.factories import AddressFactory, VariantFactory
from tests.orders.helpers import buy, checkout_data

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def book(db):
    return VariantFactory(
        product__name="Field Guide", product__tax_class=TaxClass.REDUCED, price="20.00", stock=10
    )


def french(**overrides):
    return checkout_data(shipping_country="FR", shipping_city="Paris", **overrides)


def test_the_total_is_the_shelf_price_wherever_it_goes_only_the_vat_inside_changes(
    client, add, variant
):
    # given two guests buying the same two beanies, one shipping to Germany, one to France
    add(variant, 2)
    client.post("/checkout/", checkout_data(shipping_country="DE"))
    add(variant, 2)
    client.post("/checkout/", french())

    german, french_order = Order.objects.order_by("pk")

    # then both pay 50.00 + 4.90, with German and French VAT in it
    assert german.total == french_order.total == D("54.90")
    assert (german.vat_country, french_order.vat_country) == ("DE", "FR")
    german_line, french_line = german.lines.get(), french_order.lines.get()
    assert (german_line.vat_rate, german_line.vat_amount, german_line.net_amount) == (
        D("19"),
        D("7.98"),
        D("42.02"),
    )
    assert (french_line.vat_rate, french_line.vat_amount, french_line.net_amount) == (
        D("20"),
        D("8.33"),
        D("41.67"),
    )
    assert (french_order.shipping_vat_rate, french_order.shipping_vat) == (D("20"), D("0.82"))


def test_outside_the_eu_the_shops_own_rates_apply(client, add, variant, settings):
    settings.SHOP_COUNTRY = "AT"
    add(variant, 2)

    client.post("/checkout/", checkout_data(shipping_country="US"))

    order = Order.objects.get()
    assert order.vat_country == "AT"
    assert order.lines.get().vat_rate == D("20")


def test_a_reduced_rate_product_and_shipping_at_the_highest_rate_of_the_order(
    client, add, variant, book
):
    add(variant, 1)
    add(book, 1)

    client.post("/checkout/", checkout_data(shipping_country="DE"))

    order = Order.objects.get()
    rates = {
        line.sku: (line.tax_class, line.vat_rate, line.vat_amount) for line in order.lines.all()
    }
    assert rates[book.sku] == (TaxClass.REDUCED, D("7"), D("1.31"))
    assert rates[variant.sku] == (TaxClass.STANDARD, D("19"), D("3.99"))
    assert order.shipping_vat_rate == D("19")
    # and the order's page shows the VAT per rate
    html = client.get(order.get_absolute_url()).text
    assert "Includes VAT 19%" in html and "€4.77" in html  # 3.99 + 0.78 on shipping
    assert "Includes VAT 7%" in html and "€1.31" in html


def test_checkout_page_shows_vat_for_the_posted_country_when_the_form_has_errors(
    client, add, variant
):
    add(variant, 2)

    first = client.get("/checkout/").text
    again = client.post("/checkout/", french(card_number="")).text

    assert "Includes VAT 19%" in first and "shown for delivery to Germany" in first
    assert '<a href="#id_card_number">Enter your card number</a>' in again  # error summary
    assert "Includes VAT 20%" in again and "shown for delivery to France" in again
    assert "€8.33" not in first and "€9.15" in again  # 8.33 + 0.82
    assert not Order.objects.exists()


def test_cart_shows_vat_for_the_customers_default_shipping_country(client, add, customer, variant):
    AddressFactory(user=customer, country="FR", is_default_shipping=True)
    client.force_login(customer)
    add(variant, 2)

    html = client.get("/cart/").text

    assert "Includes VAT 20%" in html
    assert "for delivery to France, your default shipping address" in html


def test_cart_of_a_visitor_shows_the_shops_country_and_says_so(client, add, variant):
    add(variant, 2)

    html = client.get("/cart/").text

    for label in ["Subtotal", "Shipping (Standard)", "Total", "Includes VAT 19%"]:
        assert label in html
    assert "Discount</dt>" not in html
    assert "Prices include VAT for delivery to Germany." in html


def test_cart_for_a_delivery_outside_the_eu_names_whose_rates_apply(client, add, customer, variant):
    AddressFactory(user=customer, country="GB", is_default_shipping=True)
    client.force_login(customer)
    add(variant, 1)

    html = client.get("/cart/").text

    assert "Prices include VAT at the rates of Germany for delivery to United Kingdom" in html


def test_confirmation_email_lists_the_vat_per_rate(variant):
    order = buy(variant, 1)  # to ADDRESS, in the United Kingdom: the shop's own (German) rates

    message = build_order_email(OrderEmail(order=order, kind=OrderEmail.Kind.CONFIRMATION))

    text = message.body
    html = message.alternatives[0].content
    assert "Subtotal: €25.00" in text and "Total: €29.90" in text
    assert "Includes VAT 19%: €4.77" in text  # 3.99 + 0.78
    assert "Discount" not in text
    assert "Includes VAT 19%" in html and "€4.77" in html


def test_the_database_refuses_figures_that_do_not_add_up(variant):
    order = buy(variant, 1)

    with pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.filter(order=order).update(vat_amount=F("vat_amount") + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(discount=D("1.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.filter(order=order).update(
            discount=F("line_total") + 1, net_amount=F("net_amount") - F("line_total") - 1
        )
