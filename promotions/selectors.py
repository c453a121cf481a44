"""Reads for discount codes and promotions: finding a code as a customer typed it, whether it
can be used, what it offers a cart, and the names of running promotions."""

import re

from django.db.models import Q, Value
from django.utils import timezone

from catalog.models import Product
from catalog.selectors import category_tree
from orders.pricing import DiscountTerms
from promotions.models import CODE_PATTERN, DiscountCode, Promotion, Redemption

# The code a visitor applied to their cart (one per order), as they typed it, trimmed.
SESSION_CODE_KEY = "discount_code"

NOT_VALID = "That discount code is not valid."


def normalize_code(text):
    return str(text or "").strip()


def session_code(session):
    return normalize_code(session.get(SESSION_CODE_KEY, ""))


def find_code(text):
    """The code matching `text` ignoring case and surrounding spaces, or None. Text that cannot
    be a code is not looked up (and PostgreSQL refuses e.g. a NUL in a query)."""
    text = normalize_code(text)
    if not re.fullmatch(CODE_PATTERN, text):
        return None
    return DiscountCode.objects.filter(code__iexact=text).first()


def uses_by(code, *, customer=None, email=""):
    """Orders (not released) that redeemed `code` for this account or this email."""
    who = Q()
    if customer is not None:
        who |= Q(customer=customer)
    if email:
        who |= Q(email=email.lower())
    if not who:
        return 0
    return Redemption.objects.filter(who, code=code, released_at__isnull=True).count()


def code_problem(code, *, customer=None, email="", now=None):
    """Why `code` cannot be used by this customer now (a message for them), or "". An unknown,
    inactive or not yet started code gets the same message, so that trying codes tells
    nothing about which exist. `email` is known at checkout only (guests)."""
    now = now or timezone.now()
    if code is None or not code.is_active or (code.starts_at and now < code.starts_at):
        return NOT_VALID
    if code.ends_at and code.ends_at <= now:
        return f"The discount code {code.code} has expired."
    if code.max_uses is not None and code.times_used >= code.max_uses:
        return f"The discount code {code.code} has been used up."
    limit = code.max_uses_per_customer
    if limit is not None and uses_by(code, customer=customer, email=email) >= limit:
        return f"You have already used the discount code {code.code}."
    return ""


def _restrictions(code):
    """The ids of the products and of the categories a code is restricted to, in one query."""
    products = DiscountCode.products.through.objects.filter(discountcode=code).values_list(
        Value("product"), "product_id"
    )
    categories = DiscountCode.categories.through.objects.filter(discountcode=code).values_list(
        Value("category"), "category_id"
    )
    rows = list(products.union(categories, all=True))
    return (
        {pk for kind, pk in rows if kind == "product"},
        {pk for kind, pk in rows if kind == "category"},
    )


def discount_terms(code, *, products):
    """What `code` offers an order of `products` ({line key: catalog Product}): the terms
    orders.pricing applies. A code restricted to products or categories covers the lines of
    those products, and of products in those categories or their subcategories."""
    kind = DiscountCode.Kind
    keys = None
    product_ids, category_ids = _restrictions(code)
    if product_ids or category_ids:
        tree = category_tree()
        wanted = set()
        for category_id in category_ids:
            if category_id in tree.by_id:
                wanted.update(tree.descendant_ids(tree.by_id[category_id]))
        in_categories = set(
            Product.categories.through.objects.filter(
                product_id__in={product.pk for product in products.values()},
                category_id__in=wanted,
            ).values_list("product_id", flat=True)
        )
        keys = frozenset(
            key
            for key, product in products.items()
            if product.pk in product_ids or product.pk in in_categories
        )
    return DiscountTerms(
        code=code.code,
        description=code.description,
        percent=code.value if code.kind == kind.PERCENT else None,
        amount=code.value if code.kind == kind.AMOUNT else None,
        free_shipping=code.kind == kind.FREE_SHIPPING,
        min_subtotal=code.min_subtotal,
        keys=keys,
    )


def promotion_labels(promotion_ids):
    """{promotion id: label} for the promotions behind sale prices (ids may include None);
    one query, none when there is no id."""
    ids = {pk for pk in promotion_ids if pk is not None}
    if not ids:
        return {}
    return {promotion.pk: promotion.label for promotion in Promotion.objects.filter(pk__in=ids)}


def live_promotions(now):
    """Promotions running at `now`, with their products and categories."""
    return list(
        Promotion.objects.filter(is_active=True, starts_at__lte=now)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .prefetch_related("products", "categories")
        .order_by("pk")
    )
