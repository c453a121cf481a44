"""Which VAT rates apply to a delivery; an order's invoice and credit notes."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Sum

from billing.models import CreditNote, DocumentLine, Invoice, TaxRate
from catalog.models import TaxClass
from orders.pricing import vat_by_rate


class MissingTaxRate(ImproperlyConfigured):
    pass


@dataclass(frozen=True)
class TaxRates:
    """The rates for a delivery to `destination`: that country's own rates when the shop has
    them (the EU's one-stop-shop rule), else those of the shop's country (`country`)."""

    destination: str
    country: str
    standard: Decimal
    reduced: Decimal

    def rate(self, tax_class):
        if tax_class == TaxClass.ZERO:
            return Decimal(0)
        if tax_class == TaxClass.REDUCED:
            return self.reduced
        return self.standard

    @property
    def are_the_shops_own(self):
        """The destination has no rates of its own, so the shop's country's rates apply."""
        return self.country != self.destination


def tax_rates_for(destination):
    """The VAT rates for a delivery to the country `destination` (ISO code), in one query.

    A country with a standard rate uses its own rates (a reduced rate falling back to its
    standard rate); any other country the rates of SHOP_COUNTRY. Raises MissingTaxRate when
    the shop's own country has no standard rate.
    """
    destination = str(destination or settings.SHOP_COUNTRY).upper()
    home = settings.SHOP_COUNTRY
    rates = {
        (str(country), tax_class): rate
        for country, tax_class, rate in TaxRate.objects.filter(
            country__in={destination, home}
        ).values_list("country", "tax_class", "rate")
    }
    country = destination if (destination, TaxClass.STANDARD) in rates else home
    standard = rates.get((country, TaxClass.STANDARD))
    if standard is None:
        raise MissingTaxRate(
            f"There is no standard VAT rate for the shop's country {home}: add one under "
            "Billing > Tax rates in the admin, or set SHOP_COUNTRY."
        )
    reduced = rates.get((country, TaxClass.REDUCED), standard)
    return TaxRates(destination=destination, country=country, standard=standard, reduced=reduced)


def invoice_of(order_id):
    """The invoice issued for an order, or None."""
    return Invoice.objects.filter(order_id=order_id).first()


def uncredited_by_rate(invoice):
    """What of an invoice its credit notes have not yet taken back, per VAT rate
    (orders.pricing.VatAmount, highest rate first), in two queries."""

    def sums(documents):
        rows = (
            DocumentLine.objects.filter(document__in=documents)
            .values("vat_rate")
            .annotate(net=Sum("net"), vat=Sum("vat"))
        )
        return {row["vat_rate"]: (row["net"], row["vat"]) for row in rows}

    invoiced = sums([invoice])
    credited = sums(invoice.credit_notes.all())
    return vat_by_rate(
        (rate, net - credited.get(rate, (0, 0))[0], vat - credited.get(rate, (0, 0))[1])
        for rate, (net, vat) in invoiced.items()
    )


def credit_notes_for_order(order_id):
    return CreditNote.objects.filter(order_id=order_id).order_by("issued_at", "pk")
