"""All of the shop's money arithmetic: sale prices, discounts, shipping, VAT and totals.

Prices include VAT. Amounts are Decimals with two places, rounded here and nowhere else, once
each, half up (`round_money`). This module reads no database: callers hand it the lines with
their VAT rates (billing.selectors.tax_rates_for) and what a discount code offers
(promotions.selectors.discount_terms), and it returns a `Quote` with every figure an order
stores.

How an order is priced (`price_order`):

1. Each line's gross is its unit price (VAT included) times the quantity.
2. A code's discount is computed once on the lines it covers (a percentage of their sum,
   rounded; or a fixed amount, capped at their sum) and split across those lines in
   proportion to their gross, largest remainder first, so the shares add up to the cent.
3. Each line's VAT is extracted from what is paid for it (gross minus its share of the
   discount) at its rate, rounded once: `vat = paid x rate / (100 + rate)`, net the rest.
   So net + VAT = paid on every line, and the discount lowers the taxable amount per rate.
4. Shipping is standard (free from the threshold, counted on the goods after the discount) or
   express. It carries the highest VAT rate among the order's lines: an ancillary cost follows
   the goods it delivers, and with goods at several rates the highest never under-declares.
   A free-shipping code discounts the whole shipping cost.
5. Total = subtotal + shipping - discount; VAT per rate sums the lines and the shipping.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.conf import settings
from django.db import models

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")


class ShippingMethod(models.TextChoices):
    STANDARD = "standard", "Standard"
    EXPRESS = "express", "Express"


def round_money(amount):
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_off(amount, percent):
    """`amount` less `percent` percent, e.g. a promotion's sale price."""
    return round_money(Decimal(amount) * (HUNDRED - Decimal(percent)) / HUNDRED)


def vat_included(gross, rate):
    """The VAT contained in a gross (VAT-inclusive) amount at `rate` percent."""
    return round_money(Decimal(gross) * Decimal(rate) / (HUNDRED + Decimal(rate)))


