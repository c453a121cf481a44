"""VAT rates per country and tax class: data that staff keep current in the admin."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField

from catalog.models import TaxClass

# A zero-rated product is sold at 0% everywhere; only these classes have rates per country.
RATED_CLASSES = [
    (TaxClass.STANDARD.value, TaxClass.STANDARD.label),
    (TaxClass.REDUCED.value, TaxClass.REDUCED.label),
]


class TaxRate(models.Model):
    """The VAT rate of one tax class in one country, in percent (e.g. 19.00 or 5.50).

    A country with a standard rate is one the shop charges its own VAT for (the EU member
    states, loaded by a migration); a country without one is charged the shop's own country's
    rates (see billing.selectors.tax_rates_for). A country without a reduced rate sells
    reduced-rate products at its standard rate.
    """

    country = CountryField()
    tax_class = models.CharField(max_length=10, choices=RATED_CLASSES)
    rate = models.DecimalField(
        "rate (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(99.99)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country", "tax_class"]
        constraints = [
            models.UniqueConstraint(fields=["country", "tax_class"], name="one_rate_per_class"),
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lt=100), name="tax_rate_between_0_and_100"
            ),
        ]

    def __str__(self):
        return f"{self.country.code} {self.get_tax_class_display()}: {self.rate}%"
