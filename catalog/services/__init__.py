"""Write paths for the catalog: every change to products, variants, stock and prices goes
through here, so `min_price`, search vectors and the catalog cache stay consistent.

After changing products, call `refresh_products(product_ids=...)`; after changing only stock,
`invalidate_catalog_cache()` (on commit) is enough. The CSV import is in
`catalog.services.product_import`.
"""

import logging
import uuid
from decimal import Decimal
from io import BytesIO
from pathlib import PurePosixPath
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
from PIL import Image, ImageOps

from catalog.models import Product, ProductImage, Variant

logger = logging.getLogger(__name__)

# Every catalog cache key includes the value stored under this key; replacing the value makes
# all cached catalog entries unreachable at once (they then expire on their own).
CATALOG_CACHE_VERSION_KEY = "catalog:version"

# The text search configuration of `Product.search_vector` and of the queries against it.
SEARCH_CONFIG = "english"

THUMBNAIL_SIZE = (400, 400)  # square crop for product cards, the cart and the admin
DISPLAY_SIZE = (1000, 1000)  # the largest size shown on the product page

# Variants read and locked per query when promotions set sale prices.
SALE_BATCH_SIZE = 1000

# The largest stock the database's integer column holds (PostgreSQL's `integer`).
MAX_STOCK = 2_147_483_647


class CatalogError(Exception):
    """A catalog write that cannot be done; the message is meant for the person asking."""


class UnknownSKU(CatalogError):
    pass


class InvalidQuantity(CatalogError):
    pass


