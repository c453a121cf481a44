"""Cart, checkout and order pages, and the pages and webhook of a payment on Stripe. Every
form posts, redirects and shows a message, so all of it works without JavaScript."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_countries import countries

from billing.selectors import credit_notes_for_order, invoice_of, tax_rates_for
from billing.views import pdf_response
from catalog.models import Variant
from marketing.services import remember_guest_checkout
from orders.emails import queue_order_link_email
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
    cart_tax_rates,
    default_addresses,
    discount_notes,
    free_shipping_remaining,
    guest_key_is_stale,
    order_by_number,
    order_with_details,
    orders_for_customer,
    price_items,
    priced_items,
)
from orders.services import (
    EmptyCart,
    EventNotReady,
    OutOfStock,
    abandon_hosted_payment,
    add_to_cart,
    cancel_link_opens,
    clear_cart,
    confirm_hosted_payment,
    receive_stripe_event,
    remove_from_cart,
    result_for_checkout_token,
    set_cart_quantity,
)
from orders.services import (
    checkout as checkout_cart,
)
from payments.gateways import GatewayError, InvalidSignature, StripeGateway, hosted_checkout
from promotions.selectors import SESSION_CODE_KEY, code_problem, find_code, session_code

logger = logging.getLogger(__name__)

SESSION_THANK_YOU_KEY = "thank_you_order"
# The order this browser was sent to pay on Stripe: its cart is emptied once it comes back.
SESSION_AWAITING_PAYMENT_KEY = "awaiting_payment_order"
# Seconds between reloads of the "Payment processing" page (a meta refresh, no JavaScript).
PAYMENT_PROCESSING_REFRESH = 3
RECENT_ORDERS_KEPT = 10
ORDERS_PER_PAGE = 20


def _cart(request):
    return cart_contents(user=request.user, session=request.session)


def _first_error(form):
    field, errors = next(iter(form.errors.items()))
    label = form.fields[field].label if field in form.fields else ""
    return f"{label}: {errors[0]}" if label else errors[0]


def _usable_session_code(request):
    """The discount code applied to the visitor's cart, or None. A code that can no longer be
    used (expired, used up, deactivated) is taken off the cart, with a message saying why."""
    text = session_code(request.session)
    if not text:
        return None
    code = find_code(text)
    problem = code_problem(code, customer=request.user if request.user.is_authenticated else None)
    if problem:
        request.session.pop(SESSION_CODE_KEY, None)
        messages.warning(request, f"{problem} It has been removed from your cart.")
        return None
    return code


def _priced(request, cart, *, rates, shipping_method):
    """The cart priced with its discount code, and what the totals and notes show of it."""
    code = _usable_session_code(request)
    quote = price_items(cart.items, rates=rates, shipping_method=shipping_method, code=code)
    return {
        "quote": quote,
        "priced_items": priced_items(cart.items, quote),
        "discount_code": code,
        "discount_notes": discount_notes(quote, cart.items) if code else [],
        "rates": rates,
        "vat_destination_name": countries.name(rates.destination),
        "vat_country_name": countries.name(rates.country),
    }


def cart_detail(request):
    cart = _cart(request)
    rates, from_address = cart_tax_rates(request.user)
    priced = _priced(request, cart, rates=rates, shipping_method=Order.ShippingMethod.STANDARD)
    context = {
        "cart": cart,
        "rates_from_address": from_address,
        "shipping_method_label": Order.ShippingMethod.STANDARD.label,
        "free_shipping_remaining": free_shipping_remaining(priced["quote"]),
        **priced,
    }
    return render(request, "orders/cart.html", context)


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
    """One page: addresses, shipping method, card (test gateway); POST runs the checkout
    service, then shows the order or sends the browser to pay on Stripe's page."""
    cart = _cart(request)
    stock_problems = []
    if request.method == "POST":
        token = request.POST.get("checkout_token", "")
        # Only a well-formed token is looked up (PostgreSQL refuses e.g. a NUL in a query);
        # the form turns any other into "This page has expired".
        earlier = result_for_checkout_token(token) if CHECKOUT_TOKEN_PATTERN.match(token) else None
        if earlier is not None and earlier.order is not None:
            # The same form again (double click, back button, retry): show what it placed,
            # leaving alone anything put in the cart since.
            return _after_checkout(request, earlier)
        form = CheckoutForm(request.POST, user=request.user)
        _remember_guest_for_cart_reminder(request, form, cart)
        if earlier is not None:
            # Its payment could not start and its order was released: say so, keep the form.
            form.is_valid()
            form.add_error(None, earlier.payment_error)
        elif form.is_valid():
            try:
                result = checkout_cart(
                    customer=request.user,
                    session=request.session,
                    email=form.customer_email,
                    shipping_address=form.shipping_address,
                    billing_address=form.billing_address,
                    shipping_method=form.cleaned_data["shipping_method"],
                    card=form.card,
                    checkout_token=form.cleaned_data["checkout_token"],
                    save_address=bool(form.cleaned_data.get("save_address")),
                )
            except EmptyCart:
                return redirect("orders:cart")  # which says the cart is empty
            if result.order is not None:
                return _after_checkout(request, result)
            stock_problems = list(result.stock_problems)
            if result.payment_error:
                form.add_error(None, result.payment_error)
            if result.discount_problem:
                form.add_error(
                    None,
                    f"{result.discount_problem} We have removed it from your cart: please check "
                    "the new total and place your order again.",
                )
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
        **_priced(request, cart, rates=_checkout_tax_rates(form), shipping_method=method),
        "shipping_method_label": Order.ShippingMethod(method).label,
        "stock_problems": stock_problems,
        "test_gateway": not hosted_checkout(),
    }
    return render(request, "orders/checkout.html", context)


