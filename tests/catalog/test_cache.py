"""Catalog pages come from the cache, and staff edits of a product, its price or its stock
show at once: every write path invalidates the cache."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from catalog.models import Product, Variant
from catalog.services import invalidate_catalog_cache, set_stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def teapot(make_product):
    return make_product(
        "Teapot", variants=[{"sku": "TEA-1", "price": Decimal("10.00"), "stock": 20}]
    )


def test_pages_are_cached_until_invalidated(client, teapot):
    assert "€10.00" in client.get("/products/").text
    # a change behind the services' back is not seen: the page comes from the cache
    Variant.objects.filter(sku="TEA-1").update(price=Decimal("99.00"))
    Product.objects.filter(pk=teapot.pk).update(min_price=Decimal("99.00"))
    assert "€10.00" in client.get("/products/").text

    invalidate_catalog_cache()

    assert "€99.00" in client.get("/products/").text


def test_set_stock_invalidates_the_product_page(client, teapot, django_capture_on_commit_callbacks):
    assert "In stock" in client.get(teapot.get_absolute_url()).text

    with django_capture_on_commit_callbacks(execute=True):
        set_stock(sku="TEA-1", quantity=3)

    assert "Only 3 left" in client.get(teapot.get_absolute_url()).text


def test_set_stock_command_invalidates_the_listing(
    client, teapot, django_capture_on_commit_callbacks
):
    assert "In stock" in client.get("/products/").text

    with django_capture_on_commit_callbacks(execute=True):
        call_command("set_stock", "TEA-1", "0")

    html = client.get("/products/").text
    assert "Out of stock" in html
    assert "1 product<" in html
    assert "0 products<" in client.get("/products/", {"in_stock": "1"}).text


def test_staff_price_edit_in_the_admin_shows_at_once(
    client, admin_client, teapot, django_capture_on_commit_callbacks
):
    variant = teapot.variants.get()
    assert "€10.00" in client.get(teapot.get_absolute_url()).text
    assert "€10.00" in client.get("/products/").text

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/catalog/variant/{variant.pk}/change/",
            {
                "product": teapot.pk,
                "sku": "TEA-1",
                "options": "{}",
                "price": "12.50",
                "compare_at_price": "15.00",
                "stock": "20",
                "is_active": "on",
                "position": "0",
            },
        )
    assert response.status_code == 302

    assert "€12.50" in client.get(teapot.get_absolute_url()).text
    listing = client.get("/products/").text
    assert "€12.50" in listing
    assert "€15.00</del>" in listing


def product_change_data(product, **changes):
    """The admin change form's POST data for a product with its variant and image inlines."""
    variants = list(product.variants.all())
    data = {
        "name": product.name,
        "slug": product.slug,
        "brand": product.brand,
        "description": product.description,
        "is_active": "on",
        "tax_class": product.tax_class,
        "variants-TOTAL_FORMS": str(len(variants)),
        "variants-INITIAL_FORMS": str(len(variants)),
        "variants-MIN_NUM_FORMS": "1",
        "variants-MAX_NUM_FORMS": "1000",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
    }
    for i, variant in enumerate(variants):
        data |= {
            f"variants-{i}-id": str(variant.pk),
            f"variants-{i}-product": str(product.pk),
            f"variants-{i}-sku": variant.sku,
            f"variants-{i}-options": "{}",
            f"variants-{i}-price": str(variant.price),
            f"variants-{i}-compare_at_price": "",
            f"variants-{i}-stock": str(variant.stock),
            f"variants-{i}-is_active": "on",
            f"variants-{i}-position": str(variant.position),
        }
    return data | changes


def test_staff_product_edit_in_the_admin_shows_at_once(
    client, admin_client, teapot, django_capture_on_commit_callbacks
):
    assert "Teapot" in client.get("/products/").text

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/catalog/product/{teapot.pk}/change/",
            product_change_data(teapot, name="Tea Kettle", **{"variants-0-price": "7.00"}),
        )
    assert response.status_code == 302, response.context["errors"]

    listing = client.get("/products/").text
    assert "Tea Kettle" in listing
    assert "€7.00" in listing
    teapot.refresh_from_db()
    assert teapot.min_price == Decimal("7.00")


def test_deactivating_in_the_admin_removes_the_product_from_the_shop(
    client, admin_client, teapot, django_capture_on_commit_callbacks
):
    assert client.get(teapot.get_absolute_url()).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/catalog/product/",
            {"action": "deactivate", "_selected_action": [teapot.pk]},
        )

    assert client.get(teapot.get_absolute_url()).status_code == 404
    assert "Teapot" not in client.get("/products/").text
