"""`Cache-Control: private, no-store` on every page that shows one person's data.

Pages are matched by URL prefix, so a new page under one of them (an invoice under /orders/,
say) is covered without anyone remembering a decorator; add a prefix here for a new area.
Directives a view set itself (e.g. `never_cache`) are kept.
"""

from django.utils.cache import patch_cache_control

PRIVATE_PATH_PREFIXES = ("/cart/", "/checkout/", "/orders/", "/accounts/", "/admin/")


class PrivatePagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(PRIVATE_PATH_PREFIXES):
            patch_cache_control(response, private=True, no_store=True)
        return response
