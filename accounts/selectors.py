"""Reads of a customer's own account data, always scoped by the user."""

from django.db.models import QuerySet

from accounts.models import Address, User
from accounts.personal_data import registered_parts


def addresses_for(*, user: User) -> QuerySet[Address]:
    """The user's address book, defaults first."""
    return Address.objects.filter(user=user)


def default_address(*, user: User, kind: str) -> Address | None:
    """The user's default `kind` ("shipping" or "billing") address, or None."""
    return Address.objects.filter(user=user, **{f"is_default_{kind}": True}).first()


ADDRESS_FIELDS = ("full_name", "line1", "line2", "city", "postal_code", "phone")


def export_user_data(*, user: User) -> dict:
    """Everything the shop holds about the user that the user may take away, as JSON-ready
    data: the profile, the address book, then each app's part (orders, emails, ...)."""
    addresses = [
        {
            **{field: getattr(address, field) for field in ADDRESS_FIELDS},
            "country": address.country.code,
            "is_default_shipping": address.is_default_shipping,
            "is_default_billing": address.is_default_billing,
            "created_at": address.created_at.isoformat(),
        }
        for address in addresses_for(user=user)
    ]
    return {
        "profile": {
            "email": user.email,
            "full_name": user.full_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "addresses": addresses,
        **{part.name: part.export(user) for part in registered_parts()},
    }
