"""System checks for the billing settings."""

from django.conf import settings
from django.core.checks import Error, register
from django_countries import countries


@register()
def shop_country_is_a_country(app_configs, **kwargs):
    if settings.SHOP_COUNTRY in countries:
        return []
    return [
        Error(
            f"SHOP_COUNTRY={settings.SHOP_COUNTRY!r} is not an ISO 3166 alpha-2 country code.",
            hint="Set it to the country the shop is established in, e.g. DE.",
            id="billing.E001",
        )
    ]
