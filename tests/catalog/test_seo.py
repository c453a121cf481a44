"""What search engines read: robots.txt, the sitemap, canonical links, Open Graph and the
product's schema.org JSON-LD (parsed, as a crawler would)."""

import json
import re
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.test import override_settings

from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

SITE = "https://shop.example.com"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def locations(response):
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own sitemap
    return [element.text for element in root.findall(".//sm:loc", SITEMAP_NS)]


def json_ld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def meta(html, attribute, name):
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)
    return match and match.group(1)


@override_settings(SITE_URL=SITE)
def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_private_pages(client):
    response = client.get("/robots.txt")

    assert response["Content-Type"].startswith("text/plain")
    lines = response.text.splitlines()
    for path in ["/cart/", "/checkout/", "/accounts/", "/orders/", "/admin/"]:
        assert f"Disallow: {path}" in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines


@override_settings(SITE_URL=SITE)
def test_the_sitemap_lists_every_listable_product_category_and_page(client, make_product):
    shelf = CategoryFactory(name="Shelves", slug="shelves")
    listed = make_product("Oak Shelf", categories=[shelf])
    hidden = make_product("Hidden Shelf", is_active=False)

    index = client.get("/sitemap.xml")
    sections = locations(index)
    urls = [url for section in sections for url in locations(client.get(section[len(SITE) :]))]

    assert index.status_code == 200
    assert f"{SITE}/sitemap-products.xml" in sections
    assert f"{SITE}{listed.get_absolute_url()}" in urls
    assert f"{SITE}{hidden.get_absolute_url()}" not in urls
    assert f"{SITE}/categories/shelves/" in urls
    assert f"{SITE}/pages/shipping-returns/" in urls
    assert f"{SITE}/" in urls


@override_settings(SITE_URL=SITE, SHOP_CURRENCY="EUR")
def test_a_product_page_carries_canonical_open_graph_and_product_json_ld(
    client, make_product, stored_image
):
    product = make_product(
        "Trail Runner",
        brand="Stride",
        description="A light shoe for muddy trails.",
        variants=[
            {"sku": "TR-42", "options": {"Size": "42"}, "price": Decimal("89.00"), "stock": 9},
            {"sku": "TR-43", "options": {"Size": "43"}, "price": Decimal("89.00"), "stock": 0},
        ],
        images=[stored_image("runner.jpg")],
    )
    url = f"{SITE}{product.get_absolute_url()}"

    html = client.get(product.get_absolute_url(), {"utm_source": "mail"}).text

    assert f'<link rel="canonical" href="{url}">' in html
    assert meta(html, "name", "description") == "A light shoe for muddy trails."
    assert meta(html, "property", "og:type") == "product"
    assert meta(html, "property", "og:title") == "Trail Runner"
    assert meta(html, "property", "og:url") == url
    assert meta(html, "property", "og:image").startswith(f"{SITE}/media/")
    assert meta(html, "property", "product:price:amount") == "89.00"
    assert meta(html, "property", "product:price:currency") == "EUR"
    (data,) = json_ld(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Product"
    assert data["name"] == "Trail Runner"
    assert data["brand"] == {"@type": "Brand", "name": "Stride"}
    assert data["image"][0].startswith(f"{SITE}/media/")
    offers = {offer["sku"]: offer for offer in data["offers"]}
    assert offers["TR-42"]["price"] == "89.00"
    assert offers["TR-42"]["priceCurrency"] == "EUR"
    assert offers["TR-42"]["availability"] == "https://schema.org/InStock"
    assert offers["TR-43"]["availability"] == "https://schema.org/OutOfStock"


def test_json_ld_cannot_be_broken_out_of_by_product_text(client, make_product):
    product = make_product("Evil </script><script>alert(1)</script>", description="a & b")

    html = client.get(product.get_absolute_url()).text

    assert "<script>alert(1)" not in html
    (data,) = json_ld(html)
    assert data["name"] == "Evil </script><script>alert(1)</script>"
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert data["offers"]["price"] == "10.00"


@override_settings(SITE_URL=SITE)
@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/products/", "/products/"),
        ("/products/?sort=price&in_stock=1", "/products/"),
        ("/products/?category=chairs", "/categories/chairs/"),
        ("/categories/chairs/?brand=Oak&sort=-price", "/categories/chairs/"),
        ("/products/?page=2", "/products/?page=2"),
    ],
)
def test_filtered_and_sorted_listings_point_search_engines_to_the_base_page(
    client, make_product, path, canonical
):
    chairs = CategoryFactory(name="Chairs", slug="chairs")
    for number in range(30):
        make_product(f"Chair {number}", brand="Oak", categories=[chairs])

    html = client.get(path).text

    assert f'<link rel="canonical" href="{SITE}{canonical}">' in html
    assert 'name="robots"' not in html


def test_search_results_are_not_indexed(client, make_product):
    make_product("Chair")
    html = client.get("/products/", {"q": "chair"}).text
    assert '<meta name="robots" content="noindex, follow">' in html
