"""The admin site: staff reach it only after a second factor.

Every admin page asks `has_permission`, which here also wants the session to be verified by
django-otp (TOTP or a recovery code). There is one login for everybody, the shop's own
(`accounts:login`): a password alone leads to its second step, never into the admin.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse


class ShopAdminSite(admin.AdminSite):
    # The app list stays on the home page: at 1280 px the lists need the width.
    enable_nav_sidebar = False

    def has_permission(self, request):
        user = request.user
        return super().has_permission(request) and user.is_verified()

    def login(self, request, extra_context=None):
        """The admin's login page sends staff to the shop's two-step login."""
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(next_url, login_url=reverse("accounts:login"))