def allocate(amount, weights):
    """Split `amount` (at most the sum of the non-negative `weights`) into shares proportional
    to the weights that add up to exactly `amount`: every share is rounded down to the cent,
    and the cents left over go to the largest remainders (the earlier line on a tie). No share
    exceeds its weight."""
    cents = int(amount / CENT)
    weight_cents = [int(weight / CENT) for weight in weights]
    total_weight = sum(weight_cents)
    if cents == 0 or total_weight == 0:
        return [ZERO for _ in weights]
    exact = [Fraction(cents * weight, total_weight) for weight in weight_cents]
    shares = [int(share) for share in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[: cents - sum(shares)]:
        shares[i] += 1
    return [Decimal(share) * CENT for share in shares]


def shipping_cost(*, method, goods):
    """Standard is a flat rate, free once the goods (after any discount) reach the threshold;
    express always costs its rate."""
    if method == ShippingMethod.EXPRESS:
        return round_money(settings.SHOP_EXPRESS_SHIPPING)
    if goods >= settings.SHOP_FREE_SHIPPING_THRESHOLD:
        return ZERO
    return round_money(settings.SHOP_STANDARD_SHIPPING)


@dataclass(frozen=True)
class LineInput:
    """One line to price: `key` identifies it to the caller (e.g. the variant id)."""

    key: object
    unit_price: Decimal
    quantity: int
    vat_rate: Decimal
    discountable: bool = True  # whether a discount code may reduce it


@dataclass(frozen=True)
class DiscountTerms:
    """What a discount code offers this order. `keys` restricts it to some lines (None: all).
    An amount or percentage reduces the lines it covers that are `discountable`; free
    shipping needs one line it covers, whatever its price."""

    code: str
    description: str
    percent: Decimal | None = None
    amount: Decimal | None = None
    free_shipping: bool = False
    min_subtotal: Decimal | None = None
    keys: frozenset | None = None  # None: every discountable line

    def covers(self, line):
        return self.keys is None or line.key in self.keys

    def reduces(self, line):
        return line.discountable and self.covers(line)


@dataclass(frozen=True)
class PricedLine:
    key: object
    unit_price: Decimal
    quantity: int
    gross: Decimal  # unit price x quantity
    discount: Decimal  # this line's share of the code's discount
    vat_rate: Decimal
    vat: Decimal

    @property
    def paid(self):
        return self.gross - self.discount

    @property
    def net(self):
        return self.paid - self.vat


@dataclass(frozen=True)
class VatAmount:
    """The VAT at one rate within a total: `net` + `vat` of what was paid at `rate`."""

    rate: Decimal
    net: Decimal
    vat: Decimal

    @property
    def gross(self):
        return self.net + self.vat


def vat_by_rate(parts: Iterable[tuple[Decimal, Decimal, Decimal]]):
    """(rate, net, vat) parts summed per rate, highest rate first; rates with nothing paid at
    them are left out."""
    sums = {}
    for rate, net, vat in parts:
        before = sums.get(rate, (ZERO, ZERO))
        sums[rate] = (before[0] + net, before[1] + vat)
    return tuple(
        VatAmount(rate=rate, net=net, vat=vat)
        for rate, (net, vat) in sorted(sums.items(), reverse=True)
        if net or vat
    )


def discount_label(code, description):
    """How a discount is named next to its amount: "SPRING10: 10% off"."""
    return f"{code}: {description}"


@dataclass(frozen=True)
class Totals:
    """The figures the totals include shows (templates/includes/order_totals.html), for a
    quote (cart, checkout) or a placed order (`Order.totals`)."""

    subtotal: Decimal
    shipping: Decimal
    discount: Decimal
    discount_label: str
    total: Decimal
    vat: tuple[VatAmount, ...]


@dataclass(frozen=True)
class Quote:
    """Every figure of a priced order."""

    lines: tuple[PricedLine, ...]
    subtotal: Decimal  # sum of the lines' gross
    shipping: Decimal  # the method's cost, before a free-shipping code
    shipping_discount: Decimal
    shipping_vat_rate: Decimal
    shipping_vat: Decimal
    discount: Decimal  # lines' shares + shipping discount
    total: Decimal
    vat: tuple[VatAmount, ...]
    terms: DiscountTerms | None = None
    # How much more the lines must come to before the code applies (0: it applies, or none).
    short_of_minimum: Decimal = ZERO

    @property
    def totals(self):
        return Totals(
            subtotal=self.subtotal,
            shipping=self.shipping,
            discount=self.discount,
            discount_label=(
                discount_label(self.terms.code, self.terms.description) if self.discount else ""
            ),
            total=self.total,
            vat=self.vat,
        )

    @property
    def shipping_net(self):
        return self.shipping - self.shipping_discount - self.shipping_vat

    @property
    def vat_total(self):
        return sum((part.vat for part in self.vat), ZERO)

    def line(self, key):
        return next(line for line in self.lines if line.key == key)


def _code_discount(lines, grosses, terms):
    """The code's discount on the lines, split per line; and the amount by which the lines fall
    short of the code's minimum subtotal."""
    no_discount = [ZERO for _ in lines]
    subtotal = sum(grosses, ZERO)
    if terms is None:
        return no_discount, ZERO
    if terms.min_subtotal is not None and subtotal < terms.min_subtotal:
        return no_discount, terms.min_subtotal - subtotal
    covered = [
        gross if terms.reduces(line) else ZERO for line, gross in zip(lines, grosses, strict=True)
    ]
    base = sum(covered, ZERO)
    if terms.percent is not None:
        discount = round_money(base * Decimal(terms.percent) / HUNDRED)
    elif terms.amount is not None:
        discount = min(round_money(terms.amount), base)
    else:
        discount = ZERO
    return allocate(discount, covered), ZERO


def price_order(*, lines: list[LineInput], shipping_method, terms: DiscountTerms | None = None):
    """Price an order (see the module docstring for the rules); returns a Quote."""
    grosses = [round_money(line.unit_price) * line.quantity for line in lines]
    subtotal = sum(grosses, ZERO)
    shares, short_of_minimum = _code_discount(lines, grosses, terms)
    priced = []
    for line, gross, share in zip(lines, grosses, shares, strict=True):
        priced.append(
            PricedLine(
                key=line.key,
                unit_price=round_money(line.unit_price),
                quantity=line.quantity,
                gross=gross,
                discount=share,
                vat_rate=Decimal(line.vat_rate),
                vat=vat_included(gross - share, line.vat_rate),
            )
        )
    line_discount = sum(shares, ZERO)
    shipping = shipping_cost(method=shipping_method, goods=subtotal - line_discount)
    free_shipping = (
        terms is not None
        and terms.free_shipping
        and not short_of_minimum
        and any(terms.covers(line) for line in lines)
    )
    shipping_discount = shipping if free_shipping else ZERO
    shipping_vat_rate = max((Decimal(line.vat_rate) for line in lines), default=Decimal(0))
    shipping_vat = vat_included(shipping - shipping_discount, shipping_vat_rate)
    discount = line_discount + shipping_discount
    vat = vat_by_rate(
        [(line.vat_rate, line.net, line.vat) for line in priced]
        + [(shipping_vat_rate, shipping - shipping_discount - shipping_vat, shipping_vat)]
    )
    return Quote(
        lines=tuple(priced),
        subtotal=subtotal,
        shipping=shipping,
        shipping_discount=shipping_discount,
        shipping_vat_rate=shipping_vat_rate,
        shipping_vat=shipping_vat,
        discount=discount,
        total=subtotal + shipping - discount,
        vat=vat,
        terms=terms,
        short_of_minimum=short_of_minimum,
    )


# Refunds: what giving back part of an order costs, rounded so that the parts add up.


def units_share(amount, *, units, of_units):
    """The part of `amount` (paid for `of_units` units) that the first `units` of them carry,
    rounded. Shares are taken cumulatively (see `refund_of_units`), so however a line is
    refunded, in one go or unit by unit, the refunds add up to exactly what was paid."""
    return round_money(Decimal(amount) * units / of_units)


def refund_of_units(*, paid, vat, quantity, refunded, refunding):
    """(gross, VAT) given back for `refunding` more units of a line of `quantity` units, for
    which `paid` was paid including `vat`, when `refunded` units were refunded before: the
    difference between the cumulative shares after and before."""
    after, before = refunded + refunding, refunded
    gross = units_share(paid, units=after, of_units=quantity) - units_share(
        paid, units=before, of_units=quantity
    )
    vat_part = units_share(vat, units=after, of_units=quantity) - units_share(
        vat, units=before, of_units=quantity
    )
    return gross, vat_part


def allocate_by_rate(amount, remaining: Iterable[VatAmount]):
    """Split a refund of `amount` that names no items (e.g. made in Stripe's dashboard) over the
    VAT rates of what is left of the order, in proportion to the gross left at each rate
    (`allocate`); each part's VAT is the same proportion of the VAT left at its rate. So a
    refund of everything that is left gives back exactly the VAT left at every rate. Returns
    VatAmounts (rates with nothing allocated are left out)."""
    remaining = [part for part in remaining if part.gross > 0]
    shares = allocate(amount, [part.gross for part in remaining])
    parts = []
    for part, gross in zip(remaining, shares, strict=True):
        if gross:
            vat = round_money(part.vat * gross / part.gross)
            parts.append(VatAmount(rate=part.rate, net=gross - vat, vat=vat))
    return parts
