"""Account pages: sign-up, password reset, profile, address book, deletion and data export.

Login, logout and the reset link's page are Django's own views, configured in urls.py.
"""

import base64
import json

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from accounts import selectors, services, two_factor
from accounts.forms import (
    DUPLICATE_EMAIL_MESSAGE,
    AddressForm,
    ConfirmPasswordForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
    ProfileForm,
    SecondFactorCodeForm,
    SignupForm,
)
from accounts.models import User

# Sign-ups per address: a family or an office behind one address can still sign up 20+ people
# an hour, a script cannot create thousands.
SIGNUP_RATE = "30/h"
# Reset requests per address and per email: enough for a customer who mistyped, too few to
# flood an inbox. Both limits apply whether or not the email has an account.
RESET_RATE_PER_IP = "10/h"
RESET_RATE_PER_EMAIL = "5/h"
TOO_MANY_REQUESTS = 429
# New recovery codes wait here for the one page that shows them.
RECOVERY_CODES_SESSION_KEY = "two_factor_new_recovery_codes"


def over_limit(request, *, group, key, rate):
    """Count this POST against a django-ratelimit limit and say whether it is over.

    The counters live in the cache; while it is unreachable every count starts afresh
    (config/cache.py), so the request is let through: the limits brake abuse, they are no
    reason to turn customers away during an outage.
    """
    return is_ratelimited(request, group=group, key=key, rate=rate, method="POST", increment=True)


def safe_next_url(request, default):
    """The `next` parameter if it points into this site, otherwise `default`."""
    url = request.POST.get("next", request.GET.get("next", ""))
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


class LoginView(auth_views.LoginView):
    """Django's login view; a slowed-down attempt (see LoginForm) answers 429 with Retry-After.
    The (account, address) lockout is django-axes' (AxesMiddleware). For staff and customers
    with two-factor authentication, a right password only leads to the second step
    (`two_factor_verify`)."""

    form_class = LoginForm
    template_name = "registration/login.html"

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.second_factor_required(user):
            return super().form_valid(form)
        two_factor.begin(self.request, user=user, next_url=self.get_success_url())
        if two_factor.has_second_factor(user):
            return redirect("accounts:two_factor_verify")
        return redirect("accounts:two_factor_setup")

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.wait_seconds:
            response.status_code = TOO_MANY_REQUESTS
            response["Retry-After"] = str(form.wait_seconds)
        return response


@sensitive_post_parameters("password1", "password2")
def signup(request):
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if over_limit(request, group="accounts:signup", key="ip", rate=SIGNUP_RATE):
            form.add_error(None, "Too many sign-ups from your network. Please try again later.")
            status = TOO_MANY_REQUESTS
        elif form.is_valid():
            try:
                user = services.register_customer(
                    email=form.cleaned_data["email"], password=form.cleaned_data["password1"]
                )
            except services.EmailTaken:
                form.add_error("email", DUPLICATE_EMAIL_MESSAGE)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, "Welcome! Your account is ready.")
                return redirect(safe_next_url(request, reverse("accounts:profile")))
    next_url = safe_next_url(request, "")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url}, status=status)


def password_reset_email_key(group, request):
    return request.POST.get("email", "").strip().lower()


def password_reset(request):
    """Ask for a reset link. The answer is the same redirect whether or not the email has an
    account: the lookup and the enqueue are all the request does, the email is sent by a
    worker."""
    form = PasswordResetRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if over_limit(
            request, group="accounts:password_reset_ip", key="ip", rate=RESET_RATE_PER_IP
        ) or over_limit(
            request,
            group="accounts:password_reset_email",
            key=password_reset_email_key,
            rate=RESET_RATE_PER_EMAIL,
        ):
            form.add_error(None, "Too many reset requests. Please try again in an hour.")
            status = TOO_MANY_REQUESTS
        elif form.is_valid():
            services.request_password_reset(email=form.cleaned_data["email"])
            return redirect("accounts:password_reset_done")
    return render(request, "registration/password_reset_form.html", {"form": form}, status=status)


@never_cache
def two_factor_verify(request):
    """The second step of logging in: a code from the authenticator app or a recovery code."""
    user = two_factor.pending_user(request)
    if user is None:
        messages.info(request, "Please log in again.")
        return redirect("accounts:login")
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verified_device(user, form.cleaned_data["code"])
        if device is not None:
            next_url = two_factor.finish_login(request, user=user, device=device)
            return redirect(next_url or "accounts:profile")
        form.add_error("code", "That code is not right. Try again, or use a recovery code.")
    return render(request, "accounts/two_factor_verify.html", {"form": form})


def _user_setting_up_two_factor(request):
    """Someone half-way through logging in, or a signed-in user; replacing an authenticator
    needs a session that the current one verified."""
    pending = two_factor.pending_user(request)
    if pending is not None:
        return pending
    user = request.user
    if not user.is_authenticated:
        return None
    if two_factor.second_factor_required(user) and not user.is_verified():
        return None
    return user