def invalidate_catalog_cache() -> None:
    """Make every cached catalog page fragment, tree and listing stale.

    Safe to call any number of times and from `transaction.on_commit`. A cache outage is
    logged rather than raised: the write it follows has already been committed.
    """
    try:
        cache.set(CATALOG_CACHE_VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.exception("Could not invalidate the catalog cache")


def stock_change_is_visible(*, before: int, after: int) -> bool:
    """Pages show exact stock only at or below the low-stock threshold ("Only 3 left"), so a
    change between two higher levels leaves every cached page right."""
    return min(before, after) <= settings.SHOP_LOW_STOCK_THRESHOLD


# One statement recomputes both denormalised columns. Punctuation becomes spaces first, so the
# vector holds the same words the search splits a query into ("BN-2040" -> "bn", "2040").
# Names, brands and categories are indexed stemmed (English) and as written ('simple'), so a
# prefix of the last word typed matches "running" as well as "run". The weights rank a match in
# the name or SKU above the brand, the brand above category names, those above the description.
_REFRESH_SQL_POSTGRESQL = """
WITH words AS MATERIALIZED (
    SELECT
        product.id,
        (
            SELECT MIN(COALESCE(v.sale_price, v.price)) FROM catalog_variant AS v
            WHERE v.product_id = product.id AND v.is_active
        ) AS min_price,
        (
            SELECT coalesce(jsonb_object_agg(key, options ORDER BY key), '{}'::jsonb) FROM (
                SELECT o.key, jsonb_agg(DISTINCT o.value ORDER BY o.value) AS options
                FROM catalog_variant AS v, jsonb_each_text(v.options) AS o
                WHERE v.product_id = product.id AND v.is_active
                GROUP BY o.key
            ) AS by_key
        ) AS option_values,
        regexp_replace(product.name, '[[:punct:]]+', ' ', 'g') AS name,
        regexp_replace(product.brand, '[[:punct:]]+', ' ', 'g') AS brand,
        regexp_replace(product.description, '[[:punct:]]+', ' ', 'g') AS description,
        regexp_replace(coalesce((
            SELECT string_agg(v.sku, ' ') FROM catalog_variant AS v
            WHERE v.product_id = product.id
        ), ''), '[[:punct:]]+', ' ', 'g') AS skus,
        regexp_replace(coalesce((
            SELECT string_agg(c.name, ' ')
            FROM catalog_product_categories AS pc
            JOIN catalog_category AS c ON c.id = pc.category_id
            WHERE pc.product_id = product.id
        ), ''), '[[:punct:]]+', ' ', 'g') AS categories
    FROM catalog_product AS product
    WHERE %(all)s OR product.id = ANY(%(ids)s)
)
UPDATE catalog_product AS p SET
    min_price = words.min_price,
    option_values = words.option_values,
    search_vector =
        setweight(to_tsvector(%(config)s, words.name) || to_tsvector('simple', words.name)
            || to_tsvector('simple', words.skus), 'A')
        || setweight(to_tsvector(%(config)s, words.brand)
            || to_tsvector('simple', words.brand), 'B')
        || setweight(to_tsvector(%(config)s, words.categories)
            || to_tsvector('simple', words.categories), 'C')
        || setweight(to_tsvector(%(config)s, words.description), 'D')
FROM words
WHERE p.id = words.id
"""


# The words a misspelt search can be corrected to (catalog.models.SearchTerm): those of the
# products' names and brands, and of category names.
SEARCH_TERMS_SQL_POSTGRESQL = """
INSERT INTO catalog_searchterm (word)
SELECT DISTINCT word FROM (
    SELECT lower(name || ' ' || brand) AS text FROM catalog_product
    WHERE %(all)s OR id = ANY(%(ids)s)
    UNION ALL SELECT lower(name) FROM catalog_category
) AS names, regexp_split_to_table(names.text, '[^[:alnum:]]+') AS word
WHERE length(word) BETWEEN 3 AND 64
ON CONFLICT (word) DO NOTHING
"""


def refresh_products(*, product_ids: list[int] | None = None) -> None:
    """Recompute `min_price` (lowest active variant price, sale prices included),
    `option_values` and, on PostgreSQL, `search_vector` and the search terms for the given
    products (all products when None), then invalidate the catalog cache once the transaction
    commits. Sale prices computed from a price that has since been edited are dropped first (the
    promotions sweep recomputes them).

    Call it after any change to a product, its variants or the names of its categories. Two
    UPDATEs (and on PostgreSQL one INSERT of new words); they take row locks on the rows they
    rewrite only. Safe to repeat.
    """
    if product_ids is not None and not product_ids:
        return
    stale_sales = Variant.objects.filter(sale_price__isnull=False).exclude(
        sale_base_price=F("price")
    )
    if product_ids is not None:
        stale_sales = stale_sales.filter(product_id__in=product_ids)
    stale_sales.update(sale_price=None, sale_base_price=None, sale_promotion_id=None)
    if connection.vendor == "postgresql":
        selection = {"all": product_ids is None, "ids": product_ids or []}
        with connection.cursor() as cursor:
            cursor.execute(_REFRESH_SQL_POSTGRESQL, {"config": SEARCH_CONFIG, **selection})
            cursor.execute(SEARCH_TERMS_SQL_POSTGRESQL, selection)
    else:
        products = Product.objects.all()
        if product_ids is not None:
            products = products.filter(pk__in=product_ids)
        lowest = (
            Variant.objects.filter(product=OuterRef("pk"), is_active=True)
            .values("product")
            .annotate(lowest=Min(Coalesce("sale_price", "price")))
            .values("lowest")
        )
        products.update(min_price=Subquery(lowest))
        _refresh_option_values_in_python(products)
    transaction.on_commit(invalidate_catalog_cache)


class Sale(NamedTuple):
    """A promotion's price for one variant, and the regular price it was computed from."""

    price: Decimal
    base_price: Decimal
    promotion_id: int


def set_sale_prices(*, sales: dict[int, Sale | None]) -> int:
    """Put promotions' sale prices on variants: `sales` maps a variant id to its Sale, or to
    None to end its sale. A Sale computed from a price that has been edited since is dropped
    at once (see `refresh_products`): the promotions sweep computes it again.

    Locks the variants in ascending id order (as checkouts do) and refreshes the products of
    those that changed. Returns how many variants changed. Safe to repeat.
    """
    changed = []
    fields = ["sale_price", "sale_base_price", "sale_promotion_id"]
    with transaction.atomic():
        ids = sorted(sales)
        for start in range(0, len(ids), SALE_BATCH_SIZE):
            batch = ids[start : start + SALE_BATCH_SIZE]
            for variant in Variant.objects.select_for_update().filter(pk__in=batch).order_by("pk"):
                wanted = tuple(sales[variant.pk] or (None, None, None))
                if tuple(getattr(variant, field) for field in fields) != wanted:
                    for field, value in zip(fields, wanted, strict=True):
                        setattr(variant, field, value)
                    changed.append(variant)
        Variant.objects.bulk_update(changed, fields, batch_size=SALE_BATCH_SIZE)
        refresh_products(product_ids=sorted({variant.product_id for variant in changed}))
    return len(changed)


def _refresh_option_values_in_python(products):
    """`Product.option_values` elsewhere than PostgreSQL (SQLite: local use and tests)."""
    values = {product_id: {} for product_id in products.values_list("pk", flat=True)}
    active = Variant.objects.filter(product__in=values, is_active=True)
    for product_id, options in active.values_list("product_id", "options"):
        for key, value in options.items():
            values[product_id].setdefault(key, set()).add(str(value))
    for product_id, by_key in values.items():
        option_values = {key: sorted(by_key[key]) for key in sorted(by_key)}
        Product.objects.filter(pk=product_id).update(option_values=option_values)


def set_products_active(*, product_ids: list[int], is_active: bool) -> int:
    """Show or hide products in the shop; returns how many rows changed. Safe to repeat."""
    with transaction.atomic():
        changed = (
            Product.objects.filter(pk__in=product_ids)
            .exclude(is_active=is_active)
            .update(is_active=is_active)
        )
        transaction.on_commit(invalidate_catalog_cache)
    return changed


def set_stock(*, sku: str, quantity: int) -> Variant:
    """Set one variant's stock to `quantity` (an absolute count, as after a stocktake).

    Locks the variant row (SELECT ... FOR UPDATE) so the new count is not interleaved with a
    checkout decrementing the same row. Safe to repeat.
    """
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        raise InvalidQuantity(f"Stock must be a whole number of 0 or more, not {quantity!r}.")
    if quantity > MAX_STOCK:
        raise InvalidQuantity(f"Stock must be at most {MAX_STOCK}, not {quantity}.")
    with transaction.atomic():
        try:
            variant = Variant.objects.select_for_update().get(sku=sku)
        except Variant.DoesNotExist:
            raise UnknownSKU(f"No variant has the SKU {sku!r}.") from None
        if variant.stock != quantity:
            variant.stock = quantity
            variant.save(update_fields=["stock"])
        transaction.on_commit(invalidate_catalog_cache)
    return variant


def _save_rendition(picture, source_name, suffix):
    """Store `picture` as a JPEG next to the renditions of `source_name`; return its name."""
    stem = PurePosixPath(source_name).stem
    buffer = BytesIO()
    picture.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    return default_storage.save(
        f"products/renditions/{stem}-{suffix}.jpg", ContentFile(buffer.getvalue())
    )


def make_renditions(source_name: str) -> dict:
    """Draw the thumbnail and display renditions of a stored image; return ProductImage field
    values (names and sizes). Writes two new files; the source is not changed."""
    with default_storage.open(source_name, "rb") as source, Image.open(source) as original:
        picture = ImageOps.exif_transpose(original)
        if picture.mode != "RGB":
            background = Image.new("RGB", picture.size, "white")
            rgba = picture.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            picture = background
        width, height = picture.size
        thumbnail = ImageOps.fit(picture, THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
        display = picture.copy()
        display.thumbnail(DISPLAY_SIZE, Image.Resampling.LANCZOS)
        return {
            "width": width,
            "height": height,
            "thumbnail": _save_rendition(thumbnail, source_name, "thumb"),
            "thumbnail_width": thumbnail.width,
            "thumbnail_height": thumbnail.height,
            "display": _save_rendition(display, source_name, "display"),
            "display_width": display.width,
            "display_height": display.height,
        }


def generate_image_renditions(*, image: ProductImage) -> None:
    """(Re)generate the renditions of one product image after its file was uploaded or
    replaced. Not transactional: it writes files, then one UPDATE of the row."""
    for name, value in make_renditions(image.image.name).items():
        setattr(image, name, value)
    image.save(
        update_fields=[
            "width",
            "height",
            "thumbnail",
            "thumbnail_width",
            "thumbnail_height",
            "display",
            "display_width",
            "display_height",
        ]
    )
    transaction.on_commit(invalidate_catalog_cache)
