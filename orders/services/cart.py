"""Write paths for carts: a signed-in customer's cart row, or an anonymous visitor's session."""

from django.db import transaction

from catalog.models import Variant
from orders.models import Cart, CartLine
from orders.selectors import (
    SESSION_CART_KEY,
    is_for_sale,
    session_cart,
    stock_message,
    unavailable_message,
)
from orders.services.errors import OutOfStock
from promotions.selectors import SESSION_CODE_KEY


def _locked_cart(user):
    """The customer's cart row, created if missing and locked for this transaction, so
    concurrent changes to one customer's cart apply one after the other."""
    cart, _ = Cart.objects.get_or_create(user=user)
    return Cart.objects.select_for_update().get(pk=cart.pk)


def _save_session_cart(session, quantities):
    session[SESSION_CART_KEY] = {str(variant_id): qty for variant_id, qty in quantities.items()}


def _refuse_unless_in_stock(variant, quantity, in_cart=0):
    if not is_for_sale(variant):
        raise OutOfStock([unavailable_message(variant)])
    if quantity > variant.stock:
        raise OutOfStock([stock_message(variant=variant, available=variant.stock, in_cart=in_cart)])


def add_to_cart(*, user, session, variant, quantity):
    """Add `quantity` units of `variant` to the visitor's cart (the account's cart when signed
    in, else the session's). Refuses with OutOfStock when the cart would hold more than is in
    stock. Locks the customer's cart row. Not idempotent: each call adds."""
    if not user.is_authenticated:
        quantities = session_cart(session)
        in_cart = quantities.get(variant.pk, 0)
        _refuse_unless_in_stock(variant, in_cart + quantity, in_cart)
        quantities[variant.pk] = in_cart + quantity
        _save_session_cart(session, quantities)
        return
    with transaction.atomic():
        cart = _locked_cart(user)
        line = cart.lines.filter(variant=variant).first()
        in_cart = line.quantity if line else 0
        _refuse_unless_in_stock(variant, in_cart + quantity, in_cart)
        if line:
            line.quantity = in_cart + quantity
            line.save(update_fields=["quantity"])
        else:
            CartLine.objects.create(cart=cart, variant=variant, quantity=quantity)
        cart.save(update_fields=["updated_at"])


def set_cart_quantity(*, user, session, variant, quantity):
    """Set a line's quantity (0 removes it). Refuses quantities above the stock, keeping the
    line as it was. Safe to repeat: the same call leaves the same cart."""
    if quantity == 0:
        remove_from_cart(user=user, session=session, variant_id=variant.pk)
        return
    _refuse_unless_in_stock(variant, quantity)
    if not user.is_authenticated:
        quantities = session_cart(session)
        if variant.pk in quantities:
            quantities[variant.pk] = quantity
            _save_session_cart(session, quantities)
        return
    with transaction.atomic():
        cart = _locked_cart(user)
        cart.lines.filter(variant=variant).update(quantity=quantity)
        cart.save(update_fields=["updated_at"])


def remove_from_cart(*, user, session, variant_id):
    """Remove a line from the cart. Safe to repeat."""
    if user.is_authenticated:
        CartLine.objects.filter(cart__user=user, variant_id=variant_id).delete()
        return
    quantities = session_cart(session)
    quantities.pop(variant_id, None)
    _save_session_cart(session, quantities)


def clear_cart(*, user, session):
    """Empty the cart and forget its discount code (after a successful checkout). Safe to
    repeat."""
    if user is not None and user.is_authenticated:
        CartLine.objects.filter(cart__user=user).delete()
    session.pop(SESSION_CART_KEY, None)
    session.pop(SESSION_CODE_KEY, None)


def merge_session_cart(*, user, session):
    """Move an anonymous visitor's session cart into their account's cart on login.

    Quantities of the same variant are added, capped by the stock; variants no longer for sale
    or sold out are dropped. Returns a message for each line that was capped or dropped.
    Locks the customer's cart row. Safe to repeat: the session cart is emptied afterwards, so a
    second call finds nothing to merge.
    """
    quantities = session_cart(session)
    if not quantities:
        session.pop(SESSION_CART_KEY, None)
        return []
    notes = []
    with transaction.atomic():
        cart = _locked_cart(user)
        variants = Variant.objects.select_related("product").in_bulk(list(quantities))
        lines = {line.variant_id: line for line in cart.lines.all()}
        for variant_id, quantity in quantities.items():
            variant = variants.get(variant_id)
            if variant is None:
                continue
            if not is_for_sale(variant) or variant.stock <= 0:
                notes.append(
                    stock_message(variant=variant, available=0)
                    if is_for_sale(variant)
                    else unavailable_message(variant)
                )
                continue
            line = lines.get(variant_id)
            wanted = quantity + (line.quantity if line else 0)
            merged = min(wanted, variant.stock)
            if merged < wanted:
                notes.append(f"Only {variant.stock} left of {variant}, so your cart has {merged}.")
            if line:
                line.quantity = merged
                line.save(update_fields=["quantity"])
            else:
                CartLine.objects.create(cart=cart, variant=variant, quantity=merged)
    session.pop(SESSION_CART_KEY, None)
    return notes
