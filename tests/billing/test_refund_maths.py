"""The refund maths in orders/pricing.py: units' shares of a line and amounts over VAT rates."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from orders.pricing import VatAmount, allocate_by_rate, refund_of_units, vat_included

D = Decimal
cents = st.integers(min_value=0, max_value=10_000_000).map(lambda n: D(n) / 100)
rates = st.sampled_from([D("0"), D("5.5"), D("7"), D("10"), D("19"), D("21"), D("27")])


def test_one_unit_of_three_gives_back_a_third_rounded_and_the_last_unit_the_rest():
    # given a line of 3 units for which €10.00 was paid, €1.60 of it VAT
    paid, vat = D("10.00"), D("1.60")

    first = refund_of_units(paid=paid, vat=vat, quantity=3, refunded=0, refunding=1)
    second = refund_of_units(paid=paid, vat=vat, quantity=3, refunded=1, refunding=1)
    third = refund_of_units(paid=paid, vat=vat, quantity=3, refunded=2, refunding=1)

    assert first == (D("3.33"), D("0.53"))
    assert second == (D("3.34"), D("0.54"))
    assert third == (D("3.33"), D("0.53"))
    assert sum(part[0] for part in (first, second, third)) == paid
    assert sum(part[1] for part in (first, second, third)) == vat


def test_refunding_every_unit_at_once_gives_back_exactly_what_was_paid():
    everything = refund_of_units(
        paid=D("99.99"), vat=D("15.96"), quantity=7, refunded=0, refunding=7
    )
    assert everything == (D("99.99"), D("15.96"))


@given(
    unit_price=cents,
    quantity=st.integers(min_value=1, max_value=50),
    rate=rates,
    discount_share=st.fractions(min_value=0, max_value=1),
    steps=st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=20),
)
def test_however_a_line_is_refunded_the_parts_add_up_to_what_was_paid(
    unit_price, quantity, rate, discount_share, steps
):
    # given a line as orders.pricing prices it: gross, a discount share, VAT extracted
    gross = unit_price * quantity
    discount = (gross * D(discount_share.numerator) / D(discount_share.denominator)).quantize(
        D("0.01")
    )
    discount = min(discount, gross)
    paid = gross - discount
    vat = vat_included(paid, rate)

    # when its units are refunded in steps until none are left
    refunded, given_back, vat_back = 0, D("0.00"), D("0.00")
    for step in steps:
        step = min(step, quantity - refunded)
        if step == 0:
            break
        part_gross, part_vat = refund_of_units(
            paid=paid, vat=vat, quantity=quantity, refunded=refunded, refunding=step
        )
        assert D("0.00") <= part_vat and D("0.00") <= part_gross
        refunded += step
        given_back += part_gross
        vat_back += part_vat
        # never more than the units so far are worth
        assert given_back <= paid and vat_back <= vat
    if refunded < quantity:
        last = refund_of_units(
            paid=paid, vat=vat, quantity=quantity, refunded=refunded, refunding=quantity - refunded
        )
        given_back += last[0]
        vat_back += last[1]

    # then exactly what was paid and its VAT went back
    assert (given_back, vat_back) == (paid, vat)


def test_an_amount_is_split_over_the_rates_in_proportion_to_what_is_left():
    left = [
        VatAmount(rate=D("19"), net=D("84.03"), vat=D("15.97")),  # €100.00 at 19%
        VatAmount(rate=D("7"), net=D("46.73"), vat=D("3.27")),  # €50.00 at 7%
    ]

    parts = allocate_by_rate(D("30.00"), left)

    assert [(part.rate, part.gross, part.vat) for part in parts] == [
        (D("19"), D("20.00"), D("3.19")),
        (D("7"), D("10.00"), D("0.65")),
    ]


@given(
    parts=st.lists(st.tuples(rates, cents), min_size=1, max_size=4, unique_by=lambda p: p[0]),
    fraction=st.fractions(min_value=0, max_value=1),
)
def test_allocated_amounts_add_up_and_all_that_is_left_takes_back_all_the_vat(parts, fraction):
    left = []
    for rate, gross in parts:
        vat = vat_included(gross, rate)
        left.append(VatAmount(rate=rate, net=gross - vat, vat=vat))
    total = sum((part.gross for part in left), D("0.00"))
    amount = (total * D(fraction.numerator) / D(fraction.denominator)).quantize(D("0.01"))
    amount = min(amount, total)

    allocated = allocate_by_rate(amount, left)

    assert sum((part.gross for part in allocated), D("0.00")) == amount
    by_rate = {part.rate: part for part in left}
    for part in allocated:
        assert part.gross <= by_rate[part.rate].gross
        assert D("0.00") <= part.vat <= by_rate[part.rate].vat
    everything = allocate_by_rate(total, left)
    assert {(p.rate, p.net, p.vat) for p in everything} == {
        (p.rate, p.net, p.vat) for p in left if p.gross
    }
