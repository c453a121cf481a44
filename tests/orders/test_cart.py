"""The cart: add, change, remove; stock limits; flagged lines; current prices; the header count."""

from decimal import Decimal

import pytest

from orders.models import CartLine
from tests.factories import VariantFactory

pytestmark = pytest.mark.django_db


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_visitor_adds_to_cart_and_sees_the_line_with_quantity_subtotal_and_checkout(
    client, add, variant
):
    response = add(variant, 2)
    assert response.status_code == 302
    assert response.url == "/cart/"
    assert client.session["cart"] == {str(variant.pk): 2}

    response = client.get("/cart/")
    html = response.content.decode()
    assert "Merino Beanie" in html
    assert 'name="quantity" value="2"' in html
    assert ">Quantity</label>" in html
    assert ">Update</button>" in html
    assert ">Remove</button>" in html
    assert "Subtotal" in html
    assert "€50.00" in html
    assert ">Checkout</a>" in html
    assert "Added Merino Beanie to your cart." in messages_of(response)


def test_adding_the_same_variant_twice_adds_up(client, add, variant):
    add(variant, 2)
    add(variant, 3)
    assert client.session["cart"] == {str(variant.pk): 5}


def test_signed_in_customer_cart_lives_in_the_database(client, add, variant, customer):
    client.force_login(customer)
    add(variant, 2)
    add(variant, 1)
    line = CartLine.objects.get(cart__user=customer)
    assert (line.variant, line.quantity) == (variant, 3)
    assert "cart" not in client.session


def test_header_shows_the_number_of_units(client, add, variant):
    add(variant, 2)
    add(VariantFactory(stock=5), 3)
    html = client.get("/cart/").content.decode()
    assert '<span class="badge">5</span><span class="visually-hidden"> items</span>' in html


@pytest.mark.parametrize("signed_in", [False, True])
def test_adding_more_than_the_stock_is_refused_with_a_clear_message(
    client, add, customer, signed_in
):
    if signed_in:
        client.force_login(customer)
    variant = VariantFactory(product__name="Enamel Mug", stock=3)
    add(variant, 2)

    response = add(variant, 2)

    assert response.status_code == 302
    assert response.url == variant.product.get_absolute_url()
    response = client.get("/cart/")
    assert "Only 3 left of Enamel Mug; your cart already has 2." in messages_of(response)
    assert 'name="quantity" value="2"' in response.content.decode()


def test_adding_a_sold_out_or_inactive_variant_is_refused(client, add):
    sold_out = VariantFactory(product__name="Sold Mug", stock=0)
    hidden = VariantFactory(product__name="Old Mug", is_active=False)

    add(sold_out)
    add(hidden)

    response = client.get("/cart/")
    assert messages_of(response) == [
        "Sorry, Sold Mug is sold out.",
        "Sorry, Old Mug is no longer available.",
    ]
    assert client.session.get("cart", {}) == {}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"variant": "999999", "quantity": "1"}, "That product is not available."),
        ({"variant": "abc", "quantity": "1"}, "That product is not available."),
        ({"quantity": "1"}, "This field is required."),
    ],
)
def test_adding_garbage_gives_a_message_not_an_error(client, data, message):
    response = client.post("/cart/add/", data, follow=True)
    assert response.status_code == 200
    assert any(message in text for text in messages_of(response))


def test_adding_a_zero_or_negative_quantity_is_refused(client, add, variant):
    response = client.post("/cart/add/", {"variant": variant.pk, "quantity": "0"})
    assert response.url == variant.product.get_absolute_url()
    assert client.session.get("cart", {}) == {}


def test_cart_forms_only_accept_post(client, variant):
    assert client.get("/cart/add/").status_code == 405
    assert client.get(f"/cart/update/{variant.pk}/").status_code == 405
    assert client.get(f"/cart/remove/{variant.pk}/").status_code == 405


