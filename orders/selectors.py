"""Reads of carts and orders, always scoped to the requesting visitor."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Prefetch, Q, Sum
from django.urls import reverse

from accounts.models import Address
from billing.selectors import tax_rates_for
from catalog.models import ProductImage, Variant
from catalog.templatetags.catalog_tags import money
from orders.models import ORDER_NUMBER_ALPHABET, ORDER_NUMBER_LENGTH, CartLine, Order
from orders.pricing import LineInput, PricedLine, price_order
from promotions.selectors import discount_terms, promotion_labels

SESSION_CART_KEY = "cart"
# Orders placed from this session: their pages open without logging in.
SESSION_RECENT_ORDERS_KEY = "recent_orders"
GUEST_LINK_SALT = "orders.guest-link"


def cart_item_count(request):
    """Units in the visitor's cart, for the header (one cheap query, none for anonymous)."""
    if request.user.is_authenticated:
        return (
            CartLine.objects.filter(cart__user=request.user).aggregate(n=Sum("quantity"))["n"] or 0
        )
    return sum(session_cart(request.session).values())


def session_cart(session):
    """An anonymous visitor's cart as {variant_id: quantity}, ignoring anything malformed."""
    quantities = {}
    for key, quantity in session.get(SESSION_CART_KEY, {}).items():
        if str(key).isdigit() and isinstance(quantity, int) and quantity > 0:
            quantities[int(key)] = quantity
    return quantities


def _naming_the_options(message, variant):
    """The public messages name the product; the variant's options follow in brackets."""
    label = variant.options_label
    return f"{message} ({label})" if label else message


def stock_message(*, variant, available, in_cart=0):
    name = variant.product.name
    if available <= 0:
        return _naming_the_options(f"Sorry, {name} is sold out.", variant)
    if in_cart:
        return _naming_the_options(
            f"Only {available} left of {name}; your cart already has {in_cart}.", variant
        )
    return _naming_the_options(f"Only {available} left of {name}.", variant)


def unavailable_message(variant):
    return _naming_the_options(f"Sorry, {variant.product.name} is no longer available.", variant)


def is_for_sale(variant):
    return variant.is_active and variant.product.is_active


@dataclass(frozen=True)
class CartItem:
    variant: Variant
    quantity: int

    @property
    def product(self):
        return self.variant.product

    @property
    def problem(self):
        """Why this line blocks checkout, or "" when it can be bought."""
        variant = self.variant
        if not is_for_sale(variant):
            return unavailable_message(variant)
        if self.quantity > variant.stock:
            return stock_message(variant=variant, available=variant.stock)
        return ""


@dataclass(frozen=True)
class CartContents:
    items: list[CartItem]

    @property
    def count(self):
        return sum(item.quantity for item in self.items)

    @property
    def problems(self):
        return [item.problem for item in self.items if item.problem]

    def quantities(self):
        return {item.variant.pk: item.quantity for item in self.items}


@dataclass(frozen=True)
class PricedItem:
    """A cart line with its price from a quote and the label of its promotion, if any."""

    item: CartItem
    priced: PricedLine
    promotion: str


def priced_items(items, quote):
    """The cart's lines with their quoted prices (one query for promotion labels, none when
    nothing is on promotion)."""
    labels = promotion_labels([item.variant.sale_promotion_id for item in items])
    return [
        PricedItem(
            item, quote.line(item.variant.pk), labels.get(item.variant.sale_promotion_id, "")
        )
        for item in items
    ]


def price_items(items, *, rates, shipping_method, code=None):
    """Price CartItems at their variants' current prices (a promotion's sale price where one
    runs) with the VAT `rates` of the destination (billing.selectors.TaxRates) and an optional
    discount code (checked by the caller): an orders.pricing.Quote keyed by variant id.
    Items on promotion are not reduced by a code."""
    lines = [
        LineInput(
            key=item.variant.pk,
            unit_price=item.variant.current_price,
            quantity=item.quantity,
            vat_rate=rates.rate(item.variant.product.tax_class),
            discountable=not item.variant.is_on_promotion,
        )
        for item in items
    ]
    terms = None
    if code is not None:
        terms = discount_terms(code, products={item.variant.pk: item.product for item in items})
    return price_order(lines=lines, shipping_method=shipping_method, terms=terms)


def discount_notes(quote, items):
    """What the cart says about its discount code when it does not reduce every line: the
    minimum it needs, or that items on promotion keep their sale price (a code and a
    promotion never combine on one item)."""
    terms = quote.terms
    if quote.short_of_minimum:
        return [
            f"Add {money(quote.short_of_minimum)} more to use {terms.code} (it needs a "
            f"subtotal of {money(terms.min_subtotal)})."
        ]
    notes = []
    on_promotion = [item for item in items if item.variant.is_on_promotion]
    if on_promotion and (terms.percent is not None or terms.amount is not None):
        notes.append(
            f"Items on promotion keep their sale price: {terms.code} does not reduce them."
        )
    if not quote.discount:
        notes.append(f"{terms.code} does not apply to the items in your cart.")
    return notes


