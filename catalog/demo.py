"""The demo catalog behind `manage.py seed_demo`: believable departments, brands, products,
variants and drawn images, generated deterministically from a seed.

Product number i of seed S is always the same product (its own random generator is seeded
with "S:i"), so seeding again skips what exists and seeding more adds only the rest.
"""

import random
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageOps

from catalog.models import Category, Product, ProductImage, TaxClass, Variant
from catalog.services import invalidate_catalog_cache, make_renditions, refresh_products

BATCH_SIZE = 2000
IMAGES_PER_DEPARTMENT = 6
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


@dataclass(frozen=True)
class Department:
    name: str
    code: str  # SKU prefix
    description: str
    options: str  # how its variants differ: apparel, shoes, colour, storage, volume, single
    price_range: tuple[int, int]
    materials: tuple[str, ...]
    colours: tuple[tuple[int, int, int], tuple[int, int, int]]  # image gradient
    subcategories: tuple[tuple[str, tuple[str, ...]], ...]  # (name, product nouns)


DEPARTMENTS = [
    Department(
        "Clothing",
        "CLO",
        "Wardrobe staples and seasonal pieces for every day.",
        "apparel",
        (15, 120),
        ("Organic Cotton", "Linen", "Merino", "Recycled", "Brushed Cotton", "Jersey"),
        ((31, 78, 121), (120, 170, 210)),
        (
            ("T-Shirts", ("T-Shirt", "Crew Tee", "V-Neck Tee", "Pocket Tee")),
            ("Shirts", ("Oxford Shirt", "Flannel Shirt", "Overshirt", "Poplin Shirt")),
            ("Jumpers", ("Crew Jumper", "Cardigan", "Roll Neck", "Hoodie")),
            ("Jackets", ("Rain Jacket", "Bomber Jacket", "Quilted Jacket", "Parka")),
            ("Trousers", ("Chinos", "Jeans", "Joggers", "Cargo Trousers")),
            ("Dresses", ("Wrap Dress", "Shirt Dress", "Midi Dress", "Slip Dress")),
        ),
    ),
    Department(
        "Shoes",
        "SHO",
        "Trainers, boots and shoes built to last.",
        "shoes",
        (40, 180),
        ("Leather", "Suede", "Canvas", "Knit", "Waxed"),
        ((96, 56, 19), (214, 170, 120)),
        (
            ("Trainers", ("Trainer", "Runner", "Court Shoe", "Skate Shoe")),
            ("Boots", ("Chelsea Boot", "Hiking Boot", "Work Boot", "Desert Boot")),
            ("Sandals", ("Sandal", "Slide", "Espadrille", "Flip-Flop")),
            ("Formal Shoes", ("Derby", "Brogue", "Loafer", "Oxford")),
            ("Slippers", ("Slipper", "Moccasin", "House Shoe", "Mule")),
            ("Kids' Shoes", ("Kids' Trainer", "Kids' Boot", "Kids' Sandal", "School Shoe")),
        ),
    ),
    Department(
        "Bags & Accessories",
        "ACC",
        "Bags, belts, hats and the small things that finish an outfit.",
        "colour",
        (10, 150),
        ("Leather", "Canvas", "Recycled Nylon", "Wool", "Cotton"),
        ((87, 35, 100), (200, 150, 210)),
        (
            ("Backpacks", ("Backpack", "Daypack", "Rolltop Pack", "Laptop Backpack")),
            ("Tote Bags", ("Tote Bag", "Shopper", "Market Bag", "Beach Bag")),
            ("Belts", ("Belt", "Webbing Belt", "Braided Belt", "Dress Belt")),
            ("Hats", ("Beanie", "Cap", "Bucket Hat", "Sun Hat")),
            ("Scarves", ("Scarf", "Snood", "Bandana", "Wrap")),
            ("Wallets", ("Wallet", "Card Holder", "Coin Purse", "Travel Wallet")),
        ),
    ),
    Department(
        "Home & Kitchen",
        "HOM",
        "Cookware, tableware and textiles for a well-kept home.",
        "colour",
        (8, 200),
        ("Stoneware", "Cast Iron", "Oak", "Linen", "Enamel", "Glass"),
        ((27, 94, 32), (160, 210, 150)),
        (
            ("Cookware", ("Frying Pan", "Saucepan", "Casserole Dish", "Wok")),
            ("Tableware", ("Dinner Plate Set", "Bowl Set", "Mug", "Serving Platter")),
            ("Bedding", ("Duvet Cover", "Pillowcase Pair", "Throw", "Fitted Sheet")),
            ("Bath", ("Bath Towel", "Hand Towel", "Bath Mat", "Robe")),
            ("Storage", ("Storage Basket", "Food Container Set", "Jar", "Shelf Box")),
            ("Lighting", ("Table Lamp", "Floor Lamp", "Pendant Shade", "Candle Holder")),
        ),
    ),
    Department(
        "Outdoor",
        "OUT",
        "Kit for camping, hiking and long days outside.",
        "colour",
        (12, 300),
        ("Ripstop", "Aluminium", "Recycled", "Insulated", "Waterproof"),
        ((0, 77, 64), (128, 203, 196)),
        (
            ("Tents", ("2-Person Tent", "Family Tent", "Tarp", "Bivvy")),
            ("Sleeping Bags", ("Sleeping Bag", "Sleeping Mat", "Camp Pillow", "Liner")),
            ("Camp Kitchen", ("Camp Stove", "Pot Set", "Water Bottle", "Flask")),
            ("Navigation", ("Compass", "Head Torch", "Map Case", "Lantern")),
            ("Climbing", ("Chalk Bag", "Harness", "Carabiner Set", "Belay Device")),
            ("Garden", ("Garden Chair", "Planter", "Watering Can", "Hammock")),
        ),
    ),
    Department(
        "Electronics",
        "ELE",
        "Headphones, speakers and gadgets that just work.",
        "storage",
        (20, 600),
        ("Wireless", "Portable", "Smart", "Noise-Cancelling", "Compact"),
        ((33, 33, 33), (150, 160, 175)),
        (
            ("Headphones", ("Headphones", "Earbuds", "Headset", "Sleep Buds")),
            ("Speakers", ("Speaker", "Soundbar", "Radio", "Party Speaker")),
            ("Phones & Tablets", ("Smartphone", "Tablet", "E-Reader", "Phone Case")),
            ("Cameras", ("Action Camera", "Instant Camera", "Webcam", "Tripod")),
            ("Chargers", ("Power Bank", "Wall Charger", "Charging Cable", "Charging Pad")),
            ("Smart Home", ("Smart Plug", "Smart Bulb", "Doorbell", "Thermostat")),
        ),
    ),
    Department(
        "Books",
        "BOO",
        "Fiction, cookbooks and guides, in paperback and hardback.",
        "single",
        (6, 45),
        ("Illustrated", "Collected", "Pocket", "Revised", "Complete"),
        ((130, 20, 20), (230, 170, 150)),
        (
            ("Fiction", ("Novel", "Short Stories", "Mystery", "Thriller")),
            ("Cookbooks", ("Baking Book", "Vegetarian Cookbook", "Bread Book", "Grill Guide")),
            ("Travel Guides", ("City Guide", "Walking Guide", "Road Trip Atlas", "Phrasebook")),
            ("Children's Books", ("Picture Book", "Bedtime Stories", "Activity Book", "Atlas")),
            ("Science", ("Astronomy Guide", "Field Guide", "Physics Primer", "Nature Atlas")),
            ("Poetry", ("Poetry Collection", "Anthology", "Verse Reader", "Haiku Book")),
        ),
    ),
    Department(
        "Beauty",
        "BEA",
        "Skin care and grooming with honest ingredients.",
        "volume",
        (5, 80),
        ("Unscented", "Citrus", "Lavender", "Cedar", "Aloe"),
        ((173, 20, 87), (248, 187, 208)),
        (
            ("Skin Care", ("Face Cream", "Serum", "Cleanser", "Toner")),
            ("Hair Care", ("Shampoo", "Conditioner", "Hair Oil", "Hair Mask")),
            ("Body Care", ("Body Lotion", "Body Wash", "Hand Cream", "Body Scrub")),
            ("Fragrance", ("Eau de Parfum", "Eau de Toilette", "Body Mist", "Solid Perfume")),
            ("Shaving", ("Shaving Cream", "Aftershave Balm", "Beard Oil", "Shave Gel")),
            ("Sun Care", ("Sun Lotion", "After Sun", "Lip Balm SPF", "Sun Spray")),
        ),
    ),
    Department(
        "Toys & Games",
        "TOY",
        "Games for the whole family and toys that spark play.",
        "single",
        (8, 90),
        ("Wooden", "Classic", "Deluxe", "Travel", "Family"),
        ((230, 81, 0), (255, 204, 128)),
        (
            ("Board Games", ("Board Game", "Strategy Game", "Party Game", "Co-op Game")),
            ("Puzzles", ("Jigsaw Puzzle", "3D Puzzle", "Brain Teaser", "Floor Puzzle")),
            ("Building Toys", ("Building Set", "Marble Run", "Block Set", "Construction Kit")),
            ("Card Games", ("Card Game", "Playing Cards", "Trick-Taking Game", "Word Game")),
            ("Outdoor Toys", ("Kite", "Frisbee", "Skipping Rope", "Bubble Kit")),
            ("Soft Toys", ("Teddy Bear", "Plush Fox", "Plush Whale", "Comfort Blanket")),
        ),
    ),
    Department(
        "Sports",
        "SPO",
        "Gear for the gym, the court and the open road.",
        "colour",
        (10, 250),
        ("Pro", "Training", "Lightweight", "Recycled", "Performance"),
        ((13, 71, 161), (144, 202, 249)),
        (
            ("Running", ("Running Vest", "Running Belt", "Reflective Band", "Running Cap")),
            ("Cycling", ("Bike Light Set", "Bike Lock", "Cycling Gloves", "Saddle Bag")),
            ("Yoga", ("Yoga Mat", "Yoga Block", "Yoga Strap", "Meditation Cushion")),
            ("Fitness", ("Kettlebell", "Resistance Bands", "Dumbbell Pair", "Jump Rope")),
            ("Swimming", ("Swim Goggles", "Swim Cap", "Kickboard", "Swim Towel")),
            ("Racket Sports", ("Tennis Racket", "Badminton Set", "Padel Bat", "Ball Tube")),
        ),
    ),
]


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
    ([(department, [(subcategory, leaf categories, product nouns)])], the gifts category,
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
        for sub_position, (name, nouns) in enumerate(department.subcategories):
            sub = ensure(
                f"{root.slug}-{slugify(name)}",
                parent=root,
                name=name,
                description=f"{name} from {department.name.lower()} brands we trust.",
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
            subs.append((sub, leaves or [sub], nouns))
        tree.append((department, subs))
    gifts = ensure(
        "gift-ideas",
        name="Gift Ideas",
        description="Presents they will actually use, picked from every department.",
        position=len(DEPARTMENTS),
    )
    return tree, gifts, created


def _draw_image(department, number):
    """An 800x800 JPEG: the department's gradient with a few simple shapes."""
    rng = random.Random(f"{department.code}:{number}")
    start, end = department.colours
    gradient = Image.linear_gradient("L").resize((800, 800)).rotate(rng.choice([0, 45, 90, 135]))
    picture = ImageOps.colorize(gradient, start, end)
    draw = ImageDraw.Draw(picture)
    accent = tuple(255 - channel // 2 for channel in start)
    for _ in range(3 + number % 3):
        x, y, size = rng.randint(80, 560), rng.randint(80, 560), rng.randint(90, 260)
        box = [x, y, x + size, y + size]
        shape = rng.choice(["ellipse", "rectangle", "triangle"])
        fill = (*accent, 255) if rng.random() < 0.5 else (255, 255, 255)
        if shape == "ellipse":
            draw.ellipse(box, fill=fill[:3], outline=start, width=8)
        elif shape == "rectangle":
            draw.rounded_rectangle(box, radius=size // 6, fill=fill[:3], outline=start, width=8)
        else:
            draw.polygon([(x, y + size), (x + size // 2, y), (x + size, y + size)], fill=fill[:3])
    buffer = BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _ensure_image_pool():
    """A few drawn images per department, stored once and shared by all products; returns
    ProductImage field values by department code."""
    pool = {}
    for department in DEPARTMENTS:
        pool[department.code] = []
        for number in range(IMAGES_PER_DEPARTMENT):
            name = f"products/demo/{department.code.lower()}-{number + 1}.jpg"
            if not default_storage.exists(name):
                default_storage.save(name, ContentFile(_draw_image(department, number)))
            thumbnail = f"products/renditions/{department.code.lower()}-{number + 1}-thumb.jpg"
            display = f"products/renditions/{department.code.lower()}-{number + 1}-display.jpg"
            if default_storage.exists(thumbnail) and default_storage.exists(display):
                with default_storage.open(thumbnail) as t, Image.open(t) as thumb_image:
                    thumb_size = thumb_image.size
                with default_storage.open(display) as d, Image.open(d) as display_image:
                    display_size = display_image.size
                values = {
                    "width": 800,
                    "height": 800,
                    "thumbnail": thumbnail,
                    "thumbnail_width": thumb_size[0],
                    "thumbnail_height": thumb_size[1],
                    "display": display,
                    "display_width": display_size[0],
                    "display_height": display_size[1],
                }
            else:
                values = make_renditions(name)
            pool[department.code].append({"image": name, **values})
    return pool


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


def _build_product(seed, index, tree, gifts, pool):
    """Product number `index`: (Product, category ids, Variants, ProductImages), unsaved."""
    rng = random.Random(f"{seed}:{index}")
    department, subs = rng.choice(tree)
    sub, leaves, nouns = rng.choice(subs)
    material = rng.choice(department.materials)
    noun = rng.choice(nouns)
    name = f"{rng.choice(ADJECTIVES)} {material} {noun}"
    brand = rng.choice(BRANDS)
    product = Product(
        name=name,
        slug=f"{slugify(name)}-{index + 1}",
        brand=brand,
        description=(
            f"The {name} by {brand}, from our {sub.name.lower()} range in "
            f"{department.name.lower()}.\n\n"
            "Designed to last, easy to care for, and backed by our 30-day returns."
        ),
        is_active=rng.random() > 0.01,
        is_featured=rng.random() < 0.01,
        tax_class=_tax_class(department),
    )
    category_ids = [rng.choice(leaves).pk]
    if rng.random() < 0.1:  # some products are gift ideas too
        category_ids.append(gifts.pk)
    low, high = department.price_range
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
        for position, values in enumerate(rng.sample(pool[department.code], rng.randint(1, 3))):
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
    pool = _ensure_image_pool()
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
