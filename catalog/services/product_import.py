"""Import products and variants from the CSV format described in catalog/csv_format.py."""

import csv
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import slugify
from PIL import Image

from catalog.csv_format import (
    COLUMNS,
    PRODUCT_COLUMNS,
    REQUIRED_COLUMNS,
    parse_bool,
    parse_options,
    split_list,
    split_path,
)
from catalog.models import Category, Product, ProductImage, TaxClass, Variant
from catalog.services import MAX_STOCK, CatalogError, make_renditions, refresh_products


class ImportFailed(CatalogError):
    """The file has errors; nothing was written. `errors` is a list of (line, message)."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(f"{len(errors)} error(s); nothing was imported.")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    categories_created: int = 0

    def __str__(self):
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if self.categories_created:
            text += f"; {self.categories_created} categories created"
        return text


@dataclass
class _Row:
    line: int
    sku: str
    slug: str
    options: dict
    price: Decimal
    compare_at_price: Decimal | None
    stock: int
    is_active: bool


@dataclass
class _ProductData:
    slug: str
    line: int
    name: str = ""
    brand: str = ""
    description: str = ""
    is_active: bool = True
    tax_class: str = ""  # blank: standard for a new product, unchanged for an existing one
    raw: dict = field(default_factory=dict)  # the product columns as first given
    category_paths: list = field(default_factory=list)
    # (storage name, local path or None): a local file is copied into the storage on import.
    images: list = field(default_factory=list)
    rows: list = field(default_factory=list)


def _parse_money(text, *, required):
    text = text.strip()
    if not text:
        if required:
            raise ValueError("is required")
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise ValueError(f"{text!r} must be between 0 and 9999999999.99")
    if amount.as_tuple().exponent < -2:
        raise ValueError(f"{text!r} has more than 2 decimal places")
    return amount.quantize(Decimal("0.01"))


def _parse_stock(text):
    text = text.strip()
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a whole number of 0 or more")
    stock = int(text)
    if stock > MAX_STOCK:
        raise ValueError(f"must be at most {MAX_STOCK}")
    return stock


def _in_storage(name):
    try:
        return default_storage.exists(name)
    except SuspiciousFileOperation:  # an absolute path or one outside the media folder
        return False


def _resolve_image(reference, base_dir, checked):
    """(storage name, local path or None) for an image reference; raises ValueError."""
    if reference in checked:
        return checked[reference]
    if _in_storage(reference):
        result = (reference, None)
    else:
        path = Path(reference)
        if not path.is_absolute():
            path = base_dir / path
        if not path.is_file():
            raise ValueError(f"no image at {reference!r}")
        try:
            with Image.open(path) as picture:
                picture.verify()
        except Exception:
            raise ValueError(f"{reference!r} is not an image Pillow can read") from None
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        result = (f"products/imported/{digest}-{slugify(path.stem)}{path.suffix.lower()}", path)
    checked[reference] = result
    return result


def _chunks(items, size=500):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _check_encoding(path):
    """Raise ImportFailed at the first line that is not UTF-8 (e.g. a spreadsheet's "CSV"
    in Latin-1 or UTF-16): reading it as text would fail halfway through."""
    with open(path, "rb") as file:
        for line, raw in enumerate(file, start=1):
            try:
                raw.decode("utf-8-sig" if line == 1 else "utf-8")
            except UnicodeDecodeError:
                message = 'the file is not UTF-8 text; save it as "CSV UTF-8"'
                raise ImportFailed([(line, message)]) from None


def _read_import_file(path):
    """Parse and validate the whole file; return products by slug or raise ImportFailed."""
    _check_encoding(path)
    errors = []
    products = {}
    skus = {}
    checked_images = {}
    with open(path, encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        header = reader.fieldnames or []
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        unknown = [name for name in header if name not in COLUMNS]
        twice = sorted({name for name in header if header.count(name) > 1})
        if missing:
            errors.append((1, f"missing column(s): {', '.join(missing)}"))
        if unknown:
            errors.append((1, f"unknown column(s): {', '.join(unknown)}"))
        if twice:
            errors.append((1, f"column(s) given twice: {', '.join(twice)}"))
        if errors:
            raise ImportFailed(errors)
        end_of_previous = reader.line_num
        records = iter(reader)
        while True:
            try:
                record = next(records, None)
            except csv.Error as error:
                errors.append((end_of_previous + 1, f"not valid CSV: {error}"))
                break
            if record is None:
                break
            line, end_of_previous = end_of_previous + 1, reader.line_num
            if None in record:
                errors.append((line, "more values than columns"))
                continue
            if any("\x00" in value for value in record.values() if isinstance(value, str)):
                # PostgreSQL text cannot hold it.
                errors.append((line, "contains a NUL character"))
                continue
            values = {name: (record.get(name) or "").strip() for name in COLUMNS}
            errors.extend((line, message) for message in _check_row(values, line, products, skus))
            if values["images"] and values["product_slug"] in products:
                product = products[values["product_slug"]]
                for reference in split_list(values["images"]):
                    try:
                        image = _resolve_image(reference, path.parent, checked_images)
                    except ValueError as error:
                        errors.append((line, f"images: {error}"))
                        continue
                    if image not in product.images:
                        product.images.append(image)
    errors.extend(_check_products(products))
    errors.extend(_check_existing_skus(skus, products))
    if errors:
        raise ImportFailed(sorted(errors))
    return products


def _check_row(values, line, products, skus):
    """Validate one row and add it to `products`; yield error messages."""
    sku, slug = values["sku"], values["product_slug"]
    problems = []
    if not sku:
        problems.append("sku: is required")
    elif len(sku) > 64:
        problems.append("sku: must be at most 64 characters")
    elif sku in skus:
        problems.append(f"sku: {sku!r} already appears on line {skus[sku][0]}")
    if not slug:
        problems.append("product_slug: is required")
    elif len(slug) > 220 or slugify(slug) != slug:
        problems.append(f"product_slug: {slug!r} is not a lowercase slug (letters, digits, -)")
    parsed = {}
    for column, parse in [
        ("price", lambda text: _parse_money(text, required=True)),
        ("compare_at_price", lambda text: _parse_money(text, required=False)),
        ("stock", _parse_stock),
        ("active", parse_bool),
        ("options", parse_options),
    ]:
        try:
            parsed[column] = parse(values[column])
        except ValueError as error:
            problems.append(f"{column}: {error}")
    product = products.get(slug) if slug else None
    if slug and product is None:
        product = products[slug] = _ProductData(slug=slug, line=line)
    if product is not None:
        problems.extend(_merge_product_columns(product, values))
    if problems:
        return problems
    skus[sku] = (line, slug)
    product.rows.append(
        _Row(
            line=line,
            sku=sku,
            slug=slug,
            options=parsed["options"],
            price=parsed["price"],
            compare_at_price=parsed["compare_at_price"],
            stock=parsed["stock"],
            is_active=parsed["active"],
        )
    )
    return []


def _merge_product_columns(product, values):
    """Take the product's columns from its first row that gives them; later rows must agree."""
    problems = []
    for column in PRODUCT_COLUMNS:
        value = values[column]
        if not value:
            continue
        if column not in product.raw:
            product.raw[column] = value
        elif product.raw[column] != value:
            problems.append(
                f"{column}: differs from an earlier row of the product {product.slug!r}"
            )
    return problems


