"""Reads of carts and orders, always scoped to the requesting visitor."""

from django.db.models import Sum

from orders.models import CartLine

SESSION_CART_KEY = "cart"


def cart_item_count(request):
    """Units in the visitor's cart, for the header (one cheap query, none for anonymous)."""
    if request.user.is_authenticated:
        return (
            CartLine.objects.filter(cart__user=request.user).aggregate(n=Sum("quantity"))["n"] or 0
        )
    return sum(request.session.get(SESSION_CART_KEY, {}).values())
