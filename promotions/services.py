"""Write paths for discount codes and promotions.

Redeeming a code is part of placing an order (orders.services.checkout): inside the order's
transaction, `lock_code_for_order` locks the code's row and checks it, and
`redeem_discount_code` records the use. Lock order, shared with every order service: the order
row (when changing an existing order), variant rows by ascending id, then the discount code
row. Holding the code's row from the check to the commit is what makes `max_uses` exact: a
second checkout with the same code waits, then sees the first one's use.

Promotions put sale prices on catalog rows (`apply_promotions`, run by staff saves and every
minute by Celery beat): one run at a time (an advisory lock), then variant rows by ascending
id, the same order as checkouts. Money is computed
by orders.pricing (a pure module without models), the one place amounts are rounded.
"""

import csv
import re
import secrets

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone

from catalog.models import Product, Variant
from catalog.selectors import category_tree
from catalog.services import Sale, set_sale_prices
from orders.pricing import percent_off
from promotions.models import DiscountCode, Promotion, Redemption
from promotions.selectors import code_problem, find_code, live_promotions

# The advisory lock key of apply_promotions (any number no other code uses).
APPLY_PROMOTIONS_LOCK = 4_127_310_001
GENERATED_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GENERATED_LENGTH = 10
MAX_GENERATED = 10_000


class PromotionError(Exception):
    """A promotions write that cannot be done; the message is meant for the person asking."""


class DiscountCodeRejected(PromotionError):
    """The code cannot be used for this order; `str(error)` is the customer's message."""


class DuplicateCode(PromotionError):
    pass


def create_discount_code(*, code, products=(), categories=(), **fields):
    """Create a code after the model's validation (raises django's ValidationError), or raise
    DuplicateCode when one with the same letters exists, whatever their case."""
    discount_code = DiscountCode(code=code.strip(), **fields)
    discount_code.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            discount_code.save()
            discount_code.products.set(products)
            discount_code.categories.set(categories)
    except IntegrityError:
        raise DuplicateCode(f"The discount code {discount_code.code} exists already.") from None
    return discount_code


def _unused_codes(count, prefix):
    """`count` random codes that no existing code matches, whatever its case."""
    codes = set()
    while len(codes) < count:
        while len(codes) < count:
            body = "".join(secrets.choice(GENERATED_ALPHABET) for _ in range(GENERATED_LENGTH))
            codes.add(f"{prefix}-{body}" if prefix else body)
        codes -= set(
            DiscountCode.objects.annotate(upper=Upper("code"))
            .filter(upper__in=codes)
            .values_list("upper", flat=True)
        )
    return sorted(codes)


def generate_discount_codes(*, template, count, prefix=""):
    """Create `count` unique single-use codes with the terms of `template` (kind, value,
    minimum, window, restrictions), labelled with one batch name; returns them.

    Codes are random (10 characters without look-alikes: 32^10 possibilities), checked against
    the existing ones and inserted in one transaction; a clash with a code created meanwhile
    rolls it back and draws again.
    """
    if not 1 <= count <= MAX_GENERATED:
        raise PromotionError(f"Generate between 1 and {MAX_GENERATED} codes at a time.")
    prefix = prefix.strip().upper()
    if prefix and not re.fullmatch(r"[A-Z0-9]{1,20}", prefix):
        raise PromotionError("A prefix is 1 to 20 letters or digits.")
    batch = f"{template.code} x{count} {timezone.now():%Y-%m-%d %H:%M:%S}"
    products = list(template.products.all())
    categories = list(template.categories.all())
    for _attempt in range(3):
        codes = _unused_codes(count, prefix)
        try:
            with transaction.atomic():
                created = DiscountCode.objects.bulk_create(
                    DiscountCode(
                        code=code,
                        kind=template.kind,
                        value=template.value,
                        min_subtotal=template.min_subtotal,
                        starts_at=template.starts_at,
                        ends_at=template.ends_at,
                        max_uses=1,
                        max_uses_per_customer=1,
                        is_active=template.is_active,
                        batch=batch,
                    )
                    for code in codes
                )
                DiscountCode.products.through.objects.bulk_create(
                    DiscountCode.products.through(discountcode=code, product=product)
                    for code in created
                    for product in products
                )
                DiscountCode.categories.through.objects.bulk_create(
                    DiscountCode.categories.through(discountcode=code, category=category)
                    for code in created
                    for category in categories
                )
        except IntegrityError:
            continue
        return created
    raise PromotionError("Could not draw unique codes; please try again.")


def write_codes_csv(*, codes, out):
    """The codes as CSV (one per row, with their terms), e.g. for a newsletter tool."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "description", "min_subtotal", "starts_at", "ends_at", "max_uses"])
    for code in codes:
        writer.writerow(
            [
                code.code,
                code.description,
                code.min_subtotal or "",
                code.starts_at.isoformat() if code.starts_at else "",
                code.ends_at.isoformat() if code.ends_at else "",
                code.max_uses or "",
            ]
        )


def lock_code_for_order(*, text, customer, email):
    """The code matching `text`, locked (SELECT ... FOR UPDATE) until the caller's transaction
    ends, after checking it can be used now by this customer; raises DiscountCodeRejected
    otherwise. Call it inside the order's transaction, after locking the variants."""
    found = find_code(text)
    code = None
    if found is not None:
        code = DiscountCode.objects.select_for_update().get(pk=found.pk)
    problem = code_problem(code, customer=customer, email=email)
    if problem:
        raise DiscountCodeRejected(problem)
    return code


