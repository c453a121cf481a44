"""Full-text search on PostgreSQL: weighted, ranked, prefix-matching, index-backed."""

import re

import pytest
from django.db import connection

from catalog.models import Product
from catalog.selectors import search_query
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def product_names(response):
    return re.findall(r'<article class="product-card">.*?<h3>(.*?)</h3>', response.text, re.S)


def test_relevance_ranks_name_matches_above_description_matches(postgres, client, make_product):
    make_product("Kettle", description="Pairs well with any teapot.")
    make_product("Cast Iron Teapot", description="A teapot. Teapot lovers' teapot.")
    make_product("Teapot", brand="Brewster")
    make_product("Mug", brand="Teapot Works")

    names = product_names(client.get("/products/", {"q": "teapot"}))

    assert names[:2] in (["Teapot", "Cast Iron Teapot"], ["Cast Iron Teapot", "Teapot"])
    assert names[2:] == ["Mug", "Kettle"]  # brand (B) above description (D)


def test_stemming_and_prefix_of_the_last_word(postgres, client, make_product):
    make_product("Running Shoes")
    make_product("Shoelace Set")
    make_product("Runner Beans")

    def search(q):
        return sorted(product_names(client.get("/products/", {"q": q})))

    assert search("shoe") == ["Running Shoes", "Shoelace Set"]
    assert search("run shoe") == ["Running Shoes"]
    assert search("runn") == ["Runner Beans", "Running Shoes"]


def test_search_finds_skus_and_category_names(postgres, client, make_product):
    garden = CategoryFactory(name="Garden Furniture")
    make_product("Bench", categories=[garden], variants=[{"sku": "BN-2040-OAK"}])
    make_product("Lamp")

    assert product_names(client.get("/products/", {"q": "BN-2040-OAK"})) == ["Bench"]
    assert product_names(client.get("/products/", {"q": "furniture"})) == ["Bench"]


def test_search_uses_the_gin_index(postgres, make_product):
    make_product("Teapot")
    matches = Product.objects.filter(search_vector=search_query(["iron", "teap"]))

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = matches.explain()

    assert "catalog_product_search_vector_gin" in plan
