"""The product page: what a customer reads and the add-to-cart form (CONTRACT.md)."""

import re
from decimal import Decimal

import pytest

from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def buy_form(html):
    return re.search(r'<form class="product-buy".*?</form>', html, re.S).group()


def test_single_variant_product_shows_name_price_stock_and_sku(client, make_product):
    product = make_product(
        "Teapot", variants=[{"sku": "TEA-1", "price": Decimal("24.50"), "stock": 12}]
    )

    response = client.get(product.get_absolute_url())

    html = response.text
    assert response.status_code == 200
    assert "<h1>Teapot</h1>" in html
    assert '<span class="price">€24.50</span>' in html
    assert '<p class="stock stock-in">In stock</p>' in html
    assert "SKU: TEA-1" in html
    form = buy_form(html)
    assert 'action="/cart/add/"' in form
    assert 'method="post"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert f'<input type="hidden" name="variant" value="{product.variants.get().pk}">' in form
    assert '<label for="quantity">Quantity</label>' in form
    assert 'name="quantity"' in form
    assert '<button type="submit" class="button button-large">Add to cart</button>' in form
    assert "<select" not in form


def test_low_stock_says_only_n_left(client, make_product):
    product = make_product("Teapot", variants=[{"stock": 3}])

    html = client.get(product.get_absolute_url()).text

    assert '<p class="stock stock-low">Only 3 left</p>' in html
    assert 'max="3"' in buy_form(html)


def test_five_left_is_low_and_six_is_in_stock(client, make_product):
    five = make_product("Five", variants=[{"stock": 5}])
    six = make_product("Six", variants=[{"stock": 6}])

    assert "Only 5 left" in client.get(five.get_absolute_url()).text
    assert "In stock" in client.get(six.get_absolute_url()).text


def test_out_of_stock_has_no_enabled_add_to_cart(client, make_product):
    product = make_product("Teapot", variants=[{"stock": 0}])

    html = client.get(product.get_absolute_url()).text

    assert '<p class="stock stock-out">Out of stock</p>' in html
    buttons = re.findall(r"<button[^>]*>Add to cart</button>", html)
    assert buttons and all("disabled" in button for button in buttons)


def test_variants_are_chosen_in_a_select_labelled_with_the_option_names(client, make_product):
    product = make_product(
        "Shirt",
        variants=[
            {"sku": "SH-S", "options": {"Size": "S", "Colour": "Red"}, "stock": 0},
            {"sku": "SH-M", "options": {"Size": "M", "Colour": "Red"}, "stock": 2},
            {
                "sku": "SH-L",
                "options": {"Size": "L", "Colour": "Red"},
                "stock": 40,
                "price": Decimal("12.00"),
            },
        ],
    )
    small, medium, large = product.variants.order_by("position")

    html = client.get(product.get_absolute_url()).text

    form = buy_form(html)
    assert '<label for="variant">Size / Colour</label>' in form
    # Not `required`: a variant is always preselected (the Nu checker wants an empty first
    # option on a required select).
    assert '<select id="variant" name="variant">' in form
    assert f'<option value="{small.pk}" disabled>S / Red – €10.00 (Out of stock)</option>' in form
    assert f'<option value="{medium.pk}" selected>M / Red – €10.00 (Only 2 left)</option>' in form
    assert f'<option value="{large.pk}">L / Red – €12.00</option>' in form
    assert "SKU:" not in html
    assert '<span class="price-from">From</span>' in html
    assert "In stock" in html  # 42 units across the variants
    assert "disabled>Add to cart" not in form


def test_inactive_variants_are_not_offered(client, make_product):
    product = make_product(
        "Shirt",
        variants=[
            {"sku": "SH-S", "options": {"Size": "S"}},
            {"sku": "SH-M", "options": {"Size": "M"}, "is_active": False},
        ],
    )

    html = client.get(product.get_absolute_url()).text

    assert "SKU: SH-S" in html
    assert ">M" not in html


def test_sale_price_is_shown_with_the_former_price_struck_through(client, make_product):
    product = make_product(
        "Lamp", variants=[{"price": Decimal("30.00"), "compare_at_price": Decimal("45.00")}]
    )

    html = client.get(product.get_absolute_url()).text

    assert "€30.00</span>" in html
    assert '<del class="price-was"><span class="visually-hidden">Was </span>€45.00</del>' in html


def test_breadcrumbs_follow_the_products_category(client, make_product):
    home = CategoryFactory(name="Home & Kitchen", slug="home")
    pots = CategoryFactory(name="Teapots", slug="teapots", parent=home)
    product = make_product("Teapot", categories=[pots])

    html = client.get(product.get_absolute_url()).text

    breadcrumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group()
    assert re.findall(r">([^<>]+)</(?:a|span)>", breadcrumbs) == [
        "Home",
        "Home &amp; Kitchen",
        "Teapots",
        "Teapot",
    ]


def test_images_have_sizes_and_a_placeholder_without_any(client, make_product, stored_image):
    pictured = make_product("Lamp", images=[stored_image("a.jpg"), stored_image("b.jpg")])
    plain = make_product("Stool")

    pictured_html = client.get(pictured.get_absolute_url()).text
    plain_html = client.get(plain.get_absolute_url()).text

    main = re.search(r'<img class="main-image"[^>]*>', pictured_html).group()
    assert 'width="640" height="480"' in main
    assert "/media/products/renditions/a-display" in main
    # the main picture is what the page is about (loaded first); the thumbnails wait
    assert 'fetchpriority="high"' in main and "loading" not in main
    assert pictured_html.count('loading="lazy"') == 2
    assert "img/product-placeholder.svg" in plain_html


def test_unknown_or_inactive_product_is_a_404(client, make_product):
    hidden = make_product("Hidden", is_active=False)

    assert client.get("/products/no-such-product/").status_code == 404
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_home_shows_categories_and_featured_products_first(client, make_product):
    CategoryFactory(name="Garden", slug="garden")
    make_product("Plain Pot")
    make_product("Star Pot", is_featured=True)

    html = client.get("/").text

    assert '<a href="/categories/garden/">Garden</a>' in html
    assert re.findall(r"<h3>(.*?)</h3>", html) == ["Star Pot", "Plain Pot"]
