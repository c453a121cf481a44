"""The promotions admin: codes with their uses and orders, 500 single-use codes generated and
exported as CSV, promotions applied to the catalog when staff save, end or delete them."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Variant
from orders.models import Order
from promotions.models import DiscountCode, Promotion
from tests.factories import CategoryFactory, VariantFactory
from tests.orders.helpers import buy

pytestmark = pytest.mark.django_db

CODES = "/admin/promotions/discountcode/"
PROMOTIONS = "/admin/promotions/promotion/"


def test_the_code_list_shows_uses_and_the_code_page_the_orders_that_used_it(
    admin_client, variant, make_code
):
    code = make_code("SPRING10", max_uses=100)
    order = buy(variant, 2, discount_code="SPRING10")

    listing = admin_client.get(CODES).text
    page = admin_client.get(f"{CODES}{code.pk}/change/").text

    assert "1 of 100" in listing and "10% off" in listing
    assert "orders that used it" in page.lower()
    assert f"/admin/orders/order/?q={order.number}" in page


def test_staff_cannot_lower_max_uses_below_the_uses_so_far(admin_client, variant, make_code):
    code = make_code("SPRING10", max_uses=5)
    buy(variant, 1, discount_code="SPRING10")
    buy(variant, 1, discount_code="SPRING10")

    response = admin_client.post(
        f"{CODES}{code.pk}/change/",
        {
            "code": "SPRING10",
            "kind": "percent",
            "value": "10",
            "is_active": "on",
            "max_uses": "1",
            "redemptions-TOTAL_FORMS": "0",
            "redemptions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "It has been used 2 times already." in response.text
    code.refresh_from_db()
    assert code.max_uses == 5


def test_a_code_differing_only_in_case_is_refused(admin_client, make_code):
    make_code("SPRING10")

    response = admin_client.post(
        f"{CODES}add/",
        {
            "code": "spring10",
            "kind": "percent",
            "value": "15",
            "is_active": "on",
            "redemptions-TOTAL_FORMS": "0",
            "redemptions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "A code with the same letters exists (codes ignore case)." in response.text
    assert DiscountCode.objects.count() == 1


def test_staff_generate_500_single_use_codes_and_export_them_as_csv(admin_client, make_code):
    # given a newsletter code: 15% off from 40.00, until the end of the month
    ends = timezone.now() + timedelta(days=20)
    template = make_code("NEWS", value=Decimal(15), min_subtotal=Decimal(40), ends_at=ends)
    template.categories.set([CategoryFactory()])

    # when staff ask for 500 like it
    page = admin_client.post(CODES, {"action": "generate_codes", "_selected_action": [template.pk]})
    response = admin_client.post(
        CODES,
        {
            "action": "generate_codes",
            "_selected_action": [template.pk],
            "apply": "yes",
            "count": "500",
            "prefix": "news",
        },
    )

    # then 500 new, unique, single-use codes carry the template's terms
    assert "How many codes" in page.text
    assert response.status_code == 302
    generated = DiscountCode.objects.exclude(pk=template.pk)
    assert generated.count() == 500
    assert len({code.code.upper() for code in generated}) == 500
    assert all(code.code.startswith("NEWS-") and len(code.code) == 15 for code in generated)
    assert set(generated.values_list("max_uses", "max_uses_per_customer")) == {(1, 1)}
    assert set(generated.values_list("value", "min_subtotal", "ends_at")) == {
        (Decimal(15), Decimal(40), ends)
    }
    assert all(code.categories.count() == 1 for code in generated[:5])
    batch = generated.first().batch
    assert response.url == f"{CODES}?batch={batch.replace(' ', '+').replace(':', '%3A')}"

    # and staff export them as CSV
    export = admin_client.post(
        CODES,
        {"action": "export_csv", "_selected_action": list(generated.values_list("pk", flat=True))},
    )
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert len(rows) == 500
    assert {row["code"] for row in rows} == set(generated.values_list("code", flat=True))
    assert rows[0]["description"] == "15% off" and rows[0]["max_uses"] == "1"


def test_generating_asks_for_one_template_code(admin_client, make_code):
    codes = [make_code("ONE"), make_code("TWO")]

    response = admin_client.post(
        CODES,
        {"action": "generate_codes", "_selected_action": [code.pk for code in codes]},
        follow=True,
    )

    assert "Select exactly one code to copy the terms from." in response.text
    assert DiscountCode.objects.count() == 2


def test_saving_a_promotion_in_the_admin_applies_it_at_once(admin_client):
    tent = VariantFactory(product__name="Tent", price="100.00")
    starts = timezone.now() - timedelta(hours=1)

    response = admin_client.post(
        f"{PROMOTIONS}add/",
        {
            "name": "Tent days",
            "percent": "25",
            "starts_at_0": starts.strftime("%Y-%m-%d"),
            "starts_at_1": starts.strftime("%H:%M:%S"),
            "is_active": "on",
            "products": [tent.product_id],
        },
        follow=True,
    )

    assert "Sale prices updated on 1 variant(s)." in response.text
    tent.refresh_from_db()
    assert tent.sale_price == Decimal("75.00")


def test_the_promotion_list_counts_and_links_the_orders_that_used_it(admin_client, make_promotion):
    tent = VariantFactory(product__name="Tent", price="100.00", stock=10)
    promotion = make_promotion("Tent days", 25, products=[tent.product])
    first, second = buy(tent, 1), buy(tent, 2)

    listing = admin_client.get(PROMOTIONS).text
    orders = admin_client.get("/admin/orders/order/", {"lines__promotion__id__exact": promotion.pk})

    assert "Running" in listing
    assert f"/admin/orders/order/?lines__promotion__id__exact={promotion.pk}" in listing
    assert set(orders.context["cl"].result_list) == {first, second}
    assert Order.objects.count() == 2


def test_ending_and_deleting_promotions_in_the_admin_take_the_sale_prices_off(
    admin_client, make_promotion
):
    tent = VariantFactory(product__name="Tent", price="100.00")
    ended = make_promotion("Ends", 20, products=[tent.product])
    deleted = make_promotion("Deleted", 10, products=[tent.product])

    admin_client.post(PROMOTIONS, {"action": "end_now", "_selected_action": [ended.pk]})
    assert Variant.objects.get(pk=tent.pk).sale_price == Decimal("90.00")
    admin_client.post(f"{PROMOTIONS}{deleted.pk}/delete/", {"post": "yes"})

    assert Variant.objects.get(pk=tent.pk).sale_price is None
    assert list(Promotion.objects.values_list("name", flat=True)) == ["Ends"]
