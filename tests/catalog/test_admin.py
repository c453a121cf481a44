"""The catalog admin for the "Catalog managers" group."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog.models import Product
from tests.factories import CategoryFactory, UserFactory
from tests.two_factor import log_in_with_second_factor

pytestmark = pytest.mark.django_db


def test_catalog_managers_have_exactly_the_catalog_permissions():
    group = Group.objects.get(name="Catalog managers")

    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))

    assert codenames == {
        ("catalog", f"{action}_{model}")
        for model in ["category", "product", "variant", "productimage"]
        for action in ["add", "change", "delete", "view"]
    }


def test_manager_sees_the_product_list_with_thumbnails_and_stock(
    client, catalog_manager, make_product, stored_image
):
    make_product("Lamp", images=[stored_image()], variants=[{"stock": 2}])
    log_in_with_second_factor(client, catalog_manager)

    response = client.get("/admin/catalog/product/")

    assert response.status_code == 200
    html = response.text
    assert "Lamp" in html
    assert "picture-thumb" in html
    assert "Only 2 left" in html


def test_low_stock_filters(client, catalog_manager, make_product):
    make_product("Plenty", variants=[{"sku": "PLENTY", "stock": 50}])
    make_product("Scarce", variants=[{"sku": "SCARCE", "stock": 2}])
    make_product("Gone", variants=[{"sku": "GONE", "stock": 0}])
    log_in_with_second_factor(client, catalog_manager)

    low_products = client.get("/admin/catalog/product/", {"stock": "low"}).text
    out_products = client.get("/admin/catalog/product/", {"stock": "out"}).text
    low_variants = client.get("/admin/catalog/variant/", {"stock": "low"}).text

    assert "Scarce" in low_products and "Plenty" not in low_products
    assert "Gone" in out_products and "Scarce" not in out_products
    assert "SCARCE" in low_variants and "PLENTY" not in low_variants and "GONE" not in low_variants


def test_search_by_sku(client, catalog_manager, make_product):
    make_product("Lamp", variants=[{"sku": "LAMP-42"}])
    make_product("Stool", variants=[{"sku": "STOOL-7"}])
    log_in_with_second_factor(client, catalog_manager)

    html = client.get("/admin/catalog/product/", {"q": "LAMP-42"}).text

    assert ">Lamp<" in html
    assert ">Stool<" not in html


def test_bulk_deactivate_and_activate(client, catalog_manager, make_product):
    lamp, stool = make_product("Lamp"), make_product("Stool")
    log_in_with_second_factor(client, catalog_manager)

    client.post(
        "/admin/catalog/product/",
        {"action": "deactivate", "_selected_action": [lamp.pk, stool.pk]},
    )
    assert list(Product.objects.filter(is_active=True)) == []

    client.post("/admin/catalog/product/", {"action": "activate", "_selected_action": [lamp.pk]})
    assert list(Product.objects.filter(is_active=True)) == [lamp]


def test_category_list_shows_the_tree_indented(client, catalog_manager):
    clothing = CategoryFactory(name="Clothing", position=1)
    CategoryFactory(name="Shirts", parent=clothing)
    CategoryFactory(name="Aprons", position=0)
    log_in_with_second_factor(client, catalog_manager)

    html = client.get("/admin/catalog/category/").text

    assert html.index(">Aprons<") < html.index(">Clothing<") < html.index(">— Shirts<")


def picture_upload(name="lamp.png"):
    buffer = BytesIO()
    Image.new("RGBA", (1600, 1200), (30, 120, 200, 255)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_adding_a_product_with_an_image_makes_renditions(client, catalog_manager, media_root):
    category = CategoryFactory(name="Lighting")
    log_in_with_second_factor(client, catalog_manager)

    response = client.post(
        "/admin/catalog/product/add/",
        {
            "name": "Desk Lamp",
            "slug": "desk-lamp",
            "brand": "Lumen",
            "description": "Bright.",
            "categories": [category.pk],
            "is_active": "on",
            "tax_class": "standard",
            "variants-TOTAL_FORMS": "1",
            "variants-INITIAL_FORMS": "0",
            "variants-MIN_NUM_FORMS": "1",
            "variants-MAX_NUM_FORMS": "1000",
            "variants-0-sku": "DESK-1",
            "variants-0-options": "{}",
            "variants-0-price": "39.00",
            "variants-0-stock": "4",
            "variants-0-is_active": "on",
            "variants-0-position": "0",
            "images-TOTAL_FORMS": "1",
            "images-INITIAL_FORMS": "0",
            "images-MIN_NUM_FORMS": "0",
            "images-MAX_NUM_FORMS": "1000",
            "images-0-image": picture_upload(),
            "images-0-alt_text": "A blue desk lamp",
            "images-0-position": "0",
        },
    )

    assert response.status_code == 302, response.context["errors"]
    product = Product.objects.get(slug="desk-lamp")
    assert product.min_price == Decimal("39.00")
    image = product.images.get()
    assert (image.width, image.height) == (1600, 1200)
    assert (image.thumbnail_width, image.thumbnail_height) == (400, 400)
    assert (image.display_width, image.display_height) == (1000, 750)
    page = client.get(product.get_absolute_url()).text
    assert image.display.url in page
    assert 'width="1000" height="750"' in page


def test_admin_is_closed_to_customers_and_to_staff_without_the_group(client, make_product):
    make_product("Lamp")
    customer = UserFactory()
    client.force_login(customer)
    response = client.get("/admin/catalog/product/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")

    log_in_with_second_factor(client, UserFactory(is_staff=True))
    assert client.get("/admin/catalog/product/").status_code == 403
    response = client.post("/admin/catalog/product/", {"action": "deactivate"})
    assert response.status_code == 403
    assert Product.objects.filter(is_active=True).count() == 1


@pytest.mark.parametrize("new_parent", ["itself", "its child", "its grandchild"])
def test_a_category_cannot_be_moved_inside_itself(client, catalog_manager, new_parent):
    # A loop in the tree sent every page that walks it (the category, its products, the
    # export) into an endless loop.
    clothing = CategoryFactory(name="Clothing", slug="clothing")
    shirts = CategoryFactory(name="Shirts", slug="shirts", parent=clothing)
    oxford = CategoryFactory(name="Oxford", slug="oxford", parent=shirts)
    parent = {"itself": clothing, "its child": shirts, "its grandchild": oxford}[new_parent]
    log_in_with_second_factor(client, catalog_manager)

    response = client.post(
        f"/admin/catalog/category/{clothing.pk}/change/",
        {"name": "Clothing", "slug": "clothing", "parent": parent.pk, "position": 0},
    )

    assert response.status_code == 200
    assert "A category cannot be moved inside itself or one of its subcategories." in (
        response.text
    )
    clothing.refresh_from_db()
    assert clothing.parent is None


def test_a_category_can_be_moved_under_another_branch(client, catalog_manager):
    clothing = CategoryFactory(name="Clothing", slug="clothing")
    home = CategoryFactory(name="Home", slug="home")
    shirts = CategoryFactory(name="Shirts", slug="shirts", parent=clothing)
    log_in_with_second_factor(client, catalog_manager)

    response = client.post(
        f"/admin/catalog/category/{shirts.pk}/change/",
        {"name": "Shirts", "slug": "shirts", "parent": home.pk, "position": 0},
    )

    assert response.status_code == 302
    shirts.refresh_from_db()
    assert shirts.parent == home
