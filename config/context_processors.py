from django.conf import settings


def shop(request):
    return {"shop_name": settings.SHOP_NAME, "shop_currency": settings.SHOP_CURRENCY}