def _check_products(products):
    """Parse the merged product columns and check the variants of each product agree."""
    for product in products.values():
        raw = product.raw
        product.name = raw.get("product_name", "")
        product.brand = raw.get("brand", "")
        product.description = raw.get("description", "")
        if not product.name:
            yield (product.line, "product_name: is required")
        elif len(product.name) > 200:
            yield (product.line, "product_name: must be at most 200 characters")
        if len(product.brand) > 100:
            yield (product.line, "brand: must be at most 100 characters")
        try:
            product.is_active = parse_bool(raw.get("product_active", ""))
        except ValueError as error:
            yield (product.line, f"product_active: {error}")
        product.tax_class = raw.get("tax_class", "").lower()
        if product.tax_class and product.tax_class not in TaxClass.values:
            yield (
                product.line,
                f"tax_class: {raw['tax_class']!r} is not one of {', '.join(TaxClass.values)}",
            )
        for path_text in split_list(raw.get("categories", "")):
            names = split_path(path_text)
            if not all(names) or any(len(name) > 120 for name in names):
                yield (product.line, f"categories: {path_text!r} is not a valid category path")
            else:
                product.category_paths.append(names)
        if not product.rows:
            continue
        first = product.rows[0]
        seen = {}
        for row in product.rows:
            if list(row.options) != list(first.options):
                yield (row.line, "options: every variant of a product needs the same option names")
            key = tuple(row.options.items())
            if key in seen:
                yield (row.line, f"options: same options as line {seen[key]}")
            seen[key] = row.line
        if len(product.rows) > 1 and not first.options:
            yield (first.line, "options: a product with several variants needs option values")


def _check_existing_skus(skus, products):
    """A SKU already in the shop must stay with its product."""
    for chunk in _chunks(skus):
        for sku, slug in Variant.objects.filter(sku__in=chunk).values_list("sku", "product__slug"):
            line, wanted = skus[sku]
            if slug != wanted:
                yield (line, f"sku: {sku!r} belongs to the product {slug!r}, not {wanted!r}")


