"""The product listing, search, filters, sorts and pages of /products/ and /categories/."""

import re
from decimal import Decimal

import pytest
from django.test import override_settings

from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def product_names(response):
    """Product names in the order the cards show them."""
    return re.findall(r'<article class="product-card">.*?<h3>(.*?)</h3>', response.text, re.S)


def test_listing_shows_only_active_products_with_a_price(client, make_product):
    make_product("Teapot")
    make_product("Hidden Lamp", is_active=False)
    make_product("Ghost Chair", variants=[{"is_active": False}])

    response = client.get("/products/")

    assert response.status_code == 200
    assert product_names(response) == ["Teapot"]
    assert "1 product<" in response.text


def test_search_matches_name_brand_description_sku_and_category(client, make_product):
    kitchen = CategoryFactory(name="Kitchenware")
    make_product("Teapot", brand="Brewster", description="Cast iron.", categories=[kitchen])
    make_product("Garden Hose", brand="Aqua", variants=[{"sku": "HOSE-25M"}])

    def search(q):
        return product_names(client.get("/products/", {"q": q}))

    assert search("teapot") == ["Teapot"]
    assert search("brewster") == ["Teapot"]
    assert search("cast iron") == ["Teapot"]
    assert search("hose-25m") == ["Garden Hose"]
    assert search("kitchenware") == ["Teapot"]
    assert search("tea") == ["Teapot"]  # the last word typed matches as a prefix
    assert search("iron teapot") == ["Teapot"]
    assert search("iron hose") == []


def test_no_results_shows_a_hint_and_a_way_back(client, make_product):
    make_product("Teapot")

    response = client.get("/products/", {"q": "submarine"})

    assert response.status_code == 200
    assert "No products found" in response.text
    assert "Check the spelling" in response.text
    assert 'href="/products/">Show all products</a>' in response.text


def test_price_and_stock_filters(client, make_product):
    make_product("Cheap Mug", variants=[{"price": Decimal("5.00")}])
    make_product("Mid Bowl", variants=[{"price": Decimal("20.00"), "stock": 0}])
    make_product("Dear Vase", variants=[{"price": Decimal("80.00")}])

    def names(**params):
        return sorted(product_names(client.get("/products/", params)))

    assert names(min_price="10") == ["Dear Vase", "Mid Bowl"]
    assert names(max_price="20") == ["Cheap Mug", "Mid Bowl"]
    assert names(min_price="10", max_price="50") == ["Mid Bowl"]
    assert names(in_stock="1") == ["Cheap Mug", "Dear Vase"]
    assert names(in_stock="0") == ["Cheap Mug", "Dear Vase", "Mid Bowl"]


def test_a_product_is_in_stock_when_any_active_variant_is(client, make_product):
    make_product(
        "Shirt",
        variants=[
            {"options": {"Size": "S"}, "stock": 0},
            {"options": {"Size": "M"}, "stock": 2},
        ],
    )
    make_product("Retired Shirt", variants=[{"stock": 0}, {"stock": 5, "is_active": False}])

    assert product_names(client.get("/products/", {"in_stock": "1"})) == ["Shirt"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price", ["Apple", "Cherry", "Banana"]),
        ("-price", ["Banana", "Cherry", "Apple"]),
        ("name", ["Apple", "Banana", "Cherry"]),
        ("newest", ["Cherry", "Banana", "Apple"]),
    ],
)
@pytest.mark.parametrize("few", [3000, 0], ids=["sorted-after-filtering", "index-order"])
def test_sorts(client, make_product, monkeypatch, sort, expected, few):
    monkeypatch.setattr("catalog.selectors.FEW", few)
    make_product("Apple", variants=[{"price": Decimal("1.00")}])
    make_product("Banana", variants=[{"price": Decimal("3.00")}])
    make_product("Cherry", variants=[{"price": Decimal("2.00")}])

    assert product_names(client.get("/products/", {"sort": sort})) == expected


def test_category_page_lists_products_of_its_descendants_and_its_subcategories(
    client, make_product
):
    clothing = CategoryFactory(name="Clothing", slug="clothing")
    shirts = CategoryFactory(name="Shirts", slug="shirts", parent=clothing)
    linen = CategoryFactory(name="Linen Shirts", slug="linen-shirts", parent=shirts)
    kitchen = CategoryFactory(name="Kitchen", slug="kitchen")
    make_product("Scarf", categories=[clothing])
    make_product("Oxford Shirt", categories=[shirts])
    make_product("Linen Shirt", categories=[linen])
    make_product("Teapot", categories=[kitchen])

    response = client.get("/categories/clothing/")

    assert response.status_code == 200
    assert product_names(response) == ["Linen Shirt", "Oxford Shirt", "Scarf"]
    assert '<a href="/categories/shirts/">Shirts</a>' in response.text
    assert product_names(client.get("/categories/shirts/")) == ["Linen Shirt", "Oxford Shirt"]
    assert product_names(client.get("/products/", {"category": "shirts"})) == [
        "Linen Shirt",
        "Oxford Shirt",
    ]
    assert client.get("/categories/no-such-thing/").status_code == 404


def test_the_listing_offers_a_category_filter_of_the_top_two_levels(client, make_product):
    clothing = CategoryFactory(name="Clothing", slug="clothing")
    shirts = CategoryFactory(name="Shirts", slug="shirts", parent=clothing)
    CategoryFactory(name="Linen Shirts", slug="linen-shirts", parent=shirts)
    make_product("Oxford Shirt", categories=[shirts])
    make_product("Teapot")

    response = client.get("/products/", {"category": "shirts"})

    select = re.search(r'<select id="category" name="category">.*?</select>', response.text, re.S)
    assert '<label for="category">Category</label>' in response.text
    assert re.findall(r'<option value="([^"]*)"', select.group()) == ["", "clothing", "shirts"]
    assert '<option value="shirts" selected>' in select.group()
    assert product_names(response) == ["Oxford Shirt"]
    assert 'id="category"' not in client.get("/categories/clothing/").text