def free_shipping_remaining(quote):
    """How much more to spend for free standard shipping (0 when it already ships free)."""
    totals = quote.totals
    if not totals.shipping:
        return 0
    goods = totals.subtotal - totals.discount
    return max(settings.SHOP_FREE_SHIPPING_THRESHOLD - goods, 0)


def cart_tax_rates(user):
    """The VAT rates for a cart, which has no shipping address yet: those of the signed-in
    customer's default shipping country, else of the shop's country. Returns the rates and
    whether they come from the customer's address."""
    country = None
    if user.is_authenticated:
        country = (
            Address.objects.filter(user=user, is_default_shipping=True)
            .values_list("country", flat=True)
            .first()
        )
    return tax_rates_for(country or settings.SHOP_COUNTRY), bool(country)


def _product_images(prefix):
    """Prefetch each product's images (`product.image_list`, what `main_image` reads)."""
    images = ProductImage.objects.order_by("position", "pk")
    return Prefetch(f"{prefix}images", queryset=images, to_attr="image_list")


def cart_contents(*, user, session):
    """The visitor's cart with current prices, stock and thumbnails, in two queries whatever
    its size."""
    if user.is_authenticated:
        lines = (
            CartLine.objects.filter(cart__user=user)
            .select_related("variant__product")
            .prefetch_related(_product_images("variant__product__"))
        )
        return CartContents(items=[CartItem(line.variant, line.quantity) for line in lines])
    quantities = session_cart(session)
    variants = (
        Variant.objects.filter(pk__in=quantities)
        .select_related("product")
        .prefetch_related(_product_images("product__"))
        .in_bulk()
    )
    return CartContents(
        items=[
            CartItem(variants[variant_id], quantity)
            for variant_id, quantity in quantities.items()
            if variant_id in variants
        ]
    )


def default_addresses(user):
    """The customer's default shipping and billing addresses (either may be None)."""
    shipping = billing = None
    for address in Address.objects.filter(user=user).filter(
        Q(is_default_shipping=True) | Q(is_default_billing=True)
    ):
        if address.is_default_shipping:
            shipping = address
        if address.is_default_billing:
            billing = address
    return shipping, billing


def order_for_checkout_token(checkout_token):
    """The order a checkout form's one-time token already placed, or None."""
    if not checkout_token:
        return None
    return Order.objects.filter(checkout_token=checkout_token).first()


def orders_for_customer(user):
    """The customer's own orders, newest first."""
    return Order.objects.filter(customer=user).order_by("-created_at", "-pk")


def _is_order_number(text):
    """Text that cannot be an order number is not looked up (PostgreSQL refuses e.g. a NUL)."""
    return len(text) == ORDER_NUMBER_LENGTH and set(text) <= set(ORDER_NUMBER_ALPHABET)


def order_by_number(number):
    """The order with this number, or None."""
    return Order.objects.filter(number=number).first() if _is_order_number(number) else None


def order_with_details(number):
    """One order with its lines and status history, or None."""
    if not _is_order_number(number):
        return None
    return (
        Order.objects.filter(number=number)
        .select_related("customer")
        .prefetch_related("lines", "status_changes__changed_by")
        .first()
    )


def guest_key(order):
    return signing.dumps(order.number, salt=GUEST_LINK_SALT)


def order_link(order, view="detail", *args):
    """The absolute URL of the order's page, signed so that it opens without logging in
    (for emails to guests and customers alike); with `view`, of another page of the order
    under the same rules: "invoice", or "credit_note" and its number."""
    path = reverse(f"orders:{view}", args=[order.number, *args])
    return f"{settings.SITE_URL}{path}?key={guest_key(order)}"


def _guest_key_names(*, key, number):
    """Whether we signed `key` for this order number, however long ago."""
    try:
        return signing.loads(key, salt=GUEST_LINK_SALT) == number
    except signing.BadSignature:
        return False


def guest_key_opens(*, key, number):
    """A signed link for this order, younger than SHOP_GUEST_LINK_DAYS."""
    if not _guest_key_names(key=key, number=number):
        return False
    try:
        signing.loads(
            key, salt=GUEST_LINK_SALT, max_age=timedelta(days=settings.SHOP_GUEST_LINK_DAYS)
        )
    except signing.SignatureExpired:
        return False
    return True


def guest_key_is_stale(*, key, number):
    """A link we signed for this order number that has expired: proof enough to email the
    order's customer a fresh one (whether the order still exists is not revealed)."""
    return (
        bool(key)
        and _guest_key_names(key=key, number=number)
        and not guest_key_opens(key=key, number=number)
    )


def can_view_order(*, order, user, session, key=""):
    """Its owner, staff allowed to see orders (after their second factor), a visitor holding
    the signed link, or the session that just placed it."""
    staff_may_view = user.is_staff and user.is_verified() and user.has_perm("orders.view_order")
    if user.is_authenticated and (order.customer_id == user.pk or staff_may_view):
        return True
    if key and guest_key_opens(key=key, number=order.number):
        return True
    return order.number in session.get(SESSION_RECENT_ORDERS_KEY, [])