def import_products(*, path: Path, dry_run: bool = False, on_progress=None) -> ImportResult:
    """Create or update products and variants from a CSV file (see catalog/csv_format.py),
    matching variants by SKU and products by slug.

    Every row is validated before anything is written; any error raises ImportFailed listing
    the errors by line, and nothing is written. The writes are one transaction (rolled back
    for a dry run, which copies no files). Re-importing the same file changes nothing. Rows
    take the usual row locks of their UPDATEs; run one import at a time.
    `on_progress(done, total)` is called as products are written.
    """
    path = Path(path)
    products = _read_import_file(path)
    result = ImportResult()
    touched = []
    with transaction.atomic():
        categories = _CategoryPaths()
        for chunk in _chunks(products):
            existing = {
                product.slug: product
                for product in Product.objects.filter(slug__in=chunk).prefetch_related(
                    "categories", "images"
                )
            }
            variants = {
                variant.sku: variant
                for variant in Variant.objects.filter(
                    sku__in=[row.sku for slug in chunk for row in products[slug].rows]
                )
            }
            for slug in chunk:
                data = products[slug]
                product, changed = _upsert_product(data, existing.get(slug), categories, dry_run)
                changed = _upsert_variants(data, product, variants, result, changed)
                if changed:
                    touched.append(product.pk)
            if on_progress:
                on_progress(len(chunk), len(products))
        result.categories_created = categories.created
        refresh_products(product_ids=touched)
        if dry_run:
            transaction.set_rollback(True)
    return result


class _CategoryPaths:
    """Finds categories by their path of names, creating the missing ones."""

    def __init__(self):
        self.by_parent_and_name = {}
        for category in Category.objects.order_by("-position", "-pk"):
            self.by_parent_and_name[(category.parent_id, category.name)] = category
        self.slugs = set(Category.objects.values_list("slug", flat=True))
        self.created = 0

    def get(self, names):
        parent = None
        for depth, name in enumerate(names, start=1):
            category = self.by_parent_and_name.get((parent and parent.pk, name))
            if category is None:
                category = Category.objects.create(
                    parent=parent, name=name, slug=self._new_slug(names[:depth])
                )
                self.by_parent_and_name[(parent and parent.pk, name)] = category
                self.created += 1
            parent = category
        return parent

    def _new_slug(self, names):
        base = slugify(" ".join(names))[:130] or "category"
        slug, n = base, 2
        while slug in self.slugs:
            slug, n = f"{base}-{n}", n + 1
        self.slugs.add(slug)
        return slug


def _upsert_product(data, product, categories, dry_run):
    """Create or update one product with its categories and images; return (product,
    whether anything changed)."""
    values = {
        "name": data.name,
        "brand": data.brand,
        "description": data.description,
        "is_active": data.is_active,
    }
    if data.tax_class:
        values["tax_class"] = data.tax_class
    changed = product is None
    if product is None:
        product = Product.objects.create(slug=data.slug, **values)
        current_categories, current_images = set(), set()
    else:
        changes = [name for name, value in values.items() if getattr(product, name) != value]
        if changes:
            for name in changes:
                setattr(product, name, values[name])
            product.save(update_fields=[*changes, "updated_at"])
            changed = True
        current_categories = {category.pk for category in product.categories.all()}
        current_images = {image.image.name for image in product.images.all()}
    wanted = {categories.get(names).pk for names in data.category_paths}
    if wanted != current_categories:
        product.categories.set(wanted)
        changed = True
    new_images = [image for image in data.images if image[0] not in current_images]
    if new_images:
        changed = True
        if not dry_run:
            _add_images(product, new_images, position=len(current_images))
    return product, changed


def _add_images(product, images, *, position):
    for offset, (name, local_path) in enumerate(images):
        if local_path is not None and not default_storage.exists(name):
            with open(local_path, "rb") as file:
                stored = default_storage.save(name, ContentFile(file.read()))
            if stored != name:
                raise CatalogError(f"Could not store {local_path} as {name}.")
        values = make_renditions(name)
        ProductImage.objects.create(
            product=product,
            image=name,
            alt_text=product.name,
            position=position + offset,
            **values,
        )


def _upsert_variants(data, product, variants, result, product_changed):
    """Create or update the variants of one product's rows; count each row in `result`.
    A change to the product itself counts as an update of its first row."""
    changed = product_changed
    for position, row in enumerate(data.rows):
        values = {
            "options": row.options,
            "price": row.price,
            "compare_at_price": row.compare_at_price,
            "stock": row.stock,
            "is_active": row.is_active,
            "position": position,
        }
        variant = variants.get(row.sku)
        if variant is None:
            Variant.objects.create(product=product, sku=row.sku, **values)
            result.created += 1
            changed = True
            continue
        changes = [name for name, value in values.items() if getattr(variant, name) != value]
        if changes:
            for name in changes:
                setattr(variant, name, values[name])
            variant.save(update_fields=changes)
            changed = True
        if changes or (position == 0 and product_changed):
            result.updated += 1
        else:
            result.unchanged += 1
    return changed
