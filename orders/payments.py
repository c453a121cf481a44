"""Taking and refunding payments.

A gateway is a class with two methods, `charge(...)` and `refund(...)`; `get_gateway()` returns
the one named by `settings.SHOP_PAYMENT_GATEWAY`. The built-in `TestGateway` behaves as the
public contract describes. A real provider is one more module with such a class, added to
`GATEWAYS`. Card numbers never leave this call: orders keep only the brand and last four.
"""

import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings


def luhn_is_valid(number):
    """The card number checksum (ISO/IEC 7812): catches most typing mistakes."""
    if not (number.isascii() and number.isdigit()):  # isdigit() alone passes "²" and "４"
        return False
    total = 0
    for position, digit in enumerate(reversed(number)):
        value = int(digit)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def card_brand(number):
    if number.startswith("4"):
        return "Visa"
    if number[:2] in {"34", "37"}:
        return "American Express"
    if number[:2] in {"51", "52", "53", "54", "55"} or 2221 <= int(number[:4] or 0) <= 2720:
        return "Mastercard"
    return "Card"


@dataclass(frozen=True)
class Card:
    number: str  # digits only
    exp_month: int
    exp_year: int  # four digits
    cvc: str

    @property
    def brand(self):
        return card_brand(self.number)

    @property
    def last4(self):
        return self.number[-4:]

    def __repr__(self):
        # Never print the number or the CVC, not even in a traceback.
        return f"Card(brand={self.brand!r}, last4={self.last4!r})"


@dataclass(frozen=True)
class Charge:
    approved: bool
    reference: str = ""
    decline_message: str = ""


class TestGateway:
    """The default gateway: approves the test card 4242 4242 4242 4242 and declines every other
    number, so no real card is ever taken to be charged. The form has already refused numbers
    failing the Luhn check, past expiry dates and bad CVCs."""

    APPROVED_NUMBERS = {"4242424242424242"}
    DECLINE_MESSAGE = "Your card was declined."

    def charge(self, *, amount: Decimal, currency: str, card: Card, description: str) -> Charge:
        if card.number in self.APPROVED_NUMBERS:
            return Charge(approved=True, reference=f"test_ch_{secrets.token_hex(8)}")
        return Charge(approved=False, decline_message=self.DECLINE_MESSAGE)

    def refund(self, *, reference: str, amount: Decimal, currency: str) -> str:
        """Refund a charge in full; returns the refund's reference."""
        return f"test_re_{secrets.token_hex(8)}"


GATEWAYS = {"test": TestGateway}


def get_gateway():
    return GATEWAYS[settings.SHOP_PAYMENT_GATEWAY]()
