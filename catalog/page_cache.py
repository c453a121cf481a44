"""Whole-page cache of the catalog pages for anonymous visitors.

A visitor with no session and no pending message sees what every such visitor sees, so the
rendered page is stored once per URL and catalog version (`invalidate_catalog_cache()` makes it
stale with everything else) and served without the database or the templates. The one part
that differs per visitor, the CSRF token of the product page's form, is stored as a placeholder
and filled in on the way out. Anyone with a session (a cart, a login) gets a freshly rendered
page, so their header and messages are always their own.
"""

import hashlib
import logging
import re
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers

from catalog.selectors import catalog_cache_version
from catalog.services import CATALOG_CACHE_VERSION_KEY

logger = logging.getLogger(__name__)

CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+(")')
CSRF_PLACEHOLDER = b"@@csrf-token-placeholder@@"
MESSAGES_COOKIE = "messages"


def _is_anonymous_visitor(request):
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in cookies
        and MESSAGES_COOKIE not in cookies
    )


def _page_key(request):
    return "catalog-page:" + hashlib.sha256(request.get_full_path().encode()).hexdigest()


def cache_page_for_anonymous_visitors(view):
    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if not _is_anonymous_visitor(request):
            return view(request, *args, **kwargs)
        key = _page_key(request)
        try:
            # One round trip: the page is stored with the catalog version it was rendered
            # under, and only served while that version is current.
            found = cache.get_many([CATALOG_CACHE_VERSION_KEY, key])
        except Exception:
            logger.exception("Page cache unavailable")
            return view(request, *args, **kwargs)
        cached = found.get(key)
        if cached is not None and cached[0] == found.get(CATALOG_CACHE_VERSION_KEY):
            _, content_type, body = cached
            if CSRF_PLACEHOLDER in body:
                body = body.replace(CSRF_PLACEHOLDER, get_token(request).encode())
            response = HttpResponse(body, content_type=content_type)
            patch_vary_headers(response, ["Cookie"])
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            body = CSRF_INPUT.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\2", response.content)
            try:
                cache.set(
                    key,
                    (catalog_cache_version(), response["Content-Type"], body),
                    settings.SHOP_CATALOG_CACHE_SECONDS,
                )
            except Exception:
                logger.exception("Page cache unavailable")
        return response

    return cached_view
