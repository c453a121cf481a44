"""The card checks and the built-in test gateway."""

from decimal import Decimal

import pytest

from orders import payments
from orders.payments import card_brand, get_gateway, luhn_is_valid
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
    charge = payments.TestGateway().charge(
        amount=Decimal("10.00"), currency="EUR", card=card("4242424242424242"), description="x"
    )
    assert charge.approved
    assert charge.reference.startswith("test_ch_")


@pytest.mark.parametrize("number", ["4000000000000002", "5555555555554444"])
def test_test_gateway_declines_other_cards(number):
    charge = payments.TestGateway().charge(
        amount=Decimal("10.00"), currency="EUR", card=card(number), description="x"
    )
    assert not charge.approved
    assert charge.decline_message == "Your card was declined."


def test_refund_returns_a_reference():
    assert payments.TestGateway().refund(reference="test_ch_1", amount=Decimal("1"), currency="EUR")


def test_the_gateway_is_chosen_by_setting(settings):
    settings.SHOP_PAYMENT_GATEWAY = "test"
    assert isinstance(get_gateway(), payments.TestGateway)
    settings.SHOP_PAYMENT_GATEWAY = "nope"
    with pytest.raises(KeyError):
        get_gateway()


def test_a_card_never_shows_its_number_or_cvc():
    text = repr(card("4242424242424242"))
    assert "4242424242424242" not in text
    assert "123" not in text
    assert text == "Card(brand='Visa', last4='4242')"
