"""The demo catalog behind `manage.py seed_demo`: believable departments, brands, products,
variants and drawn images, generated deterministically from a seed.

Product number i of seed S is always the same product (its own random generator is seeded
with "S:i"), so seeding again skips what exists and seeding more adds only the rest.
"""

import random
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils.text import slugify
from PIL import Image

from catalog.demo.departments import DEPARTMENTS, PRICE_RANGES
from catalog.demo.pictures import draw_product
from catalog.models import Category, Product, ProductImage, TaxClass, Variant
from catalog.services import invalidate_catalog_cache, make_renditions, refresh_products

BATCH_SIZE = 2000
IMAGES_PER_SUBCATEGORY = 2
# Third-level "lines" per subcategory: one per 12,000 products, at most 7 (for 100k products,
# ~490 categories in all); none for a small catalog.
MAX_LINES = 7
PRODUCTS_PER_LINE = 12_000

SIZES = ["XS", "S", "M", "L", "XL", "XXL"]
SHOE_SIZES = ["38", "39", "40", "41", "42", "43", "44", "45", "46"]
COLOURS = ["Black", "White", "Navy", "Red", "Forest Green", "Grey", "Sand", "Sky Blue", "Ochre"]
STORAGE = ["64 GB", "128 GB", "256 GB", "512 GB"]
VOLUMES = ["50 ml", "100 ml", "200 ml", "400 ml"]

BRANDS = [
    "Northwind",
    "Alder & Co",
    "Fjell",
    "Kestrel",
    "Lumen",
    "Marlow",
    "Oakridge",
    "Pinecrest",
    "Quayside",
    "Riverton",
    "Saltmarsh",
    "Tidewater",
    "Vantage",
    "Wildfell",
    "Brightwater",
    "Cobalt Works",
    "Driftwood",
    "Ember",
    "Foxglove",
    "Granite Peak",
    "Harbour Lane",
    "Juniper",
    "Larkspur",
    "Meridian",
]
ADJECTIVES = [
    "Everyday",
    "Classic",
    "Essential",
    "Premium",
    "Lightweight",
    "Heritage",
    "Modern",
    "Compact",
    "Signature",
    "Relaxed",
    "Original",
    "Weekend",
    "Urban",
    "Coastal",
    "Alpine",
]
LINES = ["Essentials", "Premium", "Outdoor", "Studio", "Heritage", "Travel", "Eco"]
# Departments sold at the reduced VAT rate (books are in most EU countries); others: standard.
REDUCED_RATE_DEPARTMENTS = {"BOO"}


@dataclass
class SeedResult:
    created: int = 0
    skipped: int = 0
    categories_created: int = 0


def _money(value):
    """A believable shop price: 23.4 -> 23.99, 5.1 -> 4.99 (never below 1.99)."""
    return max(Decimal("1.99"), Decimal(int(value)) - Decimal("0.01") + 1)


