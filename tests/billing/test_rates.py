"""VAT rates: the EU rates the migration loads, which country's rates a delivery gets, and the
SHOP_COUNTRY setting."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from billing.models import TaxRate
from billing.selectors import MissingTaxRate, tax_rates_for
from catalog.models import TaxClass

pytestmark = pytest.mark.django_db

D = Decimal


def test_the_migration_loads_a_standard_rate_for_each_of_the_27_member_states():
    standard = dict(
        TaxRate.objects.filter(tax_class=TaxClass.STANDARD).values_list("country", "rate")
    )

    assert len(standard) == 27
    assert (standard["DE"], standard["FR"], standard["HU"], standard["FI"]) == (
        D("19"),
        D("20"),
        D("27"),
        D("25.5"),
    )
    assert "GB" not in standard


@pytest.mark.parametrize(
    ("country", "standard", "reduced"),
    [
        ("DE", "19", "7"),
        ("FR", "20", "5.5"),
        ("IE", "23", "9"),
        ("DK", "25", "25"),  # no reduced rate: reduced products at the standard rate
    ],
)
def test_an_eu_delivery_gets_the_destinations_rates(country, standard, reduced):
    rates = tax_rates_for(country)

    assert (rates.country, rates.standard, rates.reduced) == (country, D(standard), D(reduced))
    assert rates.rate(TaxClass.STANDARD) == D(standard)
    assert rates.rate(TaxClass.REDUCED) == D(reduced)
    assert rates.rate(TaxClass.ZERO) == 0
    assert not rates.are_the_shops_own


@pytest.mark.parametrize("country", ["GB", "US", "CH", "NO"])
def test_a_delivery_outside_the_eu_gets_the_shops_own_rates(settings, country):
    settings.SHOP_COUNTRY = "AT"

    rates = tax_rates_for(country)

    assert (rates.destination, rates.country, rates.standard) == (country, "AT", D("20"))
    assert rates.are_the_shops_own


def test_staff_can_give_a_country_its_own_rate():
    TaxRate.objects.create(country="CH", tax_class=TaxClass.STANDARD, rate=D("0"))

    rates = tax_rates_for("CH")

    assert (rates.country, rates.standard, rates.reduced) == ("CH", 0, 0)


def test_a_shop_country_without_a_rate_is_a_clear_error(settings):
    TaxRate.objects.filter(country="DE").delete()

    with pytest.raises(MissingTaxRate, match="no standard VAT rate for the shop's country DE"):
        tax_rates_for("US")


def test_shop_country_must_be_a_country(settings):
    settings.SHOP_COUNTRY = "XX"

    with pytest.raises(SystemCheckError, match="SHOP_COUNTRY='XX' is not an ISO 3166"):
        call_command("check")


def test_staff_edit_rates_in_the_admin(admin_client):
    response = admin_client.get("/admin/billing/taxrate/")

    assert response.status_code == 200
    assert "Reduced rate" in response.text
