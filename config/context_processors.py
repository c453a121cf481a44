from django.conf import settings

from catalog.templatetags.catalog_tags import money


def shop(request):
    """What the layout shows on every page: the shop's name, currency and promises."""
    return {
        "shop_name": settings.SHOP_NAME,
        "shop_currency": settings.SHOP_CURRENCY,
        "site_url": settings.SITE_URL,
        "free_shipping_threshold": money(settings.SHOP_FREE_SHIPPING_THRESHOLD),
        "returns_days": settings.SHOP_RETURNS_DAYS,
    }
