"""import_products / export_products: the CSV format, validation by line, dry runs,
idempotent re-runs and the round trip."""

import csv
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from catalog.csv_format import COLUMNS
from catalog.models import Category, Product, ProductImage, TaxClass, Variant

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)
VALID = f"""{HEADER}
SH-S,oxford,Oxford Shirt,Marlow,Clothing > Shirts,Size=S; Colour=Blue,29.90,39.90,5,yes,yes,"Crisp.
Button-down.",
SH-M,oxford,,,,Size=M; Colour=Blue,29.90,39.90,0,yes,,,
MUG-1,enamel-mug,Enamel Mug,Camp,Home > Kitchen | Outdoor,,12.50,,30,,,Survives drops.,
"""


def write(tmp_path, text, name="products.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_import(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_products", str(path), *args, stdout=out, stderr=err)
    return out.getvalue()


def test_import_creates_products_variants_and_categories(tmp_path):
    output = run_import(write(tmp_path, VALID))

    assert "3 created, 0 updated, 0 unchanged; 5 categories created" in output
    shirt = Product.objects.get(slug="oxford")
    assert shirt.name == "Oxford Shirt"
    assert shirt.brand == "Marlow"
    assert shirt.description == "Crisp.\nButton-down."
    assert shirt.min_price == Decimal("29.90")
    assert [c.name for c in shirt.categories.all()] == ["Shirts"]
    assert Category.objects.get(name="Shirts").parent.name == "Clothing"
    small, medium = shirt.variants.order_by("position")
    assert small.options == {"Size": "S", "Colour": "Blue"}
    assert (small.stock, small.compare_at_price) == (5, Decimal("39.90"))
    assert (medium.sku, medium.stock) == ("SH-M", 0)
    mug = Product.objects.get(slug="enamel-mug")
    assert sorted(c.name for c in mug.categories.all()) == ["Kitchen", "Outdoor"]
    assert mug.variants.get().options == {}


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = write(tmp_path, VALID)
    run_import(path)
    before = list(Variant.objects.values().order_by("pk"))

    output = run_import(path)

    assert "0 created, 0 updated, 3 unchanged" in output
    assert list(Variant.objects.values().order_by("pk")) == before
    assert Category.objects.count() == 5


def test_import_updates_by_sku(tmp_path):
    run_import(write(tmp_path, VALID))

    output = run_import(write(tmp_path, VALID.replace("12.50,,30", "11.00,,31")))

    assert "0 created, 1 updated, 2 unchanged" in output
    mug = Variant.objects.get(sku="MUG-1")
    assert (mug.price, mug.stock) == (Decimal("11.00"), 31)
    assert mug.product.min_price == Decimal("11.00")


def test_invalid_rows_are_reported_by_line_and_nothing_is_written(tmp_path):
    text = f"""{HEADER}
OK-1,fine-product,Fine Product,,,,10.00,,1,,,,
BAD-1,bad-product,Bad Product,,,Size,abc,,-2,,,,
,no-sku,No Sku,,,,1.00,,1,,,,
OK-1,fine-product,,,,,10.00,,1,,,,
BAD-2,Bad Slug!,X,,,,1.005,,1.5,maybe,,,
BAD-3,needs-options,Needs Options,,,,1.00,,1,,,,
BAD-4,needs-options,,,,,1.00,,1,,,,missing.jpg
"""
    path = write(tmp_path, text)
    err = StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_products", str(path), stdout=StringIO(), stderr=err)

    errors = err.getvalue()
    assert "line 3: price: 'abc' is not a number" in errors
    assert "line 3: stock: '-2' is not a whole number of 0 or more" in errors
    assert "line 3: options: 'Size' is not of the form Name=Value" in errors
    assert "line 4: sku: is required" in errors
    assert "line 5: sku: 'OK-1' already appears on line 2" in errors
    assert "line 6: product_slug: 'Bad Slug!' is not a lowercase slug" in errors
    assert "line 6: price: '1.005' has more than 2 decimal places" in errors
    assert "line 6: active: 'maybe' is not yes or no" in errors
    assert "line 7: options: a product with several variants needs option values" in errors
    assert "line 8: images: no image at 'missing.jpg'" in errors
    assert Product.objects.count() == 0
    assert Category.objects.count() == 0


