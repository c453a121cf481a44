"""Checkout through the test client: guest and signed-in, card errors, declines, stock that
runs out, double submits, shipping and totals."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Address
from catalog.models import Variant
from orders.models import CartLine, Order, OrderEmail
from tests.factories import AddressFactory, VariantFactory
from tests.orders.helpers import DECLINED_CARD, checkout_data

pytestmark = pytest.mark.django_db


def test_guest_checks_out_and_lands_on_the_thank_you_page(client, add, variant):
    # given a guest with two beanies in the cart
    add(variant, 2)

    # when they place the order
    response = client.post("/checkout/", checkout_data(email="ada@example.com"))

    # then one paid order holds exactly the cart, copied from the catalog
    order = Order.objects.get()
    assert response.status_code == 302
    assert response.url == f"/orders/{order.number}/"
    assert order.status == Order.Status.PAID
    assert order.customer is None
    assert order.email == "ada@example.com"
    line = order.lines.get()
    assert (line.product_name, line.sku, line.unit_price, line.quantity, line.line_total) == (
        "Merino Beanie",
        variant.sku,
        Decimal("25.00"),
        2,
        Decimal("50.00"),
    )
    assert (order.subtotal, order.shipping_cost, order.total) == (
        Decimal("50.00"),
        Decimal("4.90"),
        Decimal("54.90"),
    )
    assert (order.payment_brand, order.payment_last4) == ("Visa", "4242")
    assert order.payment_reference
    assert order.billing_full_name == order.shipping_full_name == "Ada Lovelace"
    assert list(order.status_changes.values_list("from_status", "to_status")) == [
        ("", "pending_payment"),
        ("pending_payment", "paid"),
    ]
    assert OrderEmail.objects.filter(order=order, kind=OrderEmail.Kind.CONFIRMATION).count() == 1
    variant.refresh_from_db()
    assert variant.stock == 8

    # and the page thanks them once, the cart is empty
    html = client.get(response.url).content.decode()
    assert "<h1>Thank you for your order!</h1>" in html
    assert f"Order {order.number}" in html
    assert client.session.get("cart", {}) == {}
    again = client.get(response.url).content.decode()
    assert f"<h1>Order {order.number}</h1>" in again
    assert "Thank you" not in again


def test_checkout_page_shows_the_contract_fields_and_the_summary(client, add, variant):
    add(variant, 2)
    html = client.get("/checkout/").content.decode()
    for label in [
        "Email",
        "Full name",
        "Address line 1",
        "City",
        "Postal code",
        "Country",
        "Billing address same as shipping",
        "Card number",
        "Expiry (MM/YY)",
        "CVC",
    ]:
        assert f">{label}</label>" in html, label
    # Optional fields say so, outside their accessible name (the label stays "Phone").
    for label in ["Address line 2", "Phone"]:
        assert f'>{label} <span class="optional" aria-hidden="true">(optional)</span></label>' in (
            html
        ), label
    assert "<legend>Shipping address</legend>" in html
    assert "<legend>Billing address</legend>" in html
    assert "<legend>Shipping method</legend>" in html
    assert "data-billing-fields" in html
    assert 'name="billing_same" data-billing-toggle="" id="id_billing_same" checked' in html
    assert '<option value="DE">Germany</option>' in html
    assert 'id="id_shipping_full_name"' in html
    assert 'id="id_billing_full_name"' in html
    assert ">Place order</button>" in html
    assert "2 × Merino Beanie" in html
    assert "€50.00" in html  # line total and subtotal
    assert "€54.90" in html  # with standard shipping
    assert "Standard: €4.90, free from €75.00 (3–5 days)" in html
    assert "Express: €14.90 (next working day)" in html


def test_checkout_with_an_empty_cart_goes_back_to_the_cart(client):
    response = client.get("/checkout/")
    assert response.status_code == 302
    assert response.url == "/cart/"
    response = client.post("/checkout/", checkout_data())
    assert response.url == "/cart/"
    assert not Order.objects.exists()


def test_guest_must_give_an_email(client, add, variant):
    add(variant)
    response = client.post("/checkout/", checkout_data(email=""))
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Enter your email address"]
    assert not Order.objects.exists()


def test_a_guest_email_longer_than_an_order_can_keep_is_a_field_error(client, add, variant):
    # a valid address of 260 characters: forms allow 320, the order's column 254
    long_email = "a" * 64 + "@" + ("b" * 63 + ".") * 3 + "com"
    add(variant)
    response = client.post("/checkout/", checkout_data(email=long_email))
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "Ensure this value has at most 254 characters (it has 260)."
    ]
    assert not Order.objects.exists()


def test_signed_in_checkout_prefills_the_default_address_and_uses_the_account(
    client, add, variant, customer
):
    # given a customer with a default shipping address and a different default billing one
    AddressFactory(
        user=customer,
        full_name="Grace Hopper",
        city="Arlington",
        country="US",
        is_default_shipping=True,
    )
    AddressFactory(
        user=customer,
        full_name="Navy Accounts",
        city="Washington",
        country="US",
        is_default_billing=True,
    )
    client.force_login(customer)
    add(variant)

    # when they open checkout
    response = client.get("/checkout/")
    html = response.content.decode()

    # then the addresses are filled in and no email is asked for
    assert 'name="shipping_full_name" value="Grace Hopper"' in html
    assert 'name="billing_full_name" value="Navy Accounts"' in html
    assert 'name="billing_same" data-billing-toggle="" id="id_billing_same">' in html
    assert 'name="email"' not in html
    assert '<option value="US" selected>United States of America</option>' in html

    # and placing it links the order to the account
    data = checkout_data(
        email=None,
        billing_same=None,
        billing_full_name="Navy Accounts",
        billing_line1="1 Navy Way",
        billing_city="Washington",
        billing_postal_code="20001",
        billing_country="US",
    )
    response = client.post("/checkout/", data)
    order = Order.objects.get()
    assert response.url == order.get_absolute_url()
    assert order.customer == customer
    assert order.email == "grace@example.com"
    assert order.billing_full_name == "Navy Accounts"
    assert order.billing_country == "US"
    assert not CartLine.objects.filter(cart__user=customer).exists()


def test_signed_in_customer_can_save_the_address(client, add, variant, customer):
    client.force_login(customer)
    add(variant)
    assert 'name="save_address" id="id_save_address" checked' in (
        client.get("/checkout/").content.decode()
    )

    client.post("/checkout/", checkout_data(email=None, save_address="on"))

    address = Address.objects.get(user=customer)
    assert (address.full_name, address.line1, address.city, address.country) == (
        "Ada Lovelace",
        "1 Analytical Street",
        "London",
        "GB",
    )
    assert address.is_default_shipping and address.is_default_billing
    # the next checkout prefills it and does not save it twice
    add(variant)
    assert 'value="1 Analytical Street"' in client.get("/checkout/").content.decode()
    client.post("/checkout/", checkout_data(email=None, save_address="on"))
    assert Address.objects.filter(user=customer).count() == 1


def test_without_the_save_option_no_address_is_kept(client, add, variant, customer):
    client.force_login(customer)
    add(variant)
    client.post("/checkout/", checkout_data(email=None))
    assert Order.objects.count() == 1
    assert not Address.objects.exists()


def test_unchecked_billing_same_requires_the_billing_address(client, add, variant):
    add(variant)
    response = client.post("/checkout/", checkout_data(billing_same=None))
    errors = response.context["form"].errors
    assert errors["billing_full_name"] == ["Enter the full name for the billing address"]
    assert errors["billing_country"] == ["Choose the country of the billing address"]
    assert "billing_line2" not in errors
    assert not Order.objects.exists()


def test_missing_shipping_fields_and_unknown_country_are_field_errors(client, add, variant):
    add(variant)
    response = client.post(
        "/checkout/", checkout_data(shipping_city="", shipping_country="XX", shipping_method="")
    )
    errors = response.context["form"].errors
    assert errors["shipping_city"] == ["Enter your town or city"]
    assert errors["shipping_country"][0].startswith("Select a valid choice.")
    assert errors["shipping_method"] == ["Choose a shipping method"]


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("card_number", "4242 4242 4242 4241", "Enter a valid card number."),
        ("card_number", "1234", "Enter a valid card number."),
        ("card_number", "4242-abcd", "Enter a valid card number."),
        ("card_number", "4242 4242 4242 4\u00b242", "Enter a valid card number."),
        ("card_number", "\uff14\uff12\uff14\uff12" * 4, "Enter a valid card number."),
        ("card_expiry", "01/20", "This card has expired."),
        ("card_expiry", "13/30", "Enter the expiry date as MM/YY, e.g. 04/29."),
        ("card_expiry", "soon", "Enter the expiry date as MM/YY, e.g. 04/29."),
        ("card_expiry", "12/\u0669\u0669", "Enter the expiry date as MM/YY, e.g. 04/29."),
        ("card_cvc", "12", "Enter the 3-digit code from the back of the card."),
        ("card_cvc", "12a", "Enter the 3-digit code from the back of the card."),
        ("card_cvc", "\u0661\u0662\u0663", "Enter the 3-digit code from the back of the card."),
    ],
)
def test_card_errors_are_shown_on_their_field(client, add, variant, field, value, error):
    add(variant)
    response = client.post("/checkout/", checkout_data(**{field: value}))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {field: [error]}
    assert error in response.content.decode()
    assert not Order.objects.exists()


def test_a_card_expiring_this_month_is_accepted(client, add, variant):
    add(variant)
    today = timezone.localdate()
    client.post("/checkout/", checkout_data(card_expiry=f"{today:%m/%y}"))
    assert Order.objects.filter(status=Order.Status.PAID).count() == 1


def test_card_number_and_cvc_are_not_echoed_back(client, add, variant):
    add(variant)
    html = client.post("/checkout/", checkout_data(card_cvc="1")).content.decode()
    assert "4242 4242 4242 4242" not in html.replace("use card 4242 4242 4242 4242", "")
    assert 'value="1"' not in html


def test_declined_card_sells_nothing_and_keeps_the_cart(client, add, variant):
    # given a guest with two beanies
    add(variant, 2)

    # when the card is declined
    response = client.post("/checkout/", checkout_data(card_number=DECLINED_CARD))

    # then the page says so, no order is left behind, the stock and the cart are intact
    assert response.status_code == 200
    assert "Your card was declined." in response.content.decode()
    assert not Order.objects.exists()
    variant.refresh_from_db()
    assert variant.stock == 10
    assert client.session["cart"] == {str(variant.pk): 2}

    # and the same page can be resubmitted with a good card
    token = response.context["form"]["checkout_token"].value()
    response = client.post("/checkout/", checkout_data(checkout_token=token))
    assert Order.objects.get().status == Order.Status.PAID


@pytest.mark.parametrize(
    ("stock", "message"),
    [(0, "Sorry, Merino Beanie is sold out."), (1, "Only 1 left of Merino Beanie.")],
)
def test_stock_running_out_between_cart_and_checkout_places_no_order(
    client, add, variant, stock, message
):
    add(variant, 2)
    Variant.objects.filter(pk=variant.pk).update(stock=stock)

    response = client.post("/checkout/", checkout_data())

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Order.objects.exists()
    variant.refresh_from_db()
    assert variant.stock == stock


def test_a_variant_withdrawn_before_checkout_places_no_order(client, add, variant):
    add(variant)
    Variant.objects.filter(pk=variant.pk).update(is_active=False)
    response = client.post("/checkout/", checkout_data())
    assert "Sorry, Merino Beanie is no longer available." in response.content.decode()
    assert not Order.objects.exists()


def test_double_submit_places_one_order_and_shows_it(client, add, variant):
    add(variant, 2)
    data = checkout_data()

    first = client.post("/checkout/", data)
    second = client.post("/checkout/", data)

    order = Order.objects.get()
    assert first.url == second.url == order.get_absolute_url()
    variant.refresh_from_db()
    assert variant.stock == 8
    assert client.get(second.url).status_code == 200


def test_going_back_to_a_placed_checkout_shows_that_order_and_keeps_the_new_cart(
    client, add, variant
):
    # given an order placed, then something new in the cart
    add(variant, 2)
    data = checkout_data()
    client.post("/checkout/", data)
    mug = VariantFactory(product__name="Mug")
    add(mug, 1)

    # when the old checkout page is submitted again (back button)
    response = client.post("/checkout/", data)

    # then it shows the first order, places nothing new and leaves the mug in the cart
    order = Order.objects.get()
    assert response.url == order.get_absolute_url()
    assert order.lines.get().quantity == 2
    assert client.session["cart"] == {str(mug.pk): 1}


def test_a_checkout_token_with_a_nul_character_is_refused(client, add, variant):
    add(variant)
    response = client.post("/checkout/", checkout_data(checkout_token="\x00" * 40))
    assert response.status_code == 200
    assert "checkout_token" in response.context["form"].errors
    assert "\x00" not in response.context["checkout_token"]
    assert not Order.objects.exists()


def test_a_forged_checkout_token_is_refused(client, add, variant):
    add(variant)
    response = client.post("/checkout/", checkout_data(checkout_token="short"))
    assert "This page has expired" in response.content.decode()
    assert not Order.objects.exists()
    # the page comes back with a fresh token, so submitting it again works
    token = response.context["checkout_token"]
    assert token != "short"
    client.post("/checkout/", checkout_data(checkout_token=token))
    assert Order.objects.get().checkout_token == token


@pytest.mark.parametrize(
    ("price", "quantity", "method", "shipping", "total"),
    [
        ("25.00", 2, "standard", "4.90", "54.90"),
        ("25.00", 3, "standard", "0.00", "75.00"),  # free at the threshold
        ("74.99", 1, "standard", "4.90", "79.89"),
        ("25.00", 3, "express", "14.90", "89.90"),
    ],
)
def test_shipping_is_flat_free_from_the_threshold_or_express(
    client, add, price, quantity, method, shipping, total
):
    add(VariantFactory(price=price, stock=10), quantity)
    client.post("/checkout/", checkout_data(shipping_method=method))
    order = Order.objects.get()
    assert (order.shipping_method, order.shipping_cost, order.total) == (
        method,
        Decimal(shipping),
        Decimal(total),
    )


def test_order_prices_are_those_at_checkout_time(client, add, variant):
    add(variant)
    Variant.objects.filter(pk=variant.pk).update(price=Decimal("19.99"))
    client.post("/checkout/", checkout_data())
    assert Order.objects.get().lines.get().unit_price == Decimal("19.99")


def test_several_lines_are_all_bought(client, add):
    mug = VariantFactory(product__name="Mug", price="9.50", stock=3, options={"Colour": "Blue"})
    beanie = VariantFactory(product__name="Beanie", price="25.00", stock=3)
    add(beanie, 1)
    add(mug, 3)
    client.post("/checkout/", checkout_data())
    order = Order.objects.get()
    lines = [(line.product_name, line.options_label, line.quantity) for line in order.lines.all()]
    assert lines == [("Beanie", "", 1), ("Mug", "Colour: Blue", 3)]  # in the cart's order
    assert order.subtotal == Decimal("53.50")
    assert Variant.objects.get(pk=mug.pk).stock == 0


def test_stock_messages_name_the_product_then_the_options(client, add):
    shoe = VariantFactory(product__name="Trail Runner Shoe", options={"Size": "43"}, stock=3)
    add(shoe, 2)
    Variant.objects.filter(pk=shoe.pk).update(stock=0)
    response = client.post("/checkout/", checkout_data())
    assert "Sorry, Trail Runner Shoe is sold out. (Size: 43)" in response.content.decode()


def test_an_empty_checkout_lists_every_problem_as_a_link_in_the_pages_order(client, add, variant):
    add(variant)

    html = client.post(
        "/checkout/", {"checkout_token": "t" * 43, "billing_same": "on"}
    ).content.decode()

    summary = html[html.index('<div class="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    links = re.findall(r'<a href="#(id_[a-z0-9_]+)">([^<]+)</a>', summary)
    assert links == [
        ("id_email", "Enter your email address"),
        ("id_shipping_full_name", "Enter your full name"),
        ("id_shipping_line1", "Enter the first line of your address"),
        ("id_shipping_city", "Enter your town or city"),
        ("id_shipping_postal_code", "Enter your postal code"),
        ("id_shipping_country", "Choose your country"),
        ("id_shipping_method_0", "Choose a shipping method"),
        ("id_card_number", "Enter your card number"),
        ("id_card_expiry", "Enter the card&#x27;s expiry date as MM/YY, e.g. 04/29"),
        ("id_card_cvc", "Enter the 3-digit code from the back of the card"),
    ]
    assert "This field is required." not in html
    # each field says what is wrong next to it, and points to that message
    assert 'aria-describedby="id_shipping_postal_code_error"' in html
    assert (
        '<ul class="errorlist" id="id_shipping_postal_code_error"><li>Enter your postal code'
        in html
    )
