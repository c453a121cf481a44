"""Reads of content pages: one page to show, and the footer's links (cached: every page of the
shop renders them)."""

import logging
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from pages.models import Page

logger = logging.getLogger(__name__)

FOOTER_CACHE_KEY = "pages:footer"


class FooterLink(NamedTuple):
    title: str
    url: str


def published_pages():
    return Page.objects.filter(is_published=True)


def page_for_slug(slug):
    """The published page with this slug, or None."""
    return published_pages().filter(slug=slug).first()


def _load_footer_links():
    rows = published_pages().filter(in_footer=True).values_list("title", "slug")
    return [FooterLink(title, reverse("pages:page", args=[slug])) for title, slug in rows]


def footer_links():
    """(title, url) of the pages linked from every page's footer, in their order. A cache
    outage degrades to one query rather than a failing page."""
    try:
        links = cache.get(FOOTER_CACHE_KEY)
    except Exception:
        logger.exception("Cache unavailable for the footer links")
        return _load_footer_links()
    if links is None:
        links = _load_footer_links()
        try:
            cache.set(FOOTER_CACHE_KEY, links, settings.SHOP_CATALOG_CACHE_SECONDS)
        except Exception:
            logger.exception("Cache unavailable for the footer links")
    return links