def test_category_breadcrumbs_lead_home_through_the_ancestors(client, make_product):
    clothing = CategoryFactory(name="Clothing", slug="clothing")
    CategoryFactory(name="Shirts", slug="shirts", parent=clothing)

    response = client.get("/categories/shirts/")

    breadcrumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', response.text, re.S).group()
    assert re.findall(r">([^<>]+)</(?:a|span)>", breadcrumbs) == [
        "Home",
        "All products",
        "Clothing",
        "Shirts",
    ]
    assert '<span aria-current="page">Shirts</span>' in breadcrumbs


def test_a_product_shows_once_even_when_in_two_listed_categories(client, make_product):
    clothing = CategoryFactory(name="Clothing", slug="clothing")
    shirts = CategoryFactory(name="Shirts", slug="shirts", parent=clothing)
    make_product("Shirt", categories=[clothing, shirts])

    response = client.get("/categories/clothing/")

    assert product_names(response) == ["Shirt"]
    assert "1 product<" in response.text


@override_settings(SHOP_PRODUCTS_PER_PAGE=2)
def test_pagination_keeps_the_other_parameters(client, make_product):
    for n in range(5):
        make_product(f"Lamp {n}", variants=[{"price": Decimal(10 + n)}])

    first = client.get("/products/", {"q": "lamp", "sort": "-price", "in_stock": "1"})
    second = client.get("/products/", {"q": "lamp", "sort": "-price", "in_stock": "1", "page": 2})

    assert product_names(first) == ["Lamp 4", "Lamp 3"]
    assert product_names(second) == ["Lamp 2", "Lamp 1"]
    next_link = re.search(r'<a href="([^"]+)" rel="next">', first.text).group(1)
    assert next_link == "?q=lamp&amp;sort=-price&amp;in_stock=1&amp;page=2"
    assert 'aria-label="Page 3"' in first.text


def test_the_24_products_a_page_default(client, make_product):
    for n in range(25):
        make_product(f"Cup {n:02d}")

    first = client.get("/products/", {"sort": "name"})
    second = client.get("/products/", {"sort": "name", "page": "2"})

    assert len(product_names(first)) == 24
    assert product_names(second) == ["Cup 24"]


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "0"},
        {"page": "-3"},
        {"min_price": "-1"},
        {"min_price": "abc", "max_price": "NaN"},
        {"max_price": "1e400"},
        {"min_price": "50", "max_price": "10"},
        {"sort": "drop table"},
        {"sort": "-pk"},
        {"in_stock": "maybe"},
        {"category": "no-such-category"},
        {"q": "x" * 5000},
        {"q": "' OR 1=1; -- & | ! :* <script>"},
        {"q": "the and"},
        {"q": "&&&"},
    ],
)
def test_bad_input_gives_a_normal_page(client, make_product, params):
    make_product("Teapot")

    response = client.get("/products/", params)

    assert response.status_code == 200
    assert "<h1>" in response.text
    assert "<script>" not in response.text


def test_invalid_filters_are_explained_and_ignored(client, make_product):
    make_product("Teapot")

    response = client.get("/products/", {"min_price": "-1", "sort": "drop table"})

    assert "Min price: Ensure this value is greater than or equal to 0." in response.text
    assert product_names(response) == ["Teapot"]


@pytest.mark.parametrize("page", ["2", "99999", "123456789012345678901234567890"])
def test_a_page_past_the_end_is_a_404(client, make_product, page):
    make_product("Teapot")

    assert client.get("/products/", {"page": page}).status_code == 404
    assert client.get("/products/", {"page": page, "q": "zzz"}).status_code == 404


def test_an_empty_first_page_is_a_normal_page(client):
    assert client.get("/products/").status_code == 200
    assert client.get("/products/", {"page": "1", "q": "nothing"}).status_code == 200


def test_cards_show_thumbnail_price_sale_and_stock(client, make_product, stored_image):
    make_product(
        "Lamp",
        variants=[{"price": Decimal("30.00"), "compare_at_price": Decimal("45.00"), "stock": 3}],
        images=[stored_image()],
    )
    make_product("Stool", variants=[{"price": Decimal("12.00"), "stock": 0}])

    html = client.get("/products/").text

    lamp, stool = re.findall(r'<article class="product-card">.*?</article>', html, re.S)
    assert 'width="400" height="400"' in lamp
    assert 'loading="lazy"' in lamp
    assert "/media/products/renditions/picture-thumb" in lamp
    assert "€30.00" in lamp
    assert '<del class="price-was"><span class="visually-hidden">Was </span>€45.00</del>' in lamp
    assert "Only 3 left" in lamp
    assert "img/product-placeholder.svg" in stool
    assert "Out of stock" in stool


def test_a_huge_listing_counts_up_to_a_cap_and_pages_end_there(client, make_product, monkeypatch):
    monkeypatch.setattr("catalog.selectors.MAX_COUNTED", 3)
    for n in range(5):
        make_product(f"Lamp {n}")

    with override_settings(SHOP_PRODUCTS_PER_PAGE=2):
        first = client.get("/products/")
        second = client.get("/products/", {"page": 2})
        third = client.get("/products/", {"page": 3})

    assert "3+ products<" in first.text
    assert 'aria-label="Page 2"' in first.text
    assert 'aria-label="Page 3"' not in first.text
    assert product_names(second) == ["Lamp 2", "Lamp 3"]
    assert third.status_code == 404
