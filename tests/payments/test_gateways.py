"""The card checks, the built-in test gateway, and choosing a gateway."""

from decimal import Decimal

import pytest

from payments.cards import card_brand, luhn_is_valid
from payments.gateways import (
    StripeGateway,
    TestGateway,
    from_minor_units,
    get_gateway,
    to_minor_units,
)
from tests.orders.helpers import card


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("4242424242424242", True),
        ("4000000000000002", True),
        ("5555555555554444", True),
        ("378282246310005", True),
        ("4242424242424241", False),
        ("4242x42424242424", False),
        ("", False),
        # Digits other than 0-9 (superscripts, full-width) are not card numbers.
        ("4242424242424\u00b242", False),
        ("\uff14\uff12\uff14\uff12" * 4, False),
    ],
)
def test_luhn_check(number, valid):
    assert luhn_is_valid(number) is valid


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4242424242424242", "Visa"),
        ("5555555555554444", "Mastercard"),
        ("2223003122003222", "Mastercard"),
        ("378282246310005", "American Express"),
        ("6011111111111117", "Card"),
    ],
)
def test_card_brand(number, brand):
    assert card_brand(number) == brand


def test_test_gateway_approves_the_test_card():
    charge = TestGateway().charge(
        amount=Decimal("10.00"), currency="EUR", card=card("4242424242424242"), description="x"
    )
    assert charge.approved
    assert charge.reference.startswith("test_ch_")


@pytest.mark.parametrize("number", ["4000000000000002", "5555555555554444"])
def test_test_gateway_declines_other_cards(number):
    charge = TestGateway().charge(
        amount=Decimal("10.00"), currency="EUR", card=card(number), description="x"
    )
    assert not charge.approved
    assert charge.decline_message == "Your card was declined."


def test_refund_returns_a_reference_and_the_amount():
    refund = TestGateway().refund(
        reference="test_ch_1", amount=Decimal("1.50"), currency="EUR", idempotency_key="k"
    )
    assert refund.reference.startswith("test_re_")
    assert refund.amount == Decimal("1.50")


def test_the_gateway_is_chosen_by_setting(settings):
    settings.SHOP_PAYMENT_GATEWAY = "test"
    assert isinstance(get_gateway(), TestGateway)
    settings.SHOP_PAYMENT_GATEWAY = "stripe"
    assert isinstance(get_gateway(), StripeGateway)
    # A payment is refunded through its own gateway, whatever the setting says now.
    assert isinstance(get_gateway("test"), TestGateway)
    settings.SHOP_PAYMENT_GATEWAY = "nope"
    with pytest.raises(KeyError):
        get_gateway()


def test_a_card_never_shows_its_number_or_cvc():
    text = repr(card("4242424242424242"))
    assert "4242424242424242" not in text
    assert "123" not in text
    assert text == "Card(brand='Visa', last4='4242')"


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("54.90", "EUR", 5490),
        ("0.01", "usd", 1),
        ("1200.00", "JPY", 1200),
        ("12.34", "KWD", 12340),
    ],
)
def test_amounts_cross_to_stripe_in_minor_units_and_back(amount, currency, minor):
    assert to_minor_units(Decimal(amount), currency) == minor
    assert from_minor_units(minor, currency) == Decimal(amount)
