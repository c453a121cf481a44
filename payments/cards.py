"""Card numbers as the test gateway sees them. Only the brand and the last four digits are ever
kept; the number and the CVC never leave the request that carries them."""

from dataclasses import dataclass


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
