"""orders.pricing: VAT extracted per line, discounts split so the shares add up, shipping and its
VAT, totals. Worked examples first, then properties checked by hypothesis on random orders."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.pricing import (
    DiscountTerms,
    LineInput,
    ShippingMethod,
    allocate,
    percent_off,
    price_order,
    vat_included,
)

D = Decimal
STANDARD = ShippingMethod.STANDARD


@pytest.fixture(autouse=True)
def shipping_rates(settings):
    settings.SHOP_STANDARD_SHIPPING = D("4.90")
    settings.SHOP_EXPRESS_SHIPPING = D("14.90")
    settings.SHOP_FREE_SHIPPING_THRESHOLD = D("75.00")


def line(key, price, quantity=1, rate="19", discountable=True):
    return LineInput(
        key=key,
        unit_price=D(price),
        quantity=quantity,
        vat_rate=D(rate),
        discountable=discountable,
    )


def percent(value, **fields):
    return DiscountTerms(code="TEN", description=f"{value}% off", percent=D(value), **fields)


def test_vat_is_extracted_from_the_gross_per_line_and_from_shipping():
    quote = price_order(lines=[line("a", "25.00", 2)], shipping_method=STANDARD)

    priced = quote.line("a")
    assert (priced.gross, priced.vat, priced.net) == (D("50.00"), D("7.98"), D("42.02"))
    assert (quote.shipping, quote.shipping_vat_rate, quote.shipping_vat) == (
        D("4.90"),
        D("19"),
        D("0.78"),
    )
    assert (quote.subtotal, quote.discount, quote.total) == (D("50.00"), 0, D("54.90"))
    assert [(part.rate, part.net, part.vat) for part in quote.vat] == [
        (D("19"), D("46.14"), D("8.76"))
    ]


def test_rounding_is_half_up_once_per_line():
    # 10.50 at 5%: 0.5 exactly -> 0.50; 1.05 at 5%: 0.05 exactly; 0.21 at 5%: 0.01 (0.0100)
    assert vat_included(D("10.50"), D("5")) == D("0.50")
    assert vat_included(D("0.21"), D("5")) == D("0.01")
    # 0.105 rounds up, not to even
    assert vat_included(D("2.205"), D("5")) == D("0.11")
    assert percent_off(D("33.99"), D("15")) == D("28.89")  # 28.8915
    assert percent_off(D("0.05"), D("50")) == D("0.03")  # 0.025 -> up


def test_lines_at_different_rates_are_summed_per_rate_and_shipping_takes_the_highest():
    quote = price_order(
        lines=[line("book", "20.00", rate="7"), line("lamp", "30.00", rate="19")],
        shipping_method=STANDARD,
    )

    assert quote.line("book").vat == D("1.31")
    assert quote.line("lamp").vat == D("4.79")
    assert quote.shipping_vat_rate == D("19")
    assert [(part.rate, part.vat) for part in quote.vat] == [
        (D("19"), D("4.79") + D("0.78")),
        (D("7"), D("1.31")),
    ]


def test_a_zero_rated_order_ships_at_zero_rate():
    quote = price_order(lines=[line("map", "12.00", rate="0")], shipping_method=STANDARD)

    assert (quote.shipping_vat_rate, quote.shipping_vat, quote.vat_total) == (0, 0, 0)


def test_a_percentage_is_rounded_once_on_the_order_and_split_by_largest_remainder():
    # 10% of 3 x 3.33 = 0.999 -> 1.00, split 0.34 / 0.33 / 0.33 (the first wins the tie)
    quote = price_order(
        lines=[line("a", "3.33"), line("b", "3.33"), line("c", "3.33")],
        shipping_method=STANDARD,
        terms=percent(10),
    )

    assert quote.discount == D("1.00")
    assert [priced.discount for priced in quote.lines] == [D("0.34"), D("0.33"), D("0.33")]
    assert quote.total == D("9.99") - D("1.00") + D("4.90")


def test_the_discount_lowers_the_taxable_amount_of_each_rate():
    quote = price_order(
        lines=[line("book", "40.00", rate="7"), line("lamp", "60.00", rate="19")],
        shipping_method=STANDARD,
        terms=percent(10),
    )

    book, lamp = quote.lines
    assert (book.discount, lamp.discount) == (D("4.00"), D("6.00"))
    assert book.vat == vat_included(D("36.00"), D("7")) == D("2.36")
    assert lamp.vat == vat_included(D("54.00"), D("19")) == D("8.62")
    assert quote.shipping == 0  # 90.00 after the discount is over the threshold


def test_an_amount_off_is_capped_at_what_it_covers():
    terms = DiscountTerms(code="FIVE", description="€50.00 off", amount=D("50.00"))

    quote = price_order(lines=[line("a", "12.00")], shipping_method=STANDARD, terms=terms)

    assert quote.discount == D("12.00")
    assert quote.line("a").vat == 0
    assert quote.total == D("4.90")


def test_items_on_promotion_and_items_the_code_does_not_cover_are_not_reduced():
    quote = price_order(
        lines=[
            line("sale", "20.00", discountable=False),
            line("other", "10.00"),
            line("covered", "30.00"),
        ],
        shipping_method=STANDARD,
        terms=percent(50, keys=frozenset({"sale", "covered"})),
    )

    assert [priced.discount for priced in quote.lines] == [0, 0, D("15.00")]


def test_a_minimum_subtotal_not_reached_gives_nothing_and_says_how_far_off():
    quote = price_order(
        lines=[line("a", "20.00")],
        shipping_method=STANDARD,
        terms=percent(10, min_subtotal=D("30.00")),
    )

    assert (quote.discount, quote.short_of_minimum) == (0, D("10.00"))
    assert quote.totals.discount_label == ""


def test_free_shipping_waives_the_methods_cost_and_its_vat():
    terms = DiscountTerms(code="SHIP", description="Free shipping", free_shipping=True)

    quote = price_order(
        lines=[line("a", "20.00")], shipping_method=ShippingMethod.EXPRESS, terms=terms
    )

    assert (quote.shipping, quote.shipping_discount, quote.shipping_vat) == (
        D("14.90"),
        D("14.90"),
        0,
    )
    assert quote.discount == D("14.90")
    assert quote.total == D("20.00")
    assert quote.totals.discount_label == "SHIP: Free shipping"


def test_free_shipping_is_worth_nothing_when_shipping_is_free_anyway():
    terms = DiscountTerms(code="SHIP", description="Free shipping", free_shipping=True)

    quote = price_order(lines=[line("a", "80.00")], shipping_method=STANDARD, terms=terms)

    assert (quote.shipping, quote.discount) == (0, 0)


def test_free_shipping_needs_an_item_the_code_covers():
    terms = DiscountTerms(
        code="SHIP", description="Free shipping", free_shipping=True, keys=frozenset({"x"})
    )

    quote = price_order(lines=[line("a", "20.00")], shipping_method=STANDARD, terms=terms)

    assert quote.discount == 0


def test_allocate_gives_the_cents_left_to_the_largest_remainders():
    assert allocate(D("0.05"), [D("1.00"), D("2.00"), D("3.00")]) == [
        D("0.01"),
        D("0.02"),
        D("0.02"),
    ]
    assert allocate(D("0.00"), [D("5.00")]) == [D("0.00")]
    assert allocate(D("0.00"), []) == []


# --- Properties --------------------------------------------------------------------------

prices = st.decimals(min_value=D("0.00"), max_value=D("2000.00"), places=2)
rates = st.sampled_from([D("0"), D("5"), D("5.5"), D("7"), D("10"), D("19"), D("21"), D("25.5")])
lines = st.lists(
    st.builds(
        lambda index, price, quantity, rate, discountable: LineInput(
            key=index, unit_price=price, quantity=quantity, vat_rate=rate, discountable=discountable
        ),
        st.integers(),
        prices,
        st.integers(min_value=1, max_value=50),
        rates,
        st.booleans(),
    ),
    min_size=0,
    max_size=8,
    unique_by=lambda line: line.key,
)
terms = st.one_of(
    st.none(),
    st.builds(
        lambda value, minimum: DiscountTerms(
            code="P", description="", percent=value, min_subtotal=minimum
        ),
        st.decimals(min_value=D("0.01"), max_value=D("100"), places=2),
        st.one_of(st.none(), prices),
    ),
    st.builds(
        lambda value: DiscountTerms(code="A", description="", amount=value),
        st.decimals(min_value=D("0.01"), max_value=D("5000"), places=2),
    ),
    st.just(DiscountTerms(code="F", description="", free_shipping=True)),
)
methods = st.sampled_from(ShippingMethod.values)


@settings(max_examples=300, deadline=None)
@given(lines=lines, terms=terms, method=methods)
def test_every_order_adds_up(lines, terms, method):
    quote = price_order(lines=lines, shipping_method=method, terms=terms)

    # net + VAT = what was paid, on every line and for shipping
    for priced in quote.lines:
        assert priced.net + priced.vat == priced.paid == priced.gross - priced.discount
        assert 0 <= priced.discount <= priced.gross
        assert priced.vat >= 0 and priced.net >= 0
    assert quote.shipping_net + quote.shipping_vat == quote.shipping - quote.shipping_discount
    # the lines' sums are the totals
    assert quote.subtotal == sum(priced.gross for priced in quote.lines)
    assert quote.discount == sum(p.discount for p in quote.lines) + quote.shipping_discount
    assert quote.total == quote.subtotal + quote.shipping - quote.discount
    assert quote.total >= 0
    # the VAT per rate holds every line and the shipping, and net + VAT = the total
    assert quote.vat_total == sum(p.vat for p in quote.lines) + quote.shipping_vat
    assert sum(part.gross for part in quote.vat) == quote.total
    # a line on promotion is never reduced by a code
    assert all(
        not p.discount for p, line in zip(quote.lines, lines, strict=True) if not line.discountable
    )


@settings(max_examples=300, deadline=None)
@given(
    weights=st.lists(prices, min_size=1, max_size=10),
    fraction=st.decimals(min_value=D("0"), max_value=D("1"), places=4),
)
def test_shares_add_up_to_the_amount_and_never_exceed_their_weight(weights, fraction):
    amount = (sum(weights) * fraction).quantize(D("0.01"), rounding="ROUND_DOWN")

    shares = allocate(amount, weights)

    assert sum(shares) == amount
    assert all(0 <= share <= weight for share, weight in zip(shares, weights, strict=True))