def test_missing_columns_are_reported(tmp_path):
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_products",
            str(write(tmp_path, "sku,name\nA,B\n")),
            stdout=StringIO(),
            stderr=err,
        )
    assert "line 1: missing column(s): product_slug, product_name, price, stock" in err.getvalue()
    assert "line 1: unknown column(s): name" in err.getvalue()


def test_a_sku_cannot_move_to_another_product(tmp_path):
    run_import(write(tmp_path, VALID))
    moved = f"{HEADER}\nSH-S,enamel-mug,Enamel Mug,,,,12.50,,30,,,,\n"
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_products", str(write(tmp_path, moved)), stdout=StringIO(), stderr=err)

    assert "line 2: sku: 'SH-S' belongs to the product 'oxford', not 'enamel-mug'" in (
        err.getvalue()
    )
    assert Variant.objects.get(sku="SH-S").product.slug == "oxford"


def test_product_columns_must_agree_across_rows(tmp_path):
    text = f"""{HEADER}
A-1,lamp,Lamp,Lumen,,Colour=Red,10.00,,1,,,,
A-2,lamp,Lamp,Other,,Colour=Blue,10.00,,1,,,,
"""
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_products", str(write(tmp_path, text)), stdout=StringIO(), stderr=err)
    assert "line 3: brand: differs from an earlier row of the product 'lamp'" in err.getvalue()


def test_dry_run_counts_and_writes_nothing(tmp_path):
    output = run_import(write(tmp_path, VALID), "--dry-run")

    assert "Dry run, nothing written: 3 created, 0 updated, 0 unchanged" in output
    assert Product.objects.count() == 0
    assert Category.objects.count() == 0


@pytest.mark.parametrize("absolute", [False, True], ids=["relative-path", "absolute-path"])
def test_import_copies_local_images_once(tmp_path, media_root, absolute):
    photo = tmp_path / "mug photo.png"
    Image.new("RGB", (900, 600), (10, 200, 90)).save(photo)
    reference = str(photo) if absolute else "mug photo.png"
    text = VALID.replace("Survives drops.,", f"Survives drops.,{reference}")
    path = write(tmp_path, text)

    run_import(path)
    output = run_import(path)

    image = ProductImage.objects.get()
    assert image.product.slug == "enamel-mug"
    assert image.image.name.startswith("products/imported/")
    assert image.image.name.endswith("-mug-photo.png")
    assert (image.width, image.height, image.thumbnail_width) == (900, 600, 400)
    assert "0 created, 0 updated, 3 unchanged" in output


def export():
    out = StringIO()
    call_command("export_products", stdout=out)
    return out.getvalue()


def test_export_writes_the_import_format(tmp_path):
    run_import(write(tmp_path, VALID))

    rows = list(csv.DictReader(StringIO(export())))

    assert [row["sku"] for row in rows] == ["SH-S", "SH-M", "MUG-1"]
    assert rows[0]["categories"] == "Clothing > Shirts"
    assert rows[0]["options"] == "Size=S; Colour=Blue"
    assert rows[0]["description"] == "Crisp.\nButton-down."
    assert rows[2]["categories"] == "Home > Kitchen | Outdoor"
    assert (rows[2]["compare_at_price"], rows[2]["active"]) == ("", "yes")


def test_export_then_import_round_trips(tmp_path, make_product, stored_image):
    # given a catalog made in the admin, with images, an inactive product and a sale
    parent = Category.objects.create(name="Garden", slug="garden")
    tools = Category.objects.create(name="Tools", slug="garden-tools", parent=parent)
    make_product(
        "Spade",
        categories=[tools],
        images=[stored_image("spade.jpg")],
        variants=[
            {"sku": "SP-S", "options": {"Size": "S"}, "compare_at_price": Decimal("15.00")},
            {"sku": "SP-L", "options": {"Size": "L"}, "stock": 0, "is_active": False},
        ],
    )
    make_product("Rake", is_active=False, variants=[{"sku": "RAKE"}])
    exported = export()

    # when it is imported again, nothing changes
    path = write(tmp_path, exported)
    assert "0 created, 0 updated, 3 unchanged" in run_import(path)

    # and into an empty catalog, it comes back the same
    Product.objects.all().delete()
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()
    assert "3 created, 0 updated, 0 unchanged" in run_import(path)
    assert export() == exported


