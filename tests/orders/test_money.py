"""The `money` filter that writes every amount the shop shows: in the shop currency (catalog,
cart, checkout) or in the currency an order was placed in (order pages, order emails)."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from catalog.templatetags.catalog_tags import money


@pytest.fixture(autouse=True)
def shop_in_euros(settings):
    settings.SHOP_CURRENCY = "EUR"


def test_a_known_currency_is_written_as_its_symbol_with_two_decimals():
    assert money(Decimal("89")) == "€89.00"
    assert money(Decimal("4.9")) == "€4.90"
    assert money("0") == "€0.00"


def test_thousands_are_separated_by_commas():
    assert money(Decimal("1234.5")) == "€1,234.50"
    assert money(Decimal("1234567.89")) == "€1,234,567.89"


def test_a_shop_currency_without_a_symbol_is_written_as_its_code(settings):
    settings.SHOP_CURRENCY = "SEK"

    assert money(Decimal("1234.5")) == "SEK 1,234.50"


def test_an_explicit_currency_wins_over_the_shop_currency():
    assert money(Decimal("12.5"), "GBP") == "£12.50"
    assert money(Decimal("12.5"), "usd") == "$12.50"
    assert money(Decimal("1234.5"), "SEK") == "SEK 1,234.50"


def test_no_amount_writes_nothing():
    assert money(None) == ""
    assert money("") == ""


def test_templates_pass_an_orders_currency_as_the_argument():
    template = Template("{% load catalog_tags %}{{ total|money }} / {{ total|money:currency }}")

    html = template.render(Context({"total": Decimal("1999.9"), "currency": "GBP"}))

    assert html == "€1,999.90 / £1,999.90"
