"""Write paths for content pages: saving or deleting a page refreshes the footer links and the
cached catalog pages that show them."""

import logging

from django.core.cache import cache
from django.db import transaction

from catalog.services import invalidate_catalog_cache
from pages.models import Page
from pages.selectors import FOOTER_CACHE_KEY

logger = logging.getLogger(__name__)


def _forget_cached_pages():
    try:
        cache.delete(FOOTER_CACHE_KEY)
    except Exception:
        logger.exception("Could not clear the cached footer links")
    # Whole catalog pages are cached with their footer; a new catalog version renders them anew.
    invalidate_catalog_cache()


def save_page(*, page: Page) -> Page:
    """Create or update a page; after commit, every cached footer is rendered anew. Safe to
    repeat."""
    with transaction.atomic():
        page.save()
        transaction.on_commit(_forget_cached_pages)
    return page


def delete_pages(*, page_ids: list[int]) -> int:
    """Delete pages; returns how many. Safe to repeat."""
    with transaction.atomic():
        deleted, _ = Page.objects.filter(pk__in=page_ids).delete()
        transaction.on_commit(_forget_cached_pages)
    return deleted
