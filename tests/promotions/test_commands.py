"""Operator commands: create_discount_code (as the contract spells it), apply_promotions, and
the demo promotions behind `make run`."""

from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Product, TaxClass, Variant
from promotions.models import DiscountCode, Promotion

pytestmark = pytest.mark.django_db

D = Decimal


def create(*args):
    out = StringIO()
    call_command("create_discount_code", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_create_a_percentage_code_with_every_option(settings):
    settings.TIME_ZONE = "UTC"

    output = create(
        "Spring10",
        "--percent",
        "10",
        "--min-subtotal",
        "50",
        "--max-uses",
        "100",
        "--max-uses-per-customer",
        "1",
        "--starts",
        "2026-03-01",
        "--ends",
        "2026-03-31",
    )

    code = DiscountCode.objects.get()
    assert (code.code, code.kind, code.value, code.min_subtotal) == (
        "Spring10",
        "percent",
        D(10),
        D(50),
    )
    assert (code.max_uses, code.max_uses_per_customer) == (100, 1)
    assert code.starts_at == datetime(2026, 3, 1, tzinfo=UTC)
    assert code.ends_at == datetime(2026, 4, 1, tzinfo=UTC)  # through the end of 31 March
    assert output == (
        "Created discount code Spring10: 10% off, from a subtotal of €50.00, at most 100 "
        "orders, 1 per customer, from 2026-03-01 00:00 through 2026-03-31.\n"
    )


def test_create_an_amount_code_and_a_free_shipping_code():
    create("FIVER", "--amount", "5.00", "--ends", "2027-01-01T18:30")
    create("SHIPFREE", "--free-shipping")

    fiver, shipping = DiscountCode.objects.order_by("code")
    assert (fiver.kind, fiver.value, fiver.ends_at.hour, fiver.ends_at.minute) == (
        "amount",
        D(5),
        18,
        30,
    )
    assert (shipping.kind, shipping.value) == ("free_shipping", 0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["X10"], "one of the arguments --percent --amount --free-shipping is required"),
        (["X10", "--percent", "5", "--amount", "5"], "not allowed with argument --percent"),
        (["X10", "--percent", "150"], "'150' is more than 100"),
        (["X10", "--percent", "0"], "'0' must be more than 0"),
        (["X10", "--amount", "ten"], "'ten' is not a number"),
        (["X10", "--amount", "1.005"], "'1.005' has more than 2 decimal places"),
        (["X10", "--amount", "NaN"], "'NaN' must be more than 0"),
        (["X10", "--percent", "5", "--max-uses", "0"], "'0' is not a whole number of 1 or more"),
        (["X10", "--percent", "5", "--starts", "31/03/2026"], "is not a date like 2026-03-31"),
        (
            ["X10", "--percent", "5", "--starts", "2026-04-01", "--ends", "2026-03-01"],
            "--ends-at: The end must be after the start.",
        ),
        (["no spaces", "--percent", "5"], "CODE: Use 3 to 40 letters, digits"),
        (["AB", "--percent", "5"], "CODE: Use 3 to 40 letters, digits"),
    ],
)
def test_create_refuses_bad_input_with_a_clear_message(args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        create(*args)

    assert not DiscountCode.objects.exists()


def test_create_refuses_a_code_that_exists_in_another_case():
    create("SPRING10", "--percent", "10")

    with pytest.raises(CommandError, match="The discount code spring10 exists already."):
        create("spring10", "--amount", "5")


def test_apply_promotions_reports_what_changed(make_promotion):
    tent = Variant.objects.create(
        product=Product.objects.create(name="Tent", slug="tent"), sku="T-1", price=D(100)
    )
    make_promotion("Tents", 10, products=[tent.product], apply=False)

    first, second = StringIO(), StringIO()
    call_command("apply_promotions", stdout=first)
    call_command("apply_promotions", stdout=second)

    assert first.getvalue() == "Sale prices changed on 1 variant(s).\n"
    assert second.getvalue() == "Sale prices changed on 0 variant(s).\n"


def test_the_demo_has_reduced_rate_books_running_promotions_and_codes(media_root):
    call_command("seed_demo", products=60, seed=3, stdout=StringIO(), stderr=StringIO())
    out = StringIO()

    call_command("seed_demo_promotions", stdout=out)
    call_command("seed_demo_promotions", stdout=out)

    books = Product.objects.filter(variants__sku__startswith="BOO-").distinct()
    assert books.exists()
    assert set(books.values_list("tax_class", flat=True)) == {TaxClass.REDUCED}
    assert Product.objects.exclude(pk__in=books).filter(tax_class=TaxClass.REDUCED).count() == 0
    assert sorted(Promotion.objects.values_list("name", flat=True)) == [
        "Outdoor sale",
        "Reading week",
    ]
    assert Variant.objects.filter(sale_price__isnull=False, sku__startswith="OUT-").exists()
    assert not Variant.objects.filter(sale_price__isnull=False, sku__startswith="CLO-").exists()
    assert sorted(DiscountCode.objects.values_list("code", flat=True)) == ["FREESHIP", "WELCOME10"]
    assert "Demo discount code WELCOME10: 10% off." in out.getvalue()