def redeem_discount_code(*, code, order_number, customer, email, amount):
    """Record that order `order_number` used `code` (locked by `lock_code_for_order` in this
    same transaction) for a discount of `amount`."""
    Redemption.objects.create(
        code=code, order_number=order_number, customer=customer, email=email.lower(), amount=amount
    )
    code.times_used += 1
    code.save(update_fields=["times_used"])


def release_discount_code(*, order_number):
    """Give back the code use of a cancelled or fully refunded order, so it counts against no
    limit any more. Locks the code's row (after the caller's order and variant locks). Safe to
    repeat: a released use is not released twice. Returns whether a use was given back."""
    redemption = Redemption.objects.filter(order_number=order_number).first()
    if redemption is None:
        return False
    with transaction.atomic():
        code = DiscountCode.objects.select_for_update().get(pk=redemption.code_id)
        released = Redemption.objects.filter(pk=redemption.pk, released_at__isnull=True).update(
            released_at=timezone.now()
        )
        if released:
            code.times_used -= 1
            code.save(update_fields=["times_used"])
    return bool(released)


def _variants_in_scope(promotion, tree):
    """(variant id, price) of every variant the promotion covers."""
    variants = Variant.objects.all()
    product_ids = [product.pk for product in promotion.products.all()]
    category_ids = set()
    for category in promotion.categories.all():
        if category.pk in tree.by_id:
            category_ids.update(tree.descendant_ids(tree.by_id[category.pk]))
    if product_ids or category_ids:
        in_categories = Product.categories.through.objects.filter(
            category_id__in=category_ids
        ).values("product_id")
        variants = variants.filter(Q(product_id__in=product_ids) | Q(product_id__in=in_categories))
    return variants.values_list("pk", "price")


def _one_run_at_a_time():
    """Serialise the runs of apply_promotions until the transaction ends (a PostgreSQL
    advisory lock; SQLite runs one writer at a time anyway), so that a staff edit applied
    right after a sweep is never overwritten by that sweep's older view. It is taken before
    any variant lock and holds no promotion row, so a staff save that already updated a
    promotion row waits for a running sweep without either blocking the other."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPLY_PROMOTIONS_LOCK])


def apply_promotions(*, now=None):
    """Make the catalog's sale prices those of the promotions running at `now`: each variant
    a promotion covers gets the price less the best percentage among them; every other
    variant loses its sale price. Returns how many variants changed.

    Runs one at a time (`_one_run_at_a_time`), then locks the variants that change by
    ascending id (catalog.services.set_sale_prices, which also refreshes prices and the
    catalog cache). Safe to repeat: a second run changes nothing. Run by Celery beat every
    minute, and after staff change promotions (in the same transaction as their change).
    """
    now = now or timezone.now()
    with transaction.atomic():
        _one_run_at_a_time()
        tree = category_tree()
        wanted = {}
        for promotion in sorted(live_promotions(now), key=lambda p: (-p.percent, p.pk)):
            for variant_id, price in _variants_in_scope(promotion, tree):
                if variant_id not in wanted:
                    wanted[variant_id] = Sale(
                        percent_off(price, promotion.percent), price, promotion.pk
                    )
        current = {
            variant_id: Sale(*sale)
            for variant_id, *sale in Variant.objects.filter(sale_price__isnull=False).values_list(
                "pk", "sale_price", "sale_base_price", "sale_promotion_id"
            )
        }
        changes = {pk: sale for pk, sale in wanted.items() if current.get(pk) != sale}
        changes.update({pk: None for pk in current if pk not in wanted})
        return set_sale_prices(sales=changes)


def end_promotions(*, promotions, now=None):
    """End promotions now (one not started yet is deactivated) and take their sale prices
    off the catalog. Returns how many were running or scheduled. Safe to repeat."""
    now = now or timezone.now()
    ended = 0
    with transaction.atomic():
        _one_run_at_a_time()
        for promotion in Promotion.objects.filter(
            pk__in=[promotion.pk for promotion in promotions]
        ):
            if not promotion.is_active or (promotion.ends_at and promotion.ends_at <= now):
                continue
            if promotion.starts_at < now:
                promotion.ends_at = now
            else:
                promotion.is_active = False
            promotion.save(update_fields=["ends_at", "is_active"])
            ended += 1
        apply_promotions(now=now)
    return ended


def delete_promotions(*, promotions):
    """Delete promotions, taking their sale prices off the catalog first (so no checkout can
    still name a deleted promotion). Orders that used them keep the promotion's name."""
    with transaction.atomic():
        _one_run_at_a_time()
        ids = [promotion.pk for promotion in promotions]
        Promotion.objects.filter(pk__in=ids).update(is_active=False)
        apply_promotions()
        Promotion.objects.filter(pk__in=ids).delete()
