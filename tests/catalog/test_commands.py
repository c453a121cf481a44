"""Operator commands: set_stock and seed_demo."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Category, Product, ProductImage, Variant

pytestmark = pytest.mark.django_db


def test_set_stock_sets_one_variants_stock(make_product):
    make_product("Lamp", variants=[{"sku": "LAMP-1", "stock": 9}])
    out = StringIO()

    call_command("set_stock", "LAMP-1", "3", stdout=out)

    assert Variant.objects.get(sku="LAMP-1").stock == 3
    assert "LAMP-1: stock is now 3." in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NOPE", "3"], "No variant has the SKU 'NOPE'."),
        (["LAMP-1", "-1"], "Stock must be a whole number of 0 or more"),
        (["LAMP-1", "two"], "QUANTITY must be a whole number, not 'two'."),
        (["LAMP-1", "2.5"], "QUANTITY must be a whole number"),
    ],
)
def test_set_stock_refuses_bad_input(make_product, args, message):
    make_product("Lamp", variants=[{"sku": "LAMP-1", "stock": 9}])

    with pytest.raises(CommandError, match=message):
        call_command("set_stock", *args, stdout=StringIO())

    assert Variant.objects.get(sku="LAMP-1").stock == 9


def test_seed_demo_is_idempotent(media_root):
    out = StringIO()
    call_command("seed_demo", products=40, seed=3, stdout=out, stderr=StringIO())
    counts = (Product.objects.count(), Variant.objects.count(), Category.objects.count())

    call_command("seed_demo", products=40, seed=3, stdout=out, stderr=StringIO())

    assert "40 products created" in out.getvalue()
    assert "0 products created, 40 already there, 0 categories created" in out.getvalue()
    assert (Product.objects.count(), Variant.objects.count(), Category.objects.count()) == counts
    assert counts[0] == 40
    assert 40 <= counts[1] <= 240
    # a believable catalog: subcategories, prices, some sold out, images with renditions
    assert Category.objects.filter(parent__isnull=False).exists()
    assert not Product.objects.filter(is_active=True, min_price__isnull=True).exists()
    assert Variant.objects.filter(stock=0).exists()
    image = ProductImage.objects.first()
    assert (image.width, image.thumbnail_width, image.display_width) == (800, 400, 800)
    for product in Product.objects.prefetch_related("variants"):
        options = [variant.options for variant in product.variants.all()]
        assert 1 <= len(options) <= 6
        assert len(options) == 1 or all(options)


def test_seed_demo_pages_render(client, media_root):
    call_command("seed_demo", products=30, stdout=StringIO(), stderr=StringIO())
    product = Product.objects.filter(is_active=True).first()

    assert client.get("/").status_code == 200
    assert client.get("/products/").status_code == 200
    assert client.get("/categories/clothing/").status_code == 200
    assert client.get(product.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("quantity", ["2147483648", "9" * 30])
def test_set_stock_refuses_a_quantity_beyond_the_stock_column(make_product, quantity):
    make_product("Lamp", variants=[{"sku": "LAMP-1", "stock": 9}])

    with pytest.raises(CommandError, match="Stock must be at most 2147483647"):
        call_command("set_stock", "LAMP-1", quantity, stdout=StringIO())

    assert Variant.objects.get(sku="LAMP-1").stock == 9


def test_set_stock_accepts_the_largest_quantity(make_product):
    make_product("Lamp", variants=[{"sku": "LAMP-1", "stock": 9}])

    call_command("set_stock", "LAMP-1", "2147483647", stdout=StringIO())

    assert Variant.objects.get(sku="LAMP-1").stock == 2147483647
