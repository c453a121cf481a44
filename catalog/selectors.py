"""Reads for the catalog pages, cached where what they read is shared by every visitor.

Cached entries live under keys that include the catalog cache version, so
`catalog.services.invalidate_catalog_cache()` makes all of them stale at once.
"""

import csv
import hashlib
import logging
import math
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, When
from django.urls import reverse

from catalog.csv_format import COLUMNS, LIST_SEPARATOR, PATH_SEPARATOR, format_bool, format_options
from catalog.models import Category, Product, ProductImage, Variant
from catalog.services import CATALOG_CACHE_VERSION_KEY, SEARCH_CONFIG

logger = logging.getLogger(__name__)

SORTS = {
    "relevance": "Relevance",
    "price": "Price: low to high",
    "-price": "Price: high to low",
    "name": "Name",
    "newest": "Newest",
}
FEATURED_COUNT = 8
MAX_COUNTED = 10_000
FEW = 3_000  # see listing_order
MAX_SEARCH_WORDS = 8


def catalog_cache_version():
    """The current catalog version, created if missing (may raise on a cache outage)."""
    version = cache.get(CATALOG_CACHE_VERSION_KEY)
    if version is None:
        cache.add(CATALOG_CACHE_VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(CATALOG_CACHE_VERSION_KEY)
    return version


def _cache_key(name):
    return f"catalog:{catalog_cache_version()}:{name}"


def _cached(name, compute):
    """`compute()`, cached for SHOP_CATALOG_CACHE_SECONDS under the current catalog version.
    A cache outage degrades to computing every time rather than failing the page."""
    try:
        key = _cache_key(name)
        value = cache.get(key)
    except Exception:
        logger.exception("Catalog cache unavailable")
        return compute()
    if value is None:
        value = compute()
        if value is None:
            return None  # nothing found: not cached, or each invented URL would add a key
        try:
            cache.set(key, value, settings.SHOP_CATALOG_CACHE_SECONDS)
        except Exception:
            logger.exception("Catalog cache unavailable")
    return value


# --- Categories ---------------------------------------------------------------------------


class CategoryNode(NamedTuple):
    """A category as the pages show it: light to cache and unpickle, unlike a model instance."""

    pk: int
    parent_id: int | None
    name: str
    slug: str
    description: str

    def get_absolute_url(self):
        return reverse("catalog:category", args=[self.slug])


class CategoryTree:
    """All categories, linked in memory: the whole tree is small enough to cache as one."""

    def __init__(self, categories):
        """`categories`: CategoryNodes in display order (position, name)."""
        self.by_id = {category.pk: category for category in categories}
        self.by_slug = {category.slug: category for category in categories}
        self.children = {}
        for category in categories:  # already in (position, name) order
            self.children.setdefault(category.parent_id, []).append(category)
        self.roots = self.children.get(None, [])

    def children_of(self, category):
        return self.children.get(category.pk, [])

    def ancestors(self, category):
        """From the root down to the category's parent."""
        chain = []
        while category.parent_id is not None:
            category = self.by_id[category.parent_id]
            chain.append(category)
        return chain[::-1]

    def descendant_ids(self, category):
        """The category's id and those of all categories below it."""
        ids, stack = [], [category]
        while stack:
            current = stack.pop()
            ids.append(current.pk)
            stack.extend(self.children_of(current))
        return ids

    def path(self, category):
        return PATH_SEPARATOR.join(c.name for c in [*self.ancestors(category), category])

    def walk(self):
        """(category, depth) for every category, depth first, in display order."""
        stack = [(root, 0) for root in reversed(self.roots)]
        while stack:
            category, depth = stack.pop()
            yield category, depth
            stack.extend((child, depth + 1) for child in reversed(self.children_of(category)))


def _load_category_tree():
    fields = ["pk", "parent_id", "name", "slug", "description"]
    rows = Category.objects.order_by("position", "name").values_list(*fields)
    return CategoryTree([CategoryNode(*row) for row in rows])


def category_tree():
    return _cached("tree", _load_category_tree)


# --- Products -----------------------------------------------------------------------------


def with_card_data(products):
    """Prefetch what a product card and the model's card properties read: active variants
    (`active_variants`) and images (`image_list`), two queries for any number of products."""
    return products.prefetch_related(
        Prefetch(
            "variants",
            queryset=Variant.objects.filter(is_active=True).order_by("position", "pk"),
            to_attr="active_variants",
        ),
        Prefetch(
            "images",
            queryset=ProductImage.objects.order_by("position", "pk"),
            to_attr="image_list",
        ),
    )


def listable_products():
    """Products customers may see: active, with at least one active variant (a price)."""
    return Product.objects.filter(is_active=True, min_price__isnull=False)


def featured_products():
    """The home page's products: featured ones first, then the newest."""

    def compute():
        products = listable_products().order_by("-is_featured", "-created_at", "-pk")
        return list(with_card_data(products)[:FEATURED_COUNT])

    return _cached("featured", compute)


@dataclass(frozen=True)
class ProductFilters:
    q: str = ""
    category: CategoryNode | None = None
    sort: str = "relevance"
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False

    def cache_name(self):
        values = [
            self.q,
            self.category.pk if self.category else "",
            self.sort,
            self.min_price,
            self.max_price,
            self.in_stock,
        ]
        return hashlib.sha256(repr(values).encode()).hexdigest()


def search_words(q):
    """The words of a search, lowercased, without punctuation; at most MAX_SEARCH_WORDS."""
    return re.findall(r"[^\W_]+", q.lower())[:MAX_SEARCH_WORDS]


def search_query(words):
    """PostgreSQL: every word must match, stemmed; the last one also as a prefix of a stemmed
    or unstemmed word (the customer may still be typing it)."""
    *complete, last = words
    prefix = SearchQuery(f"{last}:*", search_type="raw", config=SEARCH_CONFIG) | SearchQuery(
        f"{last}:*", search_type="raw", config="simple"
    )
    if not complete:
        return prefix
    return SearchQuery(" & ".join(complete), search_type="raw", config=SEARCH_CONFIG) & prefix


def _search(products, q):
    """Filter by a search; on PostgreSQL annotate `rank` for the relevance sort."""
    words = search_words(q)
    if not words:
        return products
    if connection.vendor == "postgresql":
        query = search_query(words)
        return products.filter(search_vector=query).annotate(
            rank=SearchRank(F("search_vector"), query)
        )
    # Elsewhere (SQLite for local use and tests): a plain substring match per word.
    for word in words:
        products = products.filter(
            Q(name__icontains=word)
            | Q(brand__icontains=word)
            | Q(description__icontains=word)
            | Exists(Variant.objects.filter(product=OuterRef("pk"), sku__icontains=word))
            | Exists(Category.objects.filter(products=OuterRef("pk"), name__icontains=word))
        )
    return products


def filtered_products(filters, tree=None):
    """The listing's products for `filters`, unordered (see `listing_order`), not sliced."""
    products = listable_products()
    if filters.category is not None:
        tree = tree or category_tree()
        in_category = Product.categories.through.objects.filter(
            category_id__in=tree.descendant_ids(filters.category)
        )
        products = products.filter(pk__in=in_category.values("product_id"))
    if filters.min_price is not None:
        products = products.filter(min_price__gte=filters.min_price)
    if filters.max_price is not None:
        products = products.filter(min_price__lte=filters.max_price)
    if filters.in_stock:
        products = products.filter(
            Exists(Variant.objects.filter(product=OuterRef("pk"), is_active=True, stock__gt=0))
        )
    return _search(products, filters.q)


def listing_order(sort, *, searching, few):
    """ORDER BY terms for a sort. With `few` matches, the sort column is wrapped in an
    expression no index provides, so PostgreSQL gathers the matches (through the category or
    search index) and sorts them, rather than walking the whole price or name index looking
    for a few products that may all sort last."""

    def column(name):
        return Case(When(pk__isnull=False, then=F(name))) if few else F(name)

    orders = {
        "price": [column("min_price").asc(), F("pk").asc()],
        "-price": [column("min_price").desc(), F("pk").desc()],
        "name": [column("name").asc(), F("pk").asc()],
        "newest": [column("created_at").desc(), F("pk").desc()],
    }
    if sort in orders:
        return orders[sort]
    if searching:
        return [F("rank").desc(), F("name").asc(), F("pk").asc()]
    return orders["name"]


@dataclass
class ProductPage:
    """One page of a listing; the attributes the pagination template reads. `count` stops at
    MAX_COUNTED: a listing of more says "10,000+" and its pages end there."""

    products: list
    count: int
    number: int
    per_page: int
    count_is_capped: bool = False

    @property
    def num_pages(self):
        return max(1, math.ceil(self.count / self.per_page))

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.num_pages

    @property
    def previous_page_number(self):
        return self.number - 1

    @property
    def next_page_number(self):
        return self.number + 1

    @property
    def start_index(self):
        return (self.number - 1) * self.per_page + 1 if self.count else 0

    @property
    def end_index(self):
        return min(self.number * self.per_page, self.count)

    def page_range(self):
        """Page numbers to link, with None for a gap: 1 … 4 5 [6] 7 8 … 20."""
        pages = sorted(
            {1, self.num_pages, *range(self.number - 2, self.number + 3)}
            & set(range(1, self.num_pages + 1))
        )
        shown = []
        for page in pages:
            if shown and page != shown[-1] + 1:
                shown.append(None)
            shown.append(page)
        return shown


class PageNotFound(Exception):
    """The page number is past the last page."""


def product_page(filters, number):
    """One page of the listing for `filters` (cached). Raises PageNotFound past the end.

    Two queries (a COUNT and the page) plus two prefetches; both use the listing indexes. The
    COUNT stops after MAX_COUNTED rows, so a broad listing of 100k products costs no more than
    a narrow one (and nobody pages through 400 pages)."""
    per_page = settings.SHOP_PRODUCTS_PER_PAGE

    def compute():
        products = filtered_products(filters)
        count = products.order_by().values("pk")[: MAX_COUNTED + 1].count()
        capped = count > MAX_COUNTED
        count = min(count, MAX_COUNTED)
        if number > 1 and (number - 1) * per_page >= count:
            return None  # past the end
        searching = "rank" in products.query.annotations
        products = products.order_by(
            *listing_order(filters.sort, searching=searching, few=count <= FEW)
        )
        start = (number - 1) * per_page
        page = list(with_card_data(products)[start : start + per_page])
        return ProductPage(
            products=page, count=count, number=number, per_page=per_page, count_is_capped=capped
        )

    if filters.q or filters.min_price is not None or filters.max_price is not None:
        page = compute()  # free text and free numbers: one cache entry each would be unbounded
    else:
        page = _cached(f"page:{filters.cache_name()}:{number}", compute)
    if page is None:
        raise PageNotFound(number)
    return page


def product_for_page(slug):
    """The active product with this slug, with its variants, images and categories; or None."""

    def compute():
        products = with_card_data(Product.objects.filter(slug=slug, is_active=True))
        product = products.prefetch_related(
            Prefetch("categories", queryset=Category.objects.order_by("position", "name"))
        ).first()
        return product

    return _cached(f"product:{hashlib.sha256(slug.encode()).hexdigest()}", compute)


# --- Export -------------------------------------------------------------------------------


def write_products_csv(file):
    """Write every variant as one row of the import format (catalog/csv_format.py)."""
    tree = _load_category_tree()
    writer = csv.writer(file, lineterminator="\n")
    writer.writerow(COLUMNS)
    products = Product.objects.order_by("pk").prefetch_related(
        Prefetch("variants", queryset=Variant.objects.order_by("position", "pk")),
        Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk")),
        Prefetch("categories", queryset=Category.objects.order_by("pk")),
    )
    for product in products.iterator(chunk_size=1000):
        categories = LIST_SEPARATOR.join(tree.path(c) for c in product.categories.all())
        images = LIST_SEPARATOR.join(image.image.name for image in product.images.all())
        for variant in product.variants.all():
            writer.writerow(
                [
                    variant.sku,
                    product.slug,
                    product.name,
                    product.brand,
                    categories,
                    format_options(variant.options),
                    variant.price,
                    "" if variant.compare_at_price is None else variant.compare_at_price,
                    variant.stock,
                    format_bool(variant.is_active),
                    format_bool(product.is_active),
                    product.description,
                    images,
                    product.tax_class,
                ]
            )
