"""Back-in-stock requests, the links in reminder emails: restore a guest's cart, unsubscribe."""

from django.contrib import messages
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.views import over_limit
from marketing import services
from marketing.emails import GUEST_CART_SALT, UNSUBSCRIBE_SALT
from marketing.forms import BackInStockForm
from marketing.models import GuestCheckout, OptOut

# Per address: enough for a family's wish list, too few to flood strangers' inboxes.
BACK_IN_STOCK_RATE = "20/h"


@require_POST
def back_in_stock_request(request):
    form = BackInStockForm(request.POST, user=request.user)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        messages.error(request, errors[0] if field == "variant" else f"Email: {errors[0]}")
        variant = form.cleaned_data.get("variant")
        return redirect(variant.product if variant else "catalog:home")
    variant = form.cleaned_data["variant"]
    if variant.stock > 0:
        messages.info(request, f"Good news: {variant} is in stock now.")
    elif over_limit(request, group="marketing:back_in_stock", key="ip", rate=BACK_IN_STOCK_RATE):
        messages.error(request, "Too many requests from your network. Please try again later.")
    else:
        services.request_back_in_stock_alert(
            variant=variant, email=form.recipient, user=request.user
        )
        messages.success(request, f"We will email {form.recipient} once when {variant} is back.")
    return redirect(variant.product)


def guest_cart(request, token):
    """The link in a guest's cart reminder: their cart again, in whatever browser opens it."""
    try:
        checkout = GuestCheckout.objects.get(pk=signing.loads(token, salt=GUEST_CART_SALT))
    except (signing.BadSignature, GuestCheckout.DoesNotExist):
        raise Http404("No such cart") from None
    for problem in services.restore_guest_cart(
        user=request.user, session=request.session, guest_checkout=checkout
    ):
        messages.warning(request, problem)
    return redirect("orders:cart")


@never_cache
@csrf_exempt  # mail clients' one-click unsubscribe (RFC 8058) posts without a CSRF token;
# the signed token in the URL is the credential, and all it can do is stop emails.
def unsubscribe(request, token):
    """GET asks to confirm (mail scanners open links); POST unsubscribes."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        topic = OptOut.Topic(data["topic"])
        email = data["email"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Http404("No such subscription") from None
    done = request.method == "POST"
    if done:
        services.opt_out(email=email, topic=topic)
    context = {"email": email, "topic": topic.label.lower(), "done": done}
    return render(request, "marketing/unsubscribe.html", context)
