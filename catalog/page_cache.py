"""Whole-page cache of the catalog pages for anonymous visitors, bounded in size.

A visitor with no session and no pending message sees what every such visitor sees, so the
rendered page is stored once per URL and catalog version (`invalidate_catalog_cache()` makes it
stale with everything else) and served without the database or the templates. The one part
that differs per visitor, the CSRF token of the product page's form, is stored as a placeholder
and filled in on the way out. Anyone with a session (a cart, a login) gets a freshly rendered
page, so their header and messages are always their own.

Where a page is kept depends on its query string, so that nobody can grow Redis without bound
by inventing URLs:

- Pages whose query uses only parameters with a small set of values (`category` naming a real
  category, `sort`, `page`, `in_stock`) are shared by every process through Redis, under a key
  that ignores the parameters' order. Their number is bounded by the catalog's size.
- Every other page (a search, a price range, a tracking parameter, anything unknown) is kept in
  this process's memory only, in a least-recently-used store of `LOCAL_PAGES` entries: repeated
  searches stay fast, random ones only push older entries out.
"""

import hashlib
import re
import threading
from collections import OrderedDict
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode

from catalog.selectors import SORTS, catalog_cache_version, category_tree
from catalog.services import CATALOG_CACHE_VERSION_KEY

CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+(")')
CSRF_PLACEHOLDER = b"@@csrf-token-placeholder@@"
MESSAGES_COOKIE = "messages"
LOCAL_PAGES = 100
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,3}")
BOUNDED_VALUES = {
    "sort": set(SORTS),
    "in_stock": {"", "0", "1"},
}


class LocalPages:
    """The pages of one process, least recently used first out."""

    def __init__(self, size):
        self.size = size
        self._pages = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def set(self, key, page):
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def __len__(self):
        return len(self._pages)

    def clear(self):
        with self._lock:
            self._pages.clear()


local_pages = LocalPages(LOCAL_PAGES)


def _is_anonymous_visitor(request):
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in cookies
        and MESSAGES_COOKIE not in cookies
    )


def _has_bounded_query(request):
    """Each parameter once, each from a small set of values (the category's checked later,
    only when the page is stored)."""
    for name, values in request.GET.lists():
        if len(values) != 1:
            return False
        value = values[0]
        if name == "page":
            if not PAGE_NUMBER.fullmatch(value):
                return False
        elif name in BOUNDED_VALUES:
            if value not in BOUNDED_VALUES[name]:
                return False
        elif name != "category":
            return False
    return True


def _names_real_category(request):
    slug = request.GET.get("category")
    return slug is None or slug in category_tree().by_slug


def _shared_key(request):
    canonical = request.path + "?" + urlencode(sorted(request.GET.items()))
    return "catalog-page:" + hashlib.sha256(canonical.encode()).hexdigest()


def _replay(request, entry):
    _, content_type, body = entry
    if CSRF_PLACEHOLDER in body:
        body = body.replace(CSRF_PLACEHOLDER, get_token(request).encode())
    response = HttpResponse(body, content_type=content_type)
    patch_vary_headers(response, ["Cookie"])
    return response


def cache_page_for_anonymous_visitors(view):
    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if not _is_anonymous_visitor(request):
            return view(request, *args, **kwargs)
        shared_key = _shared_key(request) if _has_bounded_query(request) else None
        local_key = request.get_full_path()
        # One round trip: the page is stored with the catalog version read before rendering
        # it, and only served while that version is current. No version (the cache is
        # unreachable) means nothing is served from, or stored in, either store.
        found = cache.get_many([key for key in (CATALOG_CACHE_VERSION_KEY, shared_key) if key])
        version = found.get(CATALOG_CACHE_VERSION_KEY) or catalog_cache_version()
        entry = found.get(shared_key) if shared_key else local_pages.get(local_key)
        if version is not None and entry is not None and entry[0] == version:
            return _replay(request, entry)
        response = view(request, *args, **kwargs)
        if (
            version is not None
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
        ):
            body = CSRF_INPUT.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\2", response.content)
            entry = (version, response["Content-Type"], body)
            if shared_key is None:
                local_pages.set(local_key, entry)
            elif _names_real_category(request):
                cache.set(shared_key, entry, settings.SHOP_CATALOG_CACHE_SECONDS)
        return response

    return cached_view
