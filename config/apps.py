"""The admin app with the shop's own admin site as `admin.site` (see config/admin_site.py)."""

from django.contrib.admin.apps import AdminConfig


class ShopAdminConfig(AdminConfig):
    default_site = "config.admin_site.ShopAdminSite"
