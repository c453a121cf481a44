"""The shop's URLs plus `/boom/`, a page that fails (tests of the 500 page and Sentry)."""

from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import handler500  # noqa: F401
from config.urls import urlpatterns as shop_urlpatterns


@csrf_exempt
def boom(request):
    card_number = request.POST.get("card_number", "")  # a local that must not reach Sentry
    raise RuntimeError(f"checkout exploded ({len(card_number)} digits)")


urlpatterns = [path("boom/", boom), *shop_urlpatterns]
