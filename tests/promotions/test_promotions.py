"""Automatic promotions on the catalog: sale prices on the rows listings read, so cards, product
pages, price sorts and filters, the page cache and the query budgets all stay right."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from catalog.models import Product, Variant
from catalog.services import refresh_products
from orders.models import OrderLine
from promotions import tasks
from promotions.models import Promotion
from promotions.services import apply_promotions, delete_promotions, end_promotions
from tests.factories import CategoryFactory
from tests.orders.helpers import buy

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def outdoor(make_product):
    """Outdoor > Tents with a tent, and a mug elsewhere."""
    outdoor = CategoryFactory(name="Outdoor", slug="outdoor")
    tents = CategoryFactory(name="Tents", slug="tents", parent=outdoor)
    kitchen = CategoryFactory(name="Kitchen", slug="kitchen")
    make_product("Ridge Tent", categories=[tents], variants=[{"price": D("199.00")}])
    make_product("Enamel Mug", categories=[kitchen], variants=[{"price": D("12.50")}])
    return outdoor


def prices(name):
    variant = Variant.objects.select_related("product").get(product__name=name)
    return variant.price, variant.sale_price, variant.product.min_price


def test_a_running_promotion_puts_sale_prices_on_its_category_and_subcategories(
    client, outdoor, make_promotion
):
    promotion = make_promotion("Outdoor weekend", 20, categories=[outdoor])

    assert prices("Ridge Tent") == (D("199.00"), D("159.20"), D("159.20"))
    assert prices("Enamel Mug") == (D("12.50"), None, D("12.50"))
    assert Variant.objects.get(product__name="Ridge Tent").sale_promotion_id == promotion.pk
    card = client.get("/categories/outdoor/").text
    assert '<span class="visually-hidden">Sale price </span>€159.20' in card
    assert '<del class="price-was"><span class="visually-hidden">Was </span>€199.00</del>' in card
    assert '<span class="sale-tag">Sale</span>' in card
    page = client.get(Product.objects.get(name="Ridge Tent").get_absolute_url()).text
    assert "€159.20" in page and "€199.00" in page


def test_price_sorts_and_filters_use_the_sale_price(client, outdoor, make_product, make_promotion):
    make_product("Camp Chair", variants=[{"price": D("100.00")}])
    make_promotion("Tents half price", 50, categories=[outdoor])  # the tent: 99.50

    cheapest_first = client.get("/products/?sort=price").text
    under_100 = client.get("/products/?max_price=99.99").text

    order = [cheapest_first.index(name) for name in ["Enamel Mug", "Ridge Tent", "Camp Chair"]]
    assert order == sorted(order)
    assert "Ridge Tent" in under_100 and "Camp Chair" not in under_100


def test_the_best_of_overlapping_promotions_wins(outdoor, make_promotion):
    tent = Product.objects.get(name="Ridge Tent")
    make_promotion("Outdoor", 10, categories=[outdoor], apply=False)
    best = make_promotion("Tent special", 25, products=[tent])

    variant = Variant.objects.get(product=tent)
    assert (variant.sale_price, variant.sale_promotion_id) == (D("149.25"), best.pk)


def test_inactive_promotions_are_not_applied(outdoor, make_promotion):
    make_promotion("Paused", 20, categories=[outdoor], is_active=False)

    assert prices("Ridge Tent")[1] is None


def test_a_promotion_with_neither_products_nor_categories_covers_the_whole_catalog(
    outdoor, make_promotion
):
    make_promotion("Everything", 10)

    assert prices("Enamel Mug")[1] == D("11.25")
    assert prices("Ridge Tent")[1] == D("179.10")


def test_beat_starts_and_ends_a_scheduled_promotion_on_time(outdoor, make_promotion):
    start = timezone.now() + timedelta(days=2)
    make_promotion(
        "Weekend", 20, categories=[outdoor], starts_at=start, ends_at=start + timedelta(days=2)
    )
    assert prices("Ridge Tent")[1] is None

    with time_machine.travel(start + timedelta(seconds=30)):
        tasks.apply_promotions()
        assert prices("Ridge Tent")[1] == D("159.20")
        assert tasks.apply_promotions() == 0  # nothing left to change
    with time_machine.travel(start + timedelta(days=2, seconds=30)):
        tasks.apply_promotions()
        assert prices("Ridge Tent") == (D("199.00"), None, D("199.00"))


def test_cached_pages_show_a_promotion_at_once_and_drop_it_when_it_ends(
    outdoor, make_promotion, django_capture_on_commit_callbacks
):
    # given an anonymous visitor's page in the whole-page cache
    cache.clear()
    before = Client().get("/categories/outdoor/").text
    assert "€199.00" in before and "price-was" not in before

    # when a promotion starts, then ends (the cache is invalidated as each commits)
    with django_capture_on_commit_callbacks(execute=True):
        promotion = make_promotion("Flash sale", 20, categories=[outdoor])
    during = Client().get("/categories/outdoor/").text
    with django_capture_on_commit_callbacks(execute=True):
        end_promotions(promotions=[promotion])
    after = Client().get("/categories/outdoor/").text

    # then the next visitors see each change at once
    assert "€159.20" in during and "price-was" in during
    assert "€159.20" not in after and "price-was" not in after


def test_a_price_edit_drops_the_sale_price_until_the_sweep_recomputes_it(outdoor, make_promotion):
    make_promotion("Outdoor weekend", 20, categories=[outdoor])
    tent = Variant.objects.get(product__name="Ridge Tent")

    # staff lower the price during the promotion (the admin and the import then refresh)
    Variant.objects.filter(pk=tent.pk).update(price=D("150.00"))
    refresh_products(product_ids=[tent.product_id])

    # then the old sale price (159.20, above the new price) is gone at once
    assert prices("Ridge Tent") == (D("150.00"), None, D("150.00"))
    apply_promotions()
    assert prices("Ridge Tent") == (D("150.00"), D("120.00"), D("120.00"))


def test_deleting_a_promotion_takes_its_prices_off_and_orders_keep_its_name(
    outdoor, make_promotion
):
    promotion = make_promotion("Outdoor weekend", 20, categories=[outdoor])
    order = buy(Variant.objects.get(product__name="Ridge Tent"))

    delete_promotions(promotions=[promotion])

    assert not Promotion.objects.exists()
    assert prices("Ridge Tent")[1] is None
    line = OrderLine.objects.get(order=order)
    assert (line.promotion, line.promotion_label, line.unit_price) == (
        None,
        "Outdoor weekend: 20% off",
        D("159.20"),
    )


def test_ending_a_promotion_that_has_not_started_deactivates_it(outdoor, make_promotion):
    promotion = make_promotion("Later", 20, starts_at=timezone.now() + timedelta(days=1))

    assert end_promotions(promotions=[promotion]) == 1

    promotion.refresh_from_db()
    assert (promotion.is_active, promotion.ends_at) == (False, None)
    assert end_promotions(promotions=[promotion]) == 0


@pytest.mark.parametrize("path", ["/", "/products/?sort=price", "/categories/outdoor/"])
def test_catalog_pages_keep_their_query_budget_with_promotions(
    outdoor, make_product, make_promotion, django_assert_max_num_queries, path
):
    for n in range(20):
        make_product(f"Tarp {n}", categories=[outdoor], variants=[{"price": D(20 + n)}])
    make_promotion("Outdoor weekend", 20, categories=[outdoor])
    client = Client()
    session = client.session
    session["cart"] = {}
    session.save()
    client.cookies["sessionid"] = session.session_key
    cache.clear()

    with django_assert_max_num_queries(8):
        response = client.get(path)

    assert response.status_code == 200
    assert "price-was" in response.text