def _checkout_tax_rates(form):
    """VAT follows the shipping country on the form: as posted (also when the form has errors,
    so the figures match what the customer chose) or as filled in from their address book."""
    country = form["shipping_country"].value() or ""
    return tax_rates_for(country if country in countries else settings.SHOP_COUNTRY)


def _remember_guest_for_cart_reminder(request, form, cart):
    """A guest who typed a valid email may get one reminder if they leave without buying
    (see marketing.services.remember_guest_checkout)."""
    if request.user.is_authenticated:
        return
    form.is_valid()  # cleaned_data then holds every valid field, even if others are not
    if "email" in form.cleaned_data:
        remember_guest_checkout(
            session=request.session,
            email=form.cleaned_data["email"],
            quantities=cart.quantities(),
        )


def _token_for_page(form):
    """The page keeps its token across re-renders (so a resubmit is recognised), unless the
    token it came with is not one of ours."""
    token = form["checkout_token"].value() or ""
    return token if CHECKOUT_TOKEN_PATTERN.match(token) else new_checkout_token()


def _after_checkout(request, result):
    """Let this session open the order's page; then thank the customer there once, or send
    the browser to pay (303: the payment page is fetched with GET)."""
    order = result.order
    recent = request.session.get(SESSION_RECENT_ORDERS_KEY, [])
    if order.number not in recent:
        recent = [order.number, *recent][:RECENT_ORDERS_KEPT]
    request.session[SESSION_RECENT_ORDERS_KEY] = recent
    if result.payment_url:
        request.session[SESSION_AWAITING_PAYMENT_KEY] = order.number
        response = HttpResponseRedirect(result.payment_url)
        response.status_code = 303
        return response
    request.session[SESSION_THANK_YOU_KEY] = order.number
    return redirect(order)


def _viewable_order(request, number, key=""):
    """The order if this visitor may see it; else a 404 (signed in) or the login page."""
    order = order_with_details(number)
    if order is None or not can_view_order(
        order=order, user=request.user, session=request.session, key=key
    ):
        if request.user.is_authenticated:
            raise Http404("No such order")
        return None
    return order


def payment_return(request, number):
    """Stripe's success URL. Never trusts its query string: the order is paid once the webhook
    or Stripe itself (asked with the session id kept on the order) says so; until then the page
    says "Payment processing" and reloads itself."""
    order = _viewable_order(request, number)
    if order is None:
        return redirect_to_login(request.get_full_path())
    order = confirm_hosted_payment(order=order)
    if request.session.get(SESSION_AWAITING_PAYMENT_KEY) == order.number:
        # Back from paying: the cart has been bought.
        clear_cart(user=request.user, session=request.session)
        del request.session[SESSION_AWAITING_PAYMENT_KEY]
    order = order_with_details(number)
    processing = order.status == Order.Status.PENDING_PAYMENT
    context = {
        "order": order,
        "thank_you": order.status != Order.Status.CANCELLED,
        "payment_processing": processing,
        "refresh_seconds": PAYMENT_PROCESSING_REFRESH if processing else None,
        **_documents(order),
    }
    return render(request, "orders/order_detail.html", context)