def import_errors(path):
    """The command's error lines for a file it must refuse."""
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_products", str(path), stdout=StringIO(), stderr=err)
    return err.getvalue()


def test_a_stock_beyond_the_stock_column_is_a_row_error(tmp_path):
    path = write(tmp_path, f"{HEADER}\nBIG-1,big,Big,,,,1.00,,2147483648,,,,\n")

    assert "line 2: stock: must be at most 2147483647" in import_errors(path)
    assert Product.objects.count() == 0


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path, encoding):
    path = tmp_path / "products.csv"
    text = f"{HEADER}\nMUG-1,mug,Mug,,,,1.00,,1,,,,\nCAFE-1,cafe,Café,,,,1.00,,1,,,,\n"
    path.write_bytes(text.encode(encoding))

    errors = import_errors(path)

    line = 3 if encoding == "latin-1" else 1
    assert f"line {line}: the file is not UTF-8 text" in errors
    assert Product.objects.count() == 0


def test_a_nul_character_is_a_row_error(tmp_path):
    path = write(tmp_path, f"{HEADER}\nNUL-1,nul,Nul\x00,,,,1.00,,1,,,,\n")

    assert "line 2: contains a NUL character" in import_errors(path)
    assert Product.objects.count() == 0


def test_a_value_too_large_for_csv_is_refused(tmp_path):
    description = "x" * 200_000
    path = write(tmp_path, f'{HEADER}\nBIG-1,big,Big,,,,1.00,,1,,,"{description}",\n')

    assert "line 2: not valid CSV: field larger than field limit" in import_errors(path)
    assert Product.objects.count() == 0


def test_a_column_given_twice_is_refused(tmp_path):
    path = write(tmp_path, "sku,sku,product_slug,product_name,price,stock\nA-1,B-1,ab,AB,1.00,1\n")

    assert "line 1: column(s) given twice: sku" in import_errors(path)
    assert Product.objects.count() == 0


def test_the_tax_class_column_sets_imports_and_exports_the_vat_class(tmp_path):
    # given a book imported at the reduced rate and a mug with the column left blank
    text = f"""{HEADER}
BOOK-1,field-guide,Field Guide,,,,20.00,,5,,,,,Reduced
MUG-1,enamel-mug,Enamel Mug,,,,12.50,,30,,,,,
"""
    run_import(write(tmp_path, text))
    assert Product.objects.get(slug="field-guide").tax_class == TaxClass.REDUCED
    assert Product.objects.get(slug="enamel-mug").tax_class == TaxClass.STANDARD

    # when staff make the mug zero-rated and a file without the column is imported again
    Product.objects.filter(slug="enamel-mug").update(tax_class=TaxClass.ZERO)
    without_column = (
        "sku,product_slug,product_name,price,stock\nMUG-1,enamel-mug,Enamel Mug,12.50,30\n"
    )
    output = run_import(write(tmp_path, without_column, "old.csv"))

    # then the blank keeps what staff chose, and the export writes every class
    assert "0 created, 0 updated, 1 unchanged" in output
    assert Product.objects.get(slug="enamel-mug").tax_class == TaxClass.ZERO
    out = StringIO()
    call_command("export_products", stdout=out)
    rows = {row["sku"]: row["tax_class"] for row in csv.DictReader(StringIO(out.getvalue()))}
    assert rows == {"BOOK-1": "reduced", "MUG-1": "zero"}


def test_an_unknown_tax_class_is_a_row_error(tmp_path):
    text = f"{HEADER}\nBOOK-1,field-guide,Field Guide,,,,20.00,,5,,,,,half\n"
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_products", str(write(tmp_path, text)), stdout=StringIO(), stderr=err)

    assert "line 2: tax_class: 'half' is not one of standard, reduced, zero" in err.getvalue()
    assert not Product.objects.exists()
