"""The catalog pages: home, listing and search, a category, a product."""

from dataclasses import replace

from django.http import Http404
from django.shortcuts import render

from catalog import selectors
from catalog.forms import ProductFilterForm
from catalog.page_cache import cache_page_for_anonymous_visitors


@cache_page_for_anonymous_visitors
def home(request):
    tree = selectors.category_tree()
    return render(
        request,
        "catalog/home.html",
        {"tree": tree, "products": selectors.featured_products()},
    )


@cache_page_for_anonymous_visitors
def product_list(request):
    return _listing(request, tree=selectors.category_tree(), category=None)


@cache_page_for_anonymous_visitors
def category_detail(request, slug):
    tree = selectors.category_tree()
    category = tree.by_slug.get(slug)
    if category is None:
        raise Http404("No such category")
    return _listing(request, tree=tree, category=category)


def _listing(request, *, tree, category):
    """The product listing of /products/ and /categories/<slug>/: same filters, sorts, pages."""
    form = ProductFilterForm(request.GET, tree=tree, category=category)
    filters = form.filters()
    stats = selectors.listing_stats(filters)
    typed_query = ""
    if not stats.count and stats.corrections:
        # Nothing for a misspelt search: show what the corrected words find, and say so.
        corrected = replace(filters, q=selectors.corrected_search(filters.q, stats.corrections))
        corrected_stats = selectors.listing_stats(corrected)
        if corrected_stats.count:
            typed_query, filters, stats = filters.q, corrected, corrected_stats
    try:
        page = selectors.product_page(filters, form.page_number(), count=stats.count)
    except selectors.PageNotFound:
        raise Http404("No such page") from None
    shown_category = filters.category
    breadcrumbs = [("Home", "/"), ("All products", "/products/")]
    if shown_category is not None:
        breadcrumbs += [(c.name, c.get_absolute_url()) for c in tree.ancestors(shown_category)]
        breadcrumbs.append((shown_category.name, shown_category.get_absolute_url()))
    breadcrumbs[-1] = (breadcrumbs[-1][0], None)
    return render(
        request,
        "catalog/product_list.html",
        {
            "tree": tree,
            "form": form,
            "filters": filters,
            "page": page,
            "category": category,
            "shown_category": shown_category,
            "subcategories": tree.children_of(shown_category) if shown_category else [],
            # /products/ filters by any top-level category or its children; a category page
            # narrows through its subcategory links instead.
            "category_choices": (
                [(c, depth) for c, depth in tree.walk() if depth <= 1] if category is None else []
            ),
            "breadcrumbs": breadcrumbs,
            "sorts": selectors.SORTS.items(),
            "filtered": (
                filters.min_price is not None
                or filters.max_price is not None
                or filters.in_stock
                or filters.brands
                or filters.options
            ),
            "stats": stats,
            "facets": _facets(form, filters, stats),
            "typed_query": typed_query,
            "canonical_path": _canonical_path(request, category or filters.category, page),
        },
    )


def _facets(form, filters, stats):
    """The brand and option checkboxes: (legend, parameter, [(value, count, checked)])."""
    chosen = {"brand": set(filters.brands)}
    chosen.update({name: set(values) for name, values in filters.options})
    facets = [("Brand", "brand", stats.brands, chosen["brand"])]
    for parameter, option in selectors.FACET_OPTIONS.items():
        facets.append((option, parameter, stats.options.get(option, []), chosen.get(option, set())))
    return [
        (legend, parameter, [(value, count, value in picked) for value, count in values])
        for legend, parameter, values, picked in facets
        if values
    ]


def _canonical_path(request, category, page):
    """Filters, sorts and searches are variations of the base listing: search engines are sent
    to the base page (its pages beyond the first stay their own)."""
    path = category.get_absolute_url() if category else request.path
    if page.number > 1 and set(request.GET) == {"page"}:
        return f"{path}?page={page.number}"
    return path


@cache_page_for_anonymous_visitors
def product_detail(request, slug):
    product = selectors.product_for_page(slug)
    if product is None:
        raise Http404("No such product")
    tree = selectors.category_tree()
    categories = [c for c in product.categories.all() if c.pk in tree.by_id]
    breadcrumbs = [("Home", "/")]
    if categories:
        category = tree.by_id[categories[0].pk]
        breadcrumbs += [(c.name, c.get_absolute_url()) for c in tree.ancestors(category)]
        breadcrumbs.append((category.name, category.get_absolute_url()))
    breadcrumbs.append((product.name, None))
    variants = product.active_variants
    in_stock = [variant for variant in variants if variant.stock > 0]
    return render(
        request,
        "catalog/product_detail.html",
        {
            "tree": tree,
            "product": product,
            "variants": variants,
            "selected": in_stock[0] if in_stock else (variants[0] if variants else None),
            "option_label": " / ".join(variants[0].options) if variants else "",
            "purchasable": bool(in_stock),
            "breadcrumbs": breadcrumbs,
        },
    )
