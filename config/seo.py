"""What crawlers read: /robots.txt and the sitemap (an index of per-kind sitemaps: products,
categories, content pages), with every address under SITE_URL, the shop's public address."""

from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from catalog.page_cache import cache_page_for_anonymous_visitors
from catalog.selectors import category_tree, listable_products
from pages.selectors import published_pages

# Pages no crawler should index: personal, transactional or staff-only.
ROBOTS_DISALLOWED = ["/cart/", "/checkout/", "/accounts/", "/orders/", "/admin/"]


class SiteUrlSitemap(Sitemap):
    """Addresses under SITE_URL rather than whatever host the request came in on."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class ProductSitemap(SiteUrlSitemap):
    limit = 5000  # products per sitemap page: each stays small and quick to render

    def items(self):
        return listable_products().order_by("pk").only("slug", "updated_at")

    def lastmod(self, product):
        return product.updated_at


class CategorySitemap(SiteUrlSitemap):
    def items(self):
        return [category for category, _depth in category_tree().walk()]


class PageSitemap(SiteUrlSitemap):
    def items(self):
        return list(published_pages().order_by("position", "pk"))

    def lastmod(self, page):
        return page.updated_at


class HomeSitemap(SiteUrlSitemap):
    def items(self):
        return ["catalog:home", "catalog:product_list"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "home": HomeSitemap,
    "categories": CategorySitemap,
    "products": ProductSitemap,
    "pages": PageSitemap,
}


def _rendered(view, request, **kwargs):
    """The sitemap views answer lazily rendered responses; the page cache stores content."""
    response = view(request, sitemaps=SITEMAPS, **kwargs)
    return response.render() if hasattr(response, "render") else response


@cache_page_for_anonymous_visitors
@require_GET
def sitemap_index(request):
    """Django's index names the host the request came in on; this one names SITE_URL."""
    items = []
    for section, sitemap_class in SITEMAPS.items():
        url = settings.SITE_URL + reverse("sitemap_section", kwargs={"section": section})
        pages = sitemap_class().paginator.num_pages
        items.append(sitemap_views.SitemapIndexItem(url, None))
        items += [sitemap_views.SitemapIndexItem(f"{url}?p={n}", None) for n in range(2, pages + 1)]
    response = TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": items}, content_type="application/xml"
    )
    return response.render()


sitemap_section = cache_page_for_anonymous_visitors(
    require_GET(partial(_rendered, sitemap_views.sitemap))
)


@require_GET
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOWED)]
    lines += ["", f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
