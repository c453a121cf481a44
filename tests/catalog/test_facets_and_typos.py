"""Search facets (brand, size, colour) with counts, and misspelt searches that still find the
product (PostgreSQL's pg_trgm), within the listing's one statistics query."""

import re
from decimal import Decimal

import pytest

from catalog import selectors
from catalog.models import SearchTerm

pytestmark = pytest.mark.django_db


def product_names(response):
    return sorted(
        re.findall(r'<article class="product-card">.*?<h3>(.*?)</h3>', response.text, re.S)
    )


def facet(html, parameter):
    """{value: (count, checked)} of one facet's checkboxes."""
    pattern = (
        rf'<input type="checkbox" id="{parameter}-\d+" name="{parameter}" value="([^"]+)"'
        rf'( checked)?><label [^>]*>[^<]*<span class="facet-count">\((\d+)\)</span>'
    )
    return {
        value: (int(count), bool(checked)) for value, checked, count in re.findall(pattern, html)
    }


@pytest.fixture
def wardrobe(make_product):
    def tee(name, brand, sizes, colour):
        return make_product(
            name,
            brand=brand,
            variants=[{"options": {"Size": size, "Colour": colour}} for size in sizes],
        )

    tee("Navy Tee", "Fjell", ["S", "M"], "Navy")
    tee("Red Tee", "Fjell", ["M", "L"], "Red")
    tee("Grey Tee", "Kestrel", ["L"], "Grey")
    make_product("Mug", brand="Kestrel", variants=[{"price": Decimal("8.00")}])


def test_facets_count_the_products_of_each_brand_size_and_colour(client, wardrobe):
    html = client.get("/products/").text

    assert facet(html, "brand") == {"Fjell": (2, False), "Kestrel": (2, False)}
    # sizes in the order people expect, not alphabetical
    assert list(facet(html, "size")) == ["S", "M", "L"]
    assert facet(html, "size") == {"S": (1, False), "M": (2, False), "L": (2, False)}
    assert facet(html, "colour") == {"Grey": (1, False), "Navy": (1, False), "Red": (1, False)}


def test_choosing_facets_narrows_the_listing_and_recounts_the_others(client, wardrobe):
    response = client.get("/products/", {"brand": "Fjell", "size": ["L", "S"]})
    html = response.text

    assert product_names(response) == ["Navy Tee", "Red Tee"]
    # each brand's count honours the size choice; each size's count the brand choice
    assert facet(html, "brand") == {"Fjell": (2, True), "Kestrel": (1, False)}
    assert facet(html, "size") == {"S": (1, True), "M": (2, False), "L": (1, True)}
    assert facet(html, "colour") == {"Navy": (1, False), "Red": (1, False)}

    response = client.get("/products/", {"colour": "Red", "size": "M"})
    assert product_names(response) == ["Red Tee"]
    assert "1 product" in response.text


def test_facet_choices_give_the_same_listing_whatever_their_order(client, wardrobe):
    first = client.get("/products/?size=M&size=L&brand=Fjell")
    second = client.get("/products/?brand=Fjell&size=L&size=M")
    assert product_names(first) == product_names(second) == ["Navy Tee", "Red Tee"]


def test_listings_with_facet_choices_add_no_shared_cache_entries(client, wardrobe, monkeypatch):
    # Facet values come from the URL: a shared entry per invented value would be unbounded.
    stored = []
    real_set = selectors.cache.set
    monkeypatch.setattr(
        selectors.cache,
        "set",
        lambda key, *args, **kwargs: [stored.append(key), real_set(key, *args, **kwargs)],
    )

    client.get("/products/", {"brand": "Fjell", "colour": "Red"})
    client.get("/products/", {"brand": "Invented"})
    assert not [key for key in stored if ":stats:" in key or ":page:" in key]

    client.get("/products/", {"sort": "price"})
    assert [key for key in stored if ":stats:" in key] and [
        key for key in stored if ":page:" in key
    ]


def test_unknown_or_oversized_facet_values_find_nothing_rather_than_fail(client, wardrobe):
    response = client.get("/products/", {"brand": ["x" * 500, "Nope"], "size": "\x00"})
    assert response.status_code == 200
    assert "No products found" in response.text


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("saucpan", "saucepan"),
        ("castiron", "cast iron"),
        ("cast iron saucepn", "cast iron saucepan"),
    ],
)
def test_a_misspelt_search_still_finds_the_product(postgres, client, make_product, typed, meant):
    make_product("Cast Iron Saucepan", brand="Oakridge")
    make_product("Linen Napkin")

    response = client.get("/products/", {"q": typed})

    assert product_names(response) == ["Cast Iron Saucepan"]
    assert f"Did you mean <strong>“{meant}”</strong>?" in response.text
    assert f"Nothing matched “{typed}”" in response.text


def test_a_correct_search_is_not_second_guessed(postgres, client, make_product):
    make_product("Cast Iron Saucepan")
    make_product("Saucer")

    response = client.get("/products/", {"q": "saucer"})

    assert product_names(response) == ["Saucer"]
    assert "Did you mean" not in response.text


def test_short_words_and_nonsense_are_not_corrected(postgres, client, make_product):
    make_product("Cast Iron Saucepan")
    for q in ["pam", "qwxzyv"]:
        response = client.get("/products/", {"q": q})
        assert product_names(response) == []
        assert "Did you mean" not in response.text


def test_the_words_of_names_brands_and_categories_are_kept_as_search_terms(postgres, make_product):
    make_product("Enamel Camping Mug", brand="Wildfell")
    assert {"enamel", "camping", "mug", "wildfell"} <= set(
        SearchTerm.objects.values_list("word", flat=True)
    )