@pytest.mark.parametrize("signed_in", [False, True])
def test_update_changes_the_quantity(client, add, variant, customer, signed_in):
    if signed_in:
        client.force_login(customer)
    add(variant, 1)

    response = client.post(f"/cart/update/{variant.pk}/", {"quantity": "4"}, follow=True)

    assert "Updated the quantity of Merino Beanie." in messages_of(response)
    assert 'name="quantity" value="4"' in response.content.decode()
    assert "€100.00" in response.content.decode()


@pytest.mark.parametrize("signed_in", [False, True])
def test_update_above_the_stock_is_refused_and_keeps_the_quantity(
    client, add, variant, customer, signed_in
):
    if signed_in:
        client.force_login(customer)
    add(variant, 2)

    response = client.post(f"/cart/update/{variant.pk}/", {"quantity": "11"}, follow=True)

    assert "Only 10 left of Merino Beanie." in messages_of(response)
    assert 'name="quantity" value="2"' in response.content.decode()


def test_update_with_a_bad_quantity_gives_a_message(client, add, variant):
    add(variant, 2)
    response = client.post(f"/cart/update/{variant.pk}/", {"quantity": "-1"}, follow=True)
    assert "Quantity: Ensure this value is greater than or equal to 0." in messages_of(response)
    assert client.session["cart"] == {str(variant.pk): 2}


@pytest.mark.parametrize("signed_in", [False, True])
def test_remove_and_update_to_zero_take_the_line_out(client, add, customer, signed_in):
    if signed_in:
        client.force_login(customer)
    mug, beanie = VariantFactory(product__name="Mug"), VariantFactory(product__name="Beanie")
    add(mug)
    add(beanie)

    response = client.post(f"/cart/remove/{mug.pk}/", follow=True)
    assert "Removed Mug from your cart." in messages_of(response)
    response = client.post(f"/cart/update/{beanie.pk}/", {"quantity": "0"}, follow=True)
    assert "Removed Beanie from your cart." in messages_of(response)

    assert "Your cart is empty." in response.content.decode()
    assert ">Checkout</a>" not in response.content.decode()


def test_the_cart_always_shows_current_prices(client, add, variant):
    add(variant, 2)
    variant.price = Decimal("30.00")
    variant.save()

    html = client.get("/cart/").content.decode()

    assert "€60.00" in html
    assert "€50.00" not in html


@pytest.mark.parametrize(
    ("change", "flag"),
    [
        ({"is_active": False}, "Sorry, Merino Beanie is no longer available."),
        ({"stock": 0}, "Sorry, Merino Beanie is sold out."),
        ({"stock": 1}, "Only 1 left of Merino Beanie."),
    ],
)
def test_a_line_that_cannot_be_bought_is_flagged_and_blocks_checkout_until_fixed(
    client, add, variant, change, flag
):
    # given a cart whose variant then goes inactive or (nearly) out of stock
    add(variant, 2)
    for field, value in change.items():
        setattr(variant, field, value)
    variant.save()

    # then the cart flags the line and offers no checkout
    html = client.get("/cart/").content.decode()
    assert f'<p class="line-problem">{flag}</p>' in html
    assert ">Checkout</a>" not in html
    # and the checkout page says so too
    assert flag in client.get("/checkout/").content.decode()

    # when the line is removed, checkout opens again
    client.post(f"/cart/remove/{variant.pk}/")
    add(VariantFactory(stock=5))
    assert ">Checkout</a>" in client.get("/cart/").content.decode()


def test_inactive_product_flags_its_variants(client, add, variant):
    add(variant)
    variant.product.is_active = False
    variant.product.save()
    assert "Sorry, Merino Beanie is no longer available." in client.get("/cart/").content.decode()


def test_a_deleted_variant_disappears_from_the_session_cart(client, add, variant):
    add(variant)
    variant.delete()
    response = client.get("/cart/")
    assert response.status_code == 200
    assert "Your cart is empty." in response.content.decode()


def test_a_tampered_session_cart_is_ignored(client, variant):
    session = client.session
    session["cart"] = {"x": 1, str(variant.pk): "lots", "-3": 2}
    session.save()
    response = client.get("/cart/")
    assert response.status_code == 200
    assert "Your cart is empty." in response.content.decode()
