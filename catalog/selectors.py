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
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import partial
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


# The variant options offered as facets: query parameter -> option name in Variant.options.
FACET_OPTIONS = {"size": "Size", "colour": "Colour"}


@dataclass(frozen=True)
class ProductFilters:
    q: str = ""
    category: CategoryNode | None = None
    sort: str = "relevance"
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    brands: tuple[str, ...] = ()
    # Chosen values per facet option, e.g. (("Colour", ("Red",)), ("Size", ("L", "M"))).
    options: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def cache_name(self, *, sorted_=True):
        values = [
            self.q,
            self.category.pk if self.category else "",
            self.sort if sorted_ else "",
            self.min_price,
            self.max_price,
            self.in_stock,
            self.brands,
            self.options,
        ]
        return hashlib.sha256(repr(values).encode()).hexdigest()

    def without_facets(self):
        return replace(self, brands=(), options=())

    def has_free_input(self):
        """Whether a visitor typed or invented part of it (a search, a price, facet values):
        such listings are not cached in Redis, whose keys would then have no bound."""
        return bool(
            self.q
            or self.min_price is not None
            or self.max_price is not None
            or self.brands
            or self.options
        )


def search_words(q):
    """The words of a search, lowercased, without punctuation; at most MAX_SEARCH_WORDS."""
    return re.findall(r"[^\W_]+", q.lower())[:MAX_SEARCH_WORDS]


def corrected_search(q, corrections):
    """The search `q` with each corrected word replaced: "castiron saucpan" -> "cast iron
    saucepan"."""
    return " ".join(corrections.get(word, word) for word in search_words(q))


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
    if filters.brands:
        products = products.filter(brand__in=filters.brands)
    for name, values in filters.options:
        variants = Variant.objects.filter(product=OuterRef("pk"), is_active=True)
        products = products.filter(Exists(variants.filter(**{f"options__{name}__in": values})))
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


def product_page(filters, number, *, count):
    """One page of the listing for `filters` (cached), `count` being its number of products
    (see `listing_stats`). Raises PageNotFound past the end.

    One query for the page plus two prefetches, using the listing indexes. Counts stop at
    MAX_COUNTED: nobody pages through 400 pages."""
    per_page = settings.SHOP_PRODUCTS_PER_PAGE
    capped = count > MAX_COUNTED
    count = min(count, MAX_COUNTED)
    if number > 1 and (number - 1) * per_page >= count:
        raise PageNotFound(number)

    def compute():
        if not count:
            return []
        products = filtered_products(filters)
        searching = "rank" in products.query.annotations
        products = products.order_by(
            *listing_order(filters.sort, searching=searching, few=count <= FEW)
        )
        start = (number - 1) * per_page
        return list(with_card_data(products)[start : start + per_page])

    if filters.has_free_input():
        products = compute()  # free text and free values: a cache entry each would be unbounded
    else:
        products = _cached(f"page:{filters.cache_name()}:{number}", compute)
    return ProductPage(
        products=products, count=count, number=number, per_page=per_page, count_is_capped=capped
    )


@dataclass
class ListingStats:
    """What a listing shows besides its products: how many match, the facets with counts and,
    for a search, spelling corrections ({typed word: known word or words})."""

    count: int
    brands: list = field(default_factory=list)  # [(brand, count)], most products first
    options: dict = field(default_factory=dict)  # {"Size": [(value, count)], ...}
    corrections: dict = field(default_factory=dict)


def listing_stats(filters):
    """Count, facets and spelling corrections of a listing, cached; one query on PostgreSQL.

    Facet counts are the usual "what you would get": each brand's count honours the option
    choices, each option value's count the brand and the other options' choices."""
    if connection.vendor == "postgresql":
        compute = partial(_listing_stats_postgresql, filters)
    else:
        compute = partial(_listing_stats_python, filters)
    if filters.has_free_input():
        return compute()  # as product_page: no unbounded cache entries
    return _cached(f"stats:{filters.cache_name(sorted_=False)}", compute)


TYPO_MIN_LENGTH = 5  # shorter words have too few trigrams to correct reliably
TYPO_MIN_SIMILARITY = 0.4

_STATS_SQL = """
WITH base (id, brand, option_values) AS MATERIALIZED ({base}),
flags AS MATERIALIZED (
    SELECT *,
        (cardinality(%(brands)s::text[]) = 0 OR brand = ANY(%(brands)s)) AS brand_ok,
        {flag_columns}
    FROM base
)
SELECT 'count', '', '', count(*)::float FROM flags WHERE brand_ok AND {all_options_ok}
UNION ALL
SELECT 'brand', '', brand, count(*) FROM flags
WHERE brand <> '' AND {all_options_ok} GROUP BY brand
{option_counts}
UNION ALL
SELECT 'similar', w.word, best.word, best.score
FROM unnest(%(typo_words)s::text[]) AS w(word)
CROSS JOIN LATERAL (
    SELECT t.word, similarity(t.word, w.word) AS score FROM catalog_searchterm AS t
    WHERE t.word %% w.word ORDER BY score DESC, t.word LIMIT 1
) AS best
UNION ALL
SELECT 'split', w.word, a.word || ' ' || b.word, 1
FROM unnest(%(typo_words)s::text[]) AS w(word)
JOIN catalog_searchterm AS a ON length(a.word) >= 3 AND left(w.word, length(a.word)) = a.word
JOIN catalog_searchterm AS b ON b.word = substr(w.word, length(a.word) + 1)
"""


