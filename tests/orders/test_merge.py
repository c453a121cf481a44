"""A visitor's session cart joins the account's cart when they log in."""

import pytest

from orders.models import Cart, CartLine
from tests.factories import DEFAULT_PASSWORD, VariantFactory

pytestmark = pytest.mark.django_db


def log_in(client, user):
    response = client.post(
        "/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302


def account_cart(user):
    return {
        line.variant.product.name: line.quantity
        for line in CartLine.objects.filter(cart__user=user)
    }


def test_login_adds_the_session_cart_to_the_account_cart_capped_by_stock(client, add, customer):
    # given an account cart with 2 mugs (3 in stock) and a beanie
    mug = VariantFactory(product__name="Mug", stock=3)
    beanie = VariantFactory(product__name="Beanie", stock=10)
    hat = VariantFactory(product__name="Hat", stock=10)
    cart = Cart.objects.create(user=customer)
    CartLine.objects.create(cart=cart, variant=mug, quantity=2)
    CartLine.objects.create(cart=cart, variant=beanie, quantity=1)

    # and, as a visitor, 2 more mugs and a hat
    add(mug, 2)
    add(hat, 1)

    # when they log in
    log_in(client, customer)

    # then quantities are added, the mugs capped at the stock, and the session cart is gone
    assert account_cart(customer) == {"Mug": 3, "Beanie": 1, "Hat": 1}
    assert "cart" not in client.session
    response = client.get("/cart/")
    assert "Only 3 left of Mug, so your cart has 3." in [
        str(m) for m in response.context["messages"]
    ]
    assert '<span class="badge">5</span><span class="visually-hidden"> items</span>' in (
        response.content.decode()
    )


def test_force_login_merges_too(client, add, customer):
    mug = VariantFactory(product__name="Mug", stock=3)
    add(mug, 2)

    client.force_login(customer)

    assert account_cart(customer) == {"Mug": 2}


def test_sold_out_and_withdrawn_items_are_not_merged(client, add, customer):
    mug = VariantFactory(product__name="Mug", stock=3)
    hat = VariantFactory(product__name="Hat", stock=3)
    add(mug, 1)
    add(hat, 1)
    mug.stock = 0
    mug.save()
    hat.is_active = False
    hat.save()

    log_in(client, customer)

    assert account_cart(customer) == {}
    messages = [str(m) for m in client.get("/cart/").context["messages"]]
    assert "Sorry, Mug is sold out." in messages
    assert "Sorry, Hat is no longer available." in messages


def test_logging_in_with_an_empty_session_cart_keeps_the_account_cart(client, customer):
    mug = VariantFactory(product__name="Mug", stock=3)
    CartLine.objects.create(cart=Cart.objects.create(user=customer), variant=mug, quantity=2)
    client.force_login(customer)
    assert account_cart(customer) == {"Mug": 2}


def test_signing_up_keeps_the_visitors_cart(client, add):
    mug = VariantFactory(product__name="Mug", stock=3)
    add(mug, 2)
    password = "plum-harbour-47-lantern"

    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.com", "password1": password, "password2": password},
    )

    assert response.status_code == 302
    user = CartLine.objects.get().cart.user
    assert user.email == "new@example.com"
    assert account_cart(user) == {"Mug": 2}
