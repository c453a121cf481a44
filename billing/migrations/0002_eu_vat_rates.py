"""The VAT rates of the 27 EU member states in 2026: the standard rate and one reduced rate.

Source: Eurofiscalis, "EU VAT rates for 2026: the complete overview"
(https://www.eurofiscalis.com/en/vat-rates-in-ue, last updated 2 February 2026), a table of
each member state's standard, reduced and super-reduced rates in 2026 (among the recent
changes: Estonia 24%, Romania 21% and 11%, Finland 25.5% and 10%). The changes at the start of
2026 (easytax.co, "EU: new VAT rates from 2026") concern rates for restaurants, hotels and
particular goods, not the rates below.

"Reduced" is each country's lowest reduced rate of at least 5% (the EU VAT directive's floor
for reduced rates), which covers books and most foodstuffs in most member states; super-reduced
rates (below 5%, e.g. France's 2.1% or Spain's 4%) and zero rates are not loaded. Denmark has
no reduced rate, so it has only a standard row (reduced-rate products are sold at its standard
rate). Staff edit these rows in the admin (Billing > Tax rates) when a country changes its
rates, or to sell a product class at another of a country's rates.
"""

from decimal import Decimal

from django.db import migrations

# country: (standard, reduced or None)
RATES_2026 = {
    "AT": ("20", "10"),
    "BE": ("21", "6"),
    "BG": ("20", "9"),
    "CY": ("19", "5"),
    "CZ": ("21", "12"),
    "DE": ("19", "7"),
    "DK": ("25", None),
    "EE": ("24", "9"),
    "ES": ("21", "10"),
    "FI": ("25.5", "10"),
    "FR": ("20", "5.5"),
    "GR": ("24", "6"),
    "HR": ("25", "5"),
    "HU": ("27", "5"),
    "IE": ("23", "9"),
    "IT": ("22", "5"),
    "LT": ("21", "5"),
    "LU": ("17", "8"),
    "LV": ("21", "5"),
    "MT": ("18", "5"),
    "NL": ("21", "9"),
    "PL": ("23", "5"),
    "PT": ("23", "6"),
    "RO": ("21", "11"),
    "SE": ("25", "6"),
    "SI": ("22", "5"),
    "SK": ("23", "5"),
}


def load_rates(apps, schema_editor):
    TaxRate = apps.get_model("billing", "TaxRate")
    for country, (standard, reduced) in RATES_2026.items():
        for tax_class, rate in [("standard", standard), ("reduced", reduced)]:
            if rate is not None:
                TaxRate.objects.update_or_create(
                    country=country, tax_class=tax_class, defaults={"rate": Decimal(rate)}
                )


def remove_rates(apps, schema_editor):
    apps.get_model("billing", "TaxRate").objects.filter(country__in=list(RATES_2026)).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(load_rates, remove_rates)]
