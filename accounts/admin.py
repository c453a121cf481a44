"""Admin for staff: users (email login, no username) and their addresses."""

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.html import format_html

from accounts import services
from accounts.models import Address, User


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            self.add_error("email", "A user with this email already exists.")
        return email


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("full_name",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "full_name", "is_staff", "is_active", "date_joined", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")

    def delete_model(self, request, obj):
        services.delete_account(user=obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            services.delete_account(user=user)


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = (
        "full_name",
        "user",
        "city",
        "country",
        "is_default_shipping",
        "is_default_billing",
    )
    list_filter = ("country", "is_default_shipping", "is_default_billing")
    search_fields = ("full_name", "user__email", "line1", "city", "postal_code")
    list_select_related = ("user",)
    raw_id_fields = ("user",)

    # Defaults change through the actions, which clear the old default in the same transaction.
    readonly_fields = ("is_default_shipping", "is_default_billing", "created_at")
    actions = ["make_default_shipping", "make_default_billing"]

    @admin.action(description="Make default shipping address of its user", permissions=["change"])
    def make_default_shipping(self, request, queryset):
        for address in queryset.select_related("user"):
            services.set_default_address(user=address.user, address=address, kind="shipping")

    @admin.action(description="Make default billing address of its user", permissions=["change"])
    def make_default_billing(self, request, queryset):
        for address in queryset.select_related("user"):
            services.set_default_address(user=address.user, address=address, kind="billing")


@admin.register(LogEntry)
class StaffActionAdmin(admin.ModelAdmin):
    """The audit trail: every change staff made in the admin, who and when, with what changed
    (refunds and cancellations with their amounts, price and stock edits before and after, bulk
    actions one entry per object). Read-only; the admin writes it, nobody edits it."""

    list_display = ["action_time", "user", "content_type", "object_link", "action", "message"]
    list_filter = ["action_flag", "content_type", ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["object_repr", "change_message", "user__email"]
    list_select_related = ["user", "content_type"]
    date_hierarchy = "action_time"
    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Object", ordering="object_repr")
    def object_link(self, entry):
        url = entry.get_admin_url()
        if not url or entry.is_deletion():
            return entry.object_repr
        return format_html('<a href="{}">{}</a>', url, entry.object_repr)

    @admin.display(description="Action", ordering="action_flag")
    def action(self, entry):
        return {1: "Added", 2: "Changed", 3: "Deleted"}[entry.action_flag]

    @admin.display(description="What changed")
    def message(self, entry):
        return entry.get_change_message()