def _stats_sql(filters):
    """The one statement of `_listing_stats_postgresql`, with its parameters. It reads product
    rows only (their denormalised `option_values`), never the variants; option names are fixed
    (FACET_OPTIONS) and every value a visitor sends is a parameter."""
    names = list(FACET_OPTIONS.values())
    chosen = dict(filters.options)
    params = {
        "brands": list(filters.brands),
        "typo_words": [w for w in search_words(filters.q) if len(w) >= TYPO_MIN_LENGTH],
    }
    flag_columns, option_counts = [], []
    for index, name in enumerate(names):
        params[f"name_{index}"], params[f"chosen_{index}"] = name, list(chosen.get(name, ()))
        flag_columns.append(
            f"(cardinality(%(chosen_{index})s::text[]) = 0"
            f" OR (option_values -> %(name_{index})s) ?| %(chosen_{index})s::text[]) AS ok_{index}"
        )
        others = "".join(f" AND ok_{j}" for j in range(len(names)) if j != index)
        option_counts.append(  # only fixed names and indexes; every value is a parameter
            f"UNION ALL SELECT 'option', %(name_{index})s, value, count(*) FROM flags,"  # noqa: S608
            f" jsonb_array_elements_text(option_values -> %(name_{index})s) AS value"
            f" WHERE brand_ok{others} GROUP BY value"
        )
    base = filtered_products(filters.without_facets()).order_by()
    base = base.values_list("pk", "brand", "option_values")
    base_sql, base_params = base.query.sql_with_params()
    # The base query's placeholders are positional (%s, with %% for a literal %): name them.
    positions = iter(range(len(base_params)))
    base_sql = re.sub(
        r"%%|%s", lambda m: m[0] if m[0] == "%%" else f"%(base_{next(positions)})s", base_sql
    )
    params.update({f"base_{i}": value for i, value in enumerate(base_params)})
    sql = _STATS_SQL.format(
        base=base_sql,
        flag_columns=", ".join(flag_columns),
        all_options_ok=" AND ".join(f"ok_{i}" for i in range(len(names))),
        option_counts="\n".join(option_counts),
    )
    return sql, params


def _listing_stats_postgresql(filters):
    sql, params = _stats_sql(filters)
    stats, similar, splits = ListingStats(count=0), {}, {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for kind, key, value, number in rows:
        if kind == "count":
            stats.count = int(number)
        elif kind == "brand":
            stats.brands.append((value, int(number)))
        elif kind == "option":
            stats.options.setdefault(key, []).append((value, int(number)))
        elif kind == "similar" and number >= TYPO_MIN_SIMILARITY:
            similar[key] = value
        elif kind == "split":
            splits.setdefault(key, value)
    for word in dict.fromkeys(w for w in search_words(filters.q) if len(w) >= TYPO_MIN_LENGTH):
        # A word the shop knows needs no correction; two known words run together do.
        correction = splits.get(word) or similar.get(word)
        if correction and correction != word:
            stats.corrections[word] = correction
    _sort_facets(stats)
    return stats


def _listing_stats_python(filters):
    """SQLite (local use and tests): the same counts from one query, added up in Python; no
    spelling corrections (they need PostgreSQL's pg_trgm)."""
    base = filtered_products(filters.without_facets()).order_by()
    names = list(FACET_OPTIONS.values())
    chosen = {name: set(values) for name, values in filters.options}
    stats = ListingStats(count=0)
    brands, options = {}, {name: {} for name in names}
    for brand, option_values in base.values_list("brand", "option_values"):
        values = {name: {str(value) for value in option_values.get(name, [])} for name in names}
        brand_ok = not filters.brands or brand in filters.brands
        ok = {name: not chosen.get(name) or bool(values[name] & chosen[name]) for name in names}
        if brand_ok and all(ok.values()):
            stats.count += 1
        if brand and all(ok.values()):
            brands[brand] = brands.get(brand, 0) + 1
        for name in names:
            if brand_ok and all(passed for other, passed in ok.items() if other != name):
                for value in values[name]:
                    options[name][value] = options[name].get(value, 0) + 1
    stats.brands = list(brands.items())
    stats.options = {name: list(counts.items()) for name, counts in options.items() if counts}
    _sort_facets(stats)
    return stats


# Sizes in the order people expect rather than alphabetically.
SIZE_ORDER = ["XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL"]


def _option_sort_key(item):
    value = item[0]
    if value in SIZE_ORDER:
        return (0, SIZE_ORDER.index(value), 0, "")
    number = re.match(r"[0-9]+(?:[.][0-9]+)?", value)
    if number:
        return (1, 0, float(number.group()), value)
    return (2, 0, 0, value.lower())


def _sort_facets(stats):
    stats.brands.sort(key=lambda item: (-item[1], item[0].lower()))
    for values in stats.options.values():
        values.sort(key=_option_sort_key)


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
