"""Applying a discount code to the cart and removing it. Both post and redirect back to the
cart, so they work without JavaScript."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.views import over_limit
from promotions.forms import DiscountCodeForm
from promotions.selectors import SESSION_CODE_KEY, code_problem, find_code, session_code

# Tries per visitor (address): plenty for typos, too few to guess codes by trying.
APPLY_RATE = "30/h"


@require_POST
def apply_code(request):
    form = DiscountCodeForm(request.POST)
    if over_limit(request, group="promotions:apply", key="ip", rate=APPLY_RATE):
        messages.error(request, "Too many discount codes tried. Please try again later.")
    elif not form.is_valid():
        messages.error(request, form.errors["code"][0])
    else:
        code = find_code(form.cleaned_data["code"])
        customer = request.user if request.user.is_authenticated else None
        problem = code_problem(code, customer=customer)
        if problem:
            messages.error(request, problem)
        else:
            replaced = session_code(request.session)
            request.session[SESSION_CODE_KEY] = code.code
            text = f"Discount code {code.code} applied: {code.description.lower()}."
            if replaced and replaced.upper() != code.code.upper():
                text += f" It replaces {replaced} (one code per order)."
            messages.success(request, text)
    return redirect("orders:cart")


@require_POST
def remove_code(request):
    removed = request.session.pop(SESSION_CODE_KEY, None)
    if removed:
        messages.success(request, f"Discount code {removed} removed.")
    return redirect("orders:cart")
