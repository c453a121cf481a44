"""Cart, checkout and order pages. Every form posts, redirects and shows a message, so all of
it works without JavaScript."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from catalog.models import Variant
from orders.forms import (
    CHECKOUT_TOKEN_PATTERN,
    AddToCartForm,
    CartQuantityForm,
    CheckoutForm,
    initial_from_address,
    new_checkout_token,
)
from orders.models import Order
from orders.selectors import (
    SESSION_RECENT_ORDERS_KEY,
    can_view_order,
    cart_contents,
    default_addresses,
    order_for_checkout_token,
    order_with_details,
    orders_for_customer,
)
from orders.services import (
    EmptyCart,
    OutOfStock,
    PaymentDeclined,
    add_to_cart,
    clear_cart,
    place_order,
    remove_from_cart,
    save_checkout_address,
    set_cart_quantity,
)

SESSION_THANK_YOU_KEY = "thank_you_order"
RECENT_ORDERS_KEPT = 10
ORDERS_PER_PAGE = 20


def _cart(request):
    return cart_contents(user=request.user, session=request.session)


def _first_error(form):
    field, errors = next(iter(form.errors.items()))
    label = form.fields[field].label if field in form.fields else ""
    return f"{label}: {errors[0]}" if label else errors[0]


def cart_detail(request):
    return render(request, "orders/cart.html", {"cart": _cart(request)})


@require_POST
def cart_add(request):
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        variant = form.cleaned_data.get("variant")
        return redirect(variant.product if variant else "orders:cart")
    variant = form.cleaned_data["variant"]
    try:
        add_to_cart(
            user=request.user,
            session=request.session,
            variant=variant,
            quantity=form.cleaned_data["quantity"],
        )
    except OutOfStock as error:
        messages.error(request, str(error))
        return redirect(variant.product)
    messages.success(request, f"Added {variant} to your cart.")
    return redirect("orders:cart")


@require_POST
def cart_update(request, variant_id):
    variant = get_object_or_404(Variant.objects.select_related("product"), pk=variant_id)
    form = CartQuantityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("orders:cart")
    try:
        set_cart_quantity(
            user=request.user,
            session=request.session,
            variant=variant,
            quantity=form.cleaned_data["quantity"],
        )
    except OutOfStock as error:
        messages.error(request, str(error))
    else:
        if form.cleaned_data["quantity"]:
            messages.success(request, f"Updated the quantity of {variant}.")
        else:
            messages.success(request, f"Removed {variant} from your cart.")
    return redirect("orders:cart")


@require_POST
def cart_remove(request, variant_id):
    remove_from_cart(user=request.user, session=request.session, variant_id=variant_id)
    variant = Variant.objects.select_related("product").filter(pk=variant_id).first()
    messages.success(request, f"Removed {variant or 'the item'} from your cart.")
    return redirect("orders:cart")


def _checkout_initial(user):
    initial = {"checkout_token": new_checkout_token()}
    if not user.is_authenticated:
        return initial
    shipping, billing = default_addresses(user)
    if shipping is not None:
        initial.update(initial_from_address("shipping", shipping))
        initial["save_address"] = False
    else:
        initial["shipping_full_name"] = user.full_name
    if billing is not None and billing != shipping:
        initial.update(initial_from_address("billing", billing))
        initial["billing_same"] = False
    return initial


def checkout(request):
    """One page: addresses, shipping method, card; POST places the order (see place_order)."""
    cart = _cart(request)
    stock_problems = []
    if request.method == "POST":
        token = request.POST.get("checkout_token", "")
        # Only a well-formed token is looked up (PostgreSQL refuses e.g. a NUL in a query);
        # the form turns any other into "This page has expired".
        placed = order_for_checkout_token(token) if CHECKOUT_TOKEN_PATTERN.match(token) else None
        if placed is not None:
            # The same form again (double click, back button, retry): show what it placed,
            # leaving alone anything put in the cart since.
            return _show_placed_order(request, placed)
        form = CheckoutForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                order = place_order(
                    customer=request.user,
                    email=form.customer_email,
                    quantities=cart.quantities(),
                    shipping_address=form.shipping_address,
                    billing_address=form.billing_address,
                    shipping_method=form.cleaned_data["shipping_method"],
                    card=form.card,
                    checkout_token=form.cleaned_data["checkout_token"],
                )
            except EmptyCart:
                return redirect("orders:cart")  # which says the cart is empty
            except OutOfStock as error:
                stock_problems = error.problems
            except PaymentDeclined as error:
                form.add_error(None, str(error))
            else:
                return _order_placed(request, order, form)
        elif not cart.items:
            return redirect("orders:cart")
    else:
        if not cart.items:
            return redirect("orders:cart")
        form = CheckoutForm(initial=_checkout_initial(request.user), user=request.user)
        stock_problems = cart.problems

    method = form.data.get("shipping_method", Order.ShippingMethod.STANDARD)
    if method not in Order.ShippingMethod.values:
        method = Order.ShippingMethod.STANDARD
    context = {
        "form": form,
        "checkout_token": _token_for_page(form),
        "cart": cart,
        "totals": cart.totals(method),
        "shipping_method_label": Order.ShippingMethod(method).label,
        "stock_problems": stock_problems,
        "test_gateway": settings.SHOP_PAYMENT_GATEWAY == "test",
    }
    return render(request, "orders/checkout.html", context)


def _token_for_page(form):
    """The page keeps its token across re-renders (so a resubmit is recognised), unless the
    token it came with is not one of ours."""
    token = form["checkout_token"].value() or ""
    return token if CHECKOUT_TOKEN_PATTERN.match(token) else new_checkout_token()


def _order_placed(request, order, form):
    if form.cleaned_data.get("save_address"):
        save_checkout_address(user=request.user, address=form.shipping_address)
        if not form.cleaned_data["billing_same"]:
            save_checkout_address(user=request.user, address=form.billing_address)
    clear_cart(user=request.user, session=request.session)
    return _show_placed_order(request, order)


def _show_placed_order(request, order):
    """Let this session open the order's page and thank the customer there once."""
    recent = request.session.get(SESSION_RECENT_ORDERS_KEY, [])
    if order.number not in recent:
        recent = [order.number, *recent][:RECENT_ORDERS_KEPT]
    request.session[SESSION_RECENT_ORDERS_KEY] = recent
    request.session[SESSION_THANK_YOU_KEY] = order.number
    return redirect(order)


@login_required
def order_list(request):
    page = Paginator(orders_for_customer(request.user), ORDERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "orders/order_list.html", {"page": page, "orders": page.object_list})


def order_detail(request, number):
    """The order's page: for its owner, staff, the signed guest link, or right after checkout.
    A signed-in stranger gets a 404; an anonymous visitor is sent to log in."""
    order = order_with_details(number)
    key = request.GET.get("key", "")
    if order is None or not can_view_order(
        order=order, user=request.user, session=request.session, key=key
    ):
        if request.user.is_authenticated:
            raise Http404("No such order")
        return redirect_to_login(request.get_full_path())
    thank_you = request.session.get(SESSION_THANK_YOU_KEY) == order.number
    if thank_you:
        del request.session[SESSION_THANK_YOU_KEY]
    return render(request, "orders/order_detail.html", {"order": order, "thank_you": thank_you})
