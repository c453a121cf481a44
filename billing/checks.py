"""System checks for the billing settings."""

from django.conf import settings
from django.core.checks import Error, Warning, register
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


@register(deploy=True)
def seller_is_named_on_invoices(app_configs, **kwargs):
    """An invoice must name the seller with its address and VAT number."""
    missing = [
        name
        for name in ("SHOP_SELLER_NAME", "SHOP_SELLER_ADDRESS", "SHOP_SELLER_VAT_ID")
        if not getattr(settings, name)
    ]
    if not missing:
        return []
    return [
        Warning(
            f"{', '.join(missing)} not set: invoices and credit notes will lack the seller's "
            "legal details.",
            hint="Set the seller's legal name, address (lines separated by commas) and VAT ID.",
            id="billing.W001",
        )
    ]
