"""Helpers for cart, checkout and order tests: form data, test cards, placing an order."""

import secrets

from django.utils import timezone

from orders.services import AddressData, place_order
from payments.cards import Card

APPROVED_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"

ADDRESS = AddressData(
    full_name="Ada Lovelace",
    line1="1 Analytical Street",
    line2="",
    city="London",
    postal_code="N1 7AA",
    country="GB",
)


def future_expiry():
    return f"12/{(timezone.now().year + 2) % 100:02d}"


def checkout_data(**overrides):
    """A complete, valid checkout form submission for a guest."""
    data = {
        "checkout_token": secrets.token_urlsafe(32),
        "email": "guest@example.com",
        "shipping_full_name": "Ada Lovelace",
        "shipping_line1": "1 Analytical Street",
        "shipping_line2": "",
        "shipping_city": "London",
        "shipping_postal_code": "N1 7AA",
        "shipping_country": "GB",
        "shipping_phone": "",
        "billing_same": "on",
        "shipping_method": "standard",
        "card_number": APPROVED_CARD,
        "card_expiry": future_expiry(),
        "card_cvc": "123",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def card(number):
    return Card(number=number, exp_month=12, exp_year=timezone.now().year + 2, cvc="123")


def approved_card():
    return card("4242424242424242")


def declined_card():
    return card("4000000000000002")


def buy(
    variant,
    quantity=1,
    *,
    customer=None,
    card=None,
    token=None,
    method="standard",
    discount_code="",
    email=None,
):
    """Place an order directly through the service."""
    return place_order(
        customer=customer,
        email=email or (customer.email if customer else "guest@example.com"),
        quantities={variant.pk: quantity},
        shipping_address=ADDRESS,
        billing_address=ADDRESS,
        shipping_method=method,
        card=card or approved_card(),
        checkout_token=token or secrets.token_urlsafe(32),
        discount_code=discount_code,
    )