def payment_cancelled(request, number):
    """Stripe's cancel URL, signed for this order: the payment page is closed, the order
    cancelled and restocked, and the customer finds their cart as it was (it was kept)."""
    order = order_with_details(number)
    if order is None or not cancel_link_opens(key=request.GET.get("key", ""), number=number):
        raise Http404("No such order")
    try:
        order = abandon_hosted_payment(order=order)
    except GatewayError:
        messages.error(request, "We could not reach the payment provider. Please try again.")
        return redirect("orders:cart")
    if request.session.get(SESSION_AWAITING_PAYMENT_KEY) == number:
        del request.session[SESSION_AWAITING_PAYMENT_KEY]
    if order.status != Order.Status.CANCELLED:
        # Paid after all (or still being paid): show it rather than the cart.
        return redirect("orders:payment_return", number=number)
    messages.info(request, "Payment cancelled: nothing was charged. Your cart is as you left it.")
    return redirect("orders:cart")


@csrf_exempt  # Stripe's signature stands in for the CSRF token
@require_POST
def stripe_webhook(request):
    """Stripe's events: 400 unless the Stripe-Signature header proves the body is Stripe's;
    2xx once the event is stored and acted on (or was already); 503 asks Stripe to deliver it
    again later (Stripe unreachable for a detail, or an event ahead of the one it follows)."""
    if not hosted_checkout():
        raise Http404("Stripe is not the payment gateway")
    try:
        event = StripeGateway().verified_event(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except InvalidSignature as error:
        logger.warning("Refused a webhook with a bad signature: %s", error)
        return HttpResponseBadRequest("Invalid signature")
    try:
        outcome = receive_stripe_event(event=event)
    except (GatewayError, EventNotReady) as error:
        logger.warning("Stripe event %s deferred: %s", event.get("id"), error)
        return HttpResponse("Try again later", status=503, content_type="text/plain")
    return JsonResponse({"received": True, "outcome": outcome})


@login_required
def order_list(request):
    page = Paginator(orders_for_customer(request.user), ORDERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "orders/order_list.html", {"page": page, "orders": page.object_list})


def order_detail(request, number):
    """The order's page: for its owner, staff, the signed guest link, or right after checkout.
    A signed-in stranger gets a 404; an anonymous visitor is sent to log in."""
    key = request.GET.get("key", "")
    if guest_key_is_stale(key=key, number=number):
        # An expired link only proves the number: unless the visitor may see the order anyway
        # (its owner, staff, the session that placed it), offer to email a fresh link.
        order = order_with_details(number)
        if order is None or not can_view_order(
            order=order, user=request.user, session=request.session
        ):
            return render(
                request,
                "orders/order_link_expired.html",
                {"number": number, "key": key, "link_days": settings.SHOP_GUEST_LINK_DAYS},
            )
    order = _viewable_order(request, number, key=key)
    if order is None:
        return redirect_to_login(request.get_full_path())
    thank_you = request.session.get(SESSION_THANK_YOU_KEY) == order.number
    if thank_you:
        del request.session[SESSION_THANK_YOU_KEY]
    context = {"order": order, "thank_you": thank_you, **_documents(order, key=key)}
    return render(request, "orders/order_detail.html", context)


def _documents(order, *, key=""):
    """The order's invoice and credit notes for its page; their links carry the signed key the
    page was opened with, so a guest following the email's link can download them too."""
    return {
        "invoice": invoice_of(order.pk),
        "credit_notes": list(credit_notes_for_order(order.pk)),
        "document_query": f"?{urlencode({'key': key})}" if key else "",
    }


@require_POST
def order_new_link(request, number):
    """A stale link's "Email me a new link". The stale key proves the number; the answer is the
    same whether or not the order still exists, and the email goes only to the order's address."""
    key = request.POST.get("key", "")
    if not guest_key_is_stale(key=key, number=number):
        raise Http404("No such link")
    order = order_by_number(number)
    if order is not None:
        queue_order_link_email(order=order)
    messages.success(
        request,
        "If we still have this order, a new link is on its way to the email address it was "
        "placed with. It can take a few minutes to arrive.",
    )
    return redirect(f"{reverse('orders:detail', args=[number])}?{urlencode({'key': key})}")


def order_invoice(request, number):
    """The invoice PDF of a paid order, for whoever may see the order (its owner, staff, the
    signed link, the session that placed it); a signed-in stranger gets a 404, an anonymous
    visitor the login page, and an order without an invoice a 404."""
    order = _viewable_order(request, number, key=request.GET.get("key", ""))
    if order is None:
        return redirect_to_login(request.get_full_path())
    invoice = invoice_of(order.pk)
    if invoice is None:
        raise Http404("This order has no invoice")
    return pdf_response(invoice)


def order_credit_note(request, number, credit_note):
    """One of the order's credit notes as PDF, under the same rules as its invoice."""
    order = _viewable_order(request, number, key=request.GET.get("key", ""))
    if order is None:
        return redirect_to_login(request.get_full_path())
    document = credit_notes_for_order(order.pk).filter(number=credit_note).first()
    if document is None:
        raise Http404("No such credit note")
    return pdf_response(document)