@never_cache
def two_factor_setup(request):
    """Set up an authenticator app: a QR code and the secret as text, then a code to confirm."""
    user = _user_setting_up_two_factor(request)
    if user is None:
        return redirect("accounts:login")
    device = services.start_authenticator_setup(user=user)
    form = SecondFactorCodeForm(request.POST or None)
    form.fields["code"].help_text = "The 6 digits your authenticator app shows now."
    if request.method == "POST" and form.is_valid():
        confirmed = services.confirm_authenticator_setup(user=user, code=form.cleaned_data["code"])
        if confirmed is not None:
            device, codes = confirmed
            if two_factor.pending_user(request) is not None:
                next_url = two_factor.finish_login(request, user=user, device=device)
            else:
                django_otp.login(request, device)
                next_url = ""
            request.session[RECOVERY_CODES_SESSION_KEY] = {"codes": codes, "next": next_url}
            return redirect("accounts:two_factor_recovery_codes")
        form.add_error(
            "code", "That code is not right. Check the time on your phone and try again."
        )
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        # segno draws the QR code as SVG paths with attributes only, so the page's CSP holds.
        "qr_code": mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4)),  # noqa: S308
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@never_cache
@login_required
def two_factor_recovery_codes(request):
    """Shows new recovery codes once (after setup, or after asking for new ones)."""
    if request.method == "POST":
        if not request.user.is_verified():
            return redirect("accounts:profile")
        codes = services.replace_recovery_codes(user=request.user)
        request.session[RECOVERY_CODES_SESSION_KEY] = {"codes": codes, "next": ""}
        return redirect("accounts:two_factor_recovery_codes")
    shown = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    if shown is None:
        return redirect("accounts:profile")
    next_url = shown["next"] or reverse("accounts:profile")
    return render(
        request,
        "accounts/two_factor_recovery_codes.html",
        {"codes": shown["codes"], "next": next_url},
    )


@login_required
@sensitive_post_parameters("password")
def two_factor_turn_off(request):
    if request.user.is_staff:
        messages.error(request, "Staff accounts always need two-factor authentication.")
        return redirect("accounts:profile")
    form = ConfirmPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.turn_off_two_factor(user=request.user)
        messages.success(request, "Two-factor authentication is off.")
        return redirect("accounts:profile")
    return render(request, "accounts/two_factor_turn_off.html", {"form": form})


@login_required
def profile(request):
    # A fresh copy: a rejected change must not linger on request.user for the request.
    account = User.objects.get(pk=request.user.pk)
    form = ProfileForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        services.update_profile(
            user=request.user,
            full_name=form.cleaned_data["full_name"],
            email=form.cleaned_data["email"],
        )
        messages.success(request, "Your details were saved.")
        return redirect("accounts:profile")
    context = {"form": form, "two_factor_on": two_factor.has_second_factor(request.user)}
    return render(request, "accounts/profile.html", context)


@login_required
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        messages.success(request, "Your password was changed.")
        return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def address_list(request):
    addresses = selectors.addresses_for(user=request.user)
    return render(request, "accounts/address_list.html", {"addresses": addresses})


@login_required
def address_add(request):
    return _address_form(request, address=None, saved_message="The address was added.")


@login_required
def address_edit(request, pk):
    address = get_object_or_404(selectors.addresses_for(user=request.user), pk=pk)
    return _address_form(request, address=address, saved_message="The address was saved.")


def _address_form(request, *, address, saved_message):
    form = AddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        services.save_address(
            user=request.user,
            address=form.save(commit=False),
            default_shipping=form.cleaned_data["is_default_shipping"],
            default_billing=form.cleaned_data["is_default_billing"],
        )
        messages.success(request, saved_message)
        return redirect("accounts:addresses")
    return render(request, "accounts/address_form.html", {"form": form, "address": address})


@login_required
def address_delete(request, pk):
    address = get_object_or_404(selectors.addresses_for(user=request.user), pk=pk)
    if request.method == "POST":
        services.delete_address(user=request.user, address=address)
        messages.success(request, "The address was deleted.")
        return redirect("accounts:addresses")
    return render(request, "accounts/address_confirm_delete.html", {"address": address})


@login_required
@require_POST
def address_set_default(request, pk, kind):
    address = get_object_or_404(selectors.addresses_for(user=request.user), pk=pk)
    services.set_default_address(user=request.user, address=address, kind=kind)
    messages.success(request, f"This is now your default {kind} address.")
    return redirect("accounts:addresses")


@login_required
@sensitive_post_parameters("password")
def account_delete(request):
    form = ConfirmPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.delete_account(user=request.user)
        logout(request)
        messages.success(request, "Your account and personal data were deleted.")
        return redirect("catalog:home")
    return render(request, "accounts/account_delete.html", {"form": form})


@never_cache
@login_required
def account_export(request):
    data = selectors.export_user_data(user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="my-account-data.json"'
    return response