def _ensure_categories(product_count):
    """Create the missing departments, subcategories, lines and "Gift Ideas"; return
    ([(department, [(subcategory, leaf categories, its Subcategory data)])], the gifts category,
    how many were created). Idempotent by slug."""
    lines = min(MAX_LINES, product_count // PRODUCTS_PER_LINE)
    existing = {category.slug: category for category in Category.objects.all()}
    created = 0

    def ensure(slug, **fields):
        nonlocal created
        if slug not in existing:
            existing[slug] = Category.objects.create(slug=slug, **fields)
            created += 1
        return existing[slug]

    tree = []
    for position, department in enumerate(DEPARTMENTS):
        root = ensure(
            slugify(department.name),
            name=department.name,
            description=department.description,
            position=position,
        )
        subs = []
        for sub_position, subcategory in enumerate(department.subcategories):
            name = subcategory.name
            sub = ensure(
                f"{root.slug}-{slugify(name)}",
                parent=root,
                name=name,
                description=f"{name} from brands we trust. {subcategory.blurb}",
                position=sub_position,
            )
            leaves = [
                ensure(
                    f"{sub.slug}-{slugify(line)}",
                    parent=sub,
                    name=f"{line} {name}",
                    position=line_position,
                )
                for line_position, line in enumerate(LINES[:lines])
            ]
            subs.append((sub, leaves or [sub], subcategory))
        tree.append((department, subs))
    gifts = ensure(
        "gift-ideas",
        name="Gift Ideas",
        description="Presents they will actually use, picked from every department.",
        position=len(DEPARTMENTS),
    )
    return tree, gifts, created


class ImagePool:
    """Drawn pictures per subcategory, stored once and shared by its products; drawn the first
    time a product of that subcategory needs them. Values are ProductImage fields."""

    def __init__(self):
        self.pictures = {}

    def for_subcategory(self, department, subcategory):
        key = (department.code, subcategory.name)
        if key not in self.pictures:
            self.pictures[key] = [
                self._stored(department, subcategory, number)
                for number in range(IMAGES_PER_SUBCATEGORY)
            ]
        return self.pictures[key]

    @staticmethod
    def _stored(department, subcategory, number):
        stem = f"{department.code.lower()}-{slugify(subcategory.name)}-{number + 1}"
        name = f"products/demo/{stem}.jpg"
        thumbnail = f"products/renditions/{stem}-thumb.jpg"
        display = f"products/renditions/{stem}-display.jpg"
        if not default_storage.exists(name):
            colour = department.palette[(number + len(subcategory.name)) % len(department.palette)]
            default_storage.save(
                name, ContentFile(draw_product(subcategory.picture, colour, number))
            )
        if not (default_storage.exists(thumbnail) and default_storage.exists(display)):
            return {"image": name, **make_renditions(name)}
        sizes = []
        for rendition in (thumbnail, display):
            with default_storage.open(rendition) as file, Image.open(file) as picture:
                sizes.append(picture.size)
        return {
            "image": name,
            "width": 800,
            "height": 800,
            "thumbnail": thumbnail,
            "thumbnail_width": sizes[0][0],
            "thumbnail_height": sizes[0][1],
            "display": display,
            "display_width": sizes[1][0],
            "display_height": sizes[1][1],
        }


def _variant_options(department, rng):
    """1 to 6 option dicts for a product of this department."""
    scheme = department.options
    if scheme == "single" or rng.random() < 0.2:
        return [{}]
    if scheme == "apparel":
        sizes = SIZES[rng.randint(0, 2) : rng.randint(3, 6)]
        if rng.random() < 0.4:
            colours = rng.sample(COLOURS, 2)
            return [{"Size": s, "Colour": c} for c in colours for s in sizes][:6]
        return [{"Size": size} for size in sizes]
    if scheme == "shoes":
        first = rng.randint(0, 3)
        return [{"Size": size} for size in SHOE_SIZES[first : first + rng.randint(3, 6)]]
    if scheme == "storage":
        return [{"Storage": size} for size in STORAGE[: rng.randint(2, 4)]]
    if scheme == "volume":
        return [{"Size": size} for size in VOLUMES[: rng.randint(2, 3)]]
    return [{"Colour": colour} for colour in rng.sample(COLOURS, rng.randint(2, 4))]


PROMISES = [
    "Made to last, and backed by our 30-day returns.",
    "Thoughtfully made in small batches by {brand}.",
    "A favourite of our team, chosen for everyday use.",
    "Designed in-house by {brand} and tested for a season before it went on sale.",
]


def _description(name, brand, material, subcategory, rng):
    """A few sentences and the product's details, as a shop would write them."""
    promise = rng.choice(PROMISES).format(brand=brand)
    return (
        f"The {name} by {brand}. {subcategory.blurb} {promise}\n\n"
        f"Material: {material}. Care: {subcategory.care}"
    )


def _build_product(seed, index, tree, gifts, pool):
    """Product number `index`: (Product, category ids, Variants, ProductImages), unsaved."""
    rng = random.Random(f"{seed}:{index}")
    department, subs = rng.choice(tree)
    sub, leaves, subcategory = rng.choice(subs)
    material = rng.choice(subcategory.materials)
    noun = rng.choice(subcategory.nouns)
    name = f"{rng.choice(ADJECTIVES)} {material} {noun}"
    brand = rng.choice(BRANDS)
    product = Product(
        name=name,
        slug=f"{slugify(name)}-{index + 1}",
        brand=brand,
        description=_description(name, brand, material, subcategory, rng),
        is_active=rng.random() > 0.01,
        is_featured=rng.random() < 0.01,
        tax_class=_tax_class(department),
    )
    category_ids = [rng.choice(leaves).pk]
    if rng.random() < 0.1:  # some products are gift ideas too
        category_ids.append(gifts.pk)
    low, high = PRICE_RANGES.get(subcategory.name, department.price_range)
    base = rng.uniform(low, high)
    on_sale = rng.random() < 0.15
    variants = []
    for position, options in enumerate(_variant_options(department, rng)):
        price = _money(base * (1 + 0.15 * position if department.options == "storage" else 1))
        was = _money(price * Decimal(rng.uniform(1.2, 1.5))) if on_sale else None
        roll = rng.random()
        stock = 0 if roll < 0.08 else rng.randint(1, 5) if roll < 0.18 else rng.randint(6, 120)
        variants.append(
            Variant(
                sku=f"{department.code}-{seed}-{index + 1:06d}-{position + 1}",
                options=options,
                price=price,
                compare_at_price=was,
                stock=stock,
                position=position,
            )
        )
    images = []
    if rng.random() > 0.03:  # a few products have no image yet: the placeholder shows
        pictures = pool.for_subcategory(department, subcategory)
        for position, values in enumerate(rng.sample(pictures, rng.randint(1, len(pictures)))):
            images.append(ProductImage(alt_text=name, position=position, **values))
    return product, category_ids, variants, images


def _tax_class(department):
    return TaxClass.REDUCED if department.code in REDUCED_RATE_DEPARTMENTS else TaxClass.STANDARD


def _refresh_statistics():
    """PostgreSQL's planner statistics and visibility map: after a bulk load they describe
    empty tables, and it would pick slow plans for the search-vector UPDATE and the listings.
    VACUUM (outside a transaction only) also flushes the GIN index's pending entries."""
    if connection.vendor != "postgresql":
        return
    tables = (
        "catalog_category, catalog_product, catalog_product_categories, catalog_variant, "
        "catalog_productimage"
    )
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            cursor.execute(f"ANALYZE {tables}")
        else:
            cursor.execute(f"VACUUM ANALYZE {tables}")


def seed_demo_catalog(*, products, seed, on_progress=None):
    """Create demo products 0..products-1 of `seed` that do not exist yet (by slug), in
    transactions of BATCH_SIZE products; then invalidate the catalog cache. Safe to repeat."""
    tree, gifts, categories_created = _ensure_categories(products)
    pool = ImagePool()
    existing = set(Product.objects.values_list("slug", flat=True))
    result = SeedResult(categories_created=categories_created)
    through = Product.categories.through
    for start in range(0, products, BATCH_SIZE):
        built = [
            _build_product(seed, index, tree, gifts, pool)
            for index in range(start, min(start + BATCH_SIZE, products))
        ]
        new = [item for item in built if item[0].slug not in existing]
        result.skipped += len(built) - len(new)
        with transaction.atomic():
            Product.objects.bulk_create([product for product, *_ in new])
            links, variants, images = [], [], []
            for product, category_ids, product_variants, product_images in new:
                links += [through(product_id=product.pk, category_id=c) for c in category_ids]
                for item in product_variants + product_images:
                    item.product = product
                variants += product_variants
                images += product_images
            through.objects.bulk_create(links)
            Variant.objects.bulk_create(variants)
            ProductImage.objects.bulk_create(images)
            if start == 0:
                _refresh_statistics()
            refresh_products(product_ids=[product.pk for product, *_ in new])
        existing.update(product.slug for product, *_ in new)
        result.created += len(new)
        if on_progress:
            on_progress(len(built))
    # Demo products created before products had a tax class get theirs.
    for code in REDUCED_RATE_DEPARTMENTS:
        Product.objects.filter(
            tax_class=TaxClass.STANDARD, variants__sku__startswith=f"{code}-{seed}-"
        ).update(tax_class=TaxClass.REDUCED)
    if result.created:
        _refresh_statistics()
    invalidate_catalog_cache()
    return result
