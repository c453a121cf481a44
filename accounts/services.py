"""Write paths for accounts: sign-up, password reset requests, profile, address book, deletion."""

import logging
from typing import Literal

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import IntegrityError, transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from kombu.exceptions import OperationalError

from accounts import tasks
from accounts.models import Address, User
from accounts.personal_data import registered_parts

logger = logging.getLogger(__name__)

AddressKind = Literal["shipping", "billing"]

RECOVERY_CODE_COUNT = 10


class EmailTaken(Exception):
    """Another account has this email: a sign-up that raced the form's duplicate check."""


def register_customer(*, email: str, password: str) -> User:
    """Create a customer account; the email is stored lower-cased. Raises EmailTaken when the
    unique email constraint refuses it."""
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, password=password)
    except IntegrityError:
        raise EmailTaken(email) from None


def request_password_reset(*, email: str) -> None:
    """Queue a reset email if an active account with a usable password has this email.

    Returns nothing either way, so callers cannot tell whether the account exists. The
    token is made by the worker (so it is fresh when sent); the request itself only does one
    lookup and, for an existing account, one enqueue after commit.
    """
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    user_id = user.pk
    transaction.on_commit(lambda: _enqueue_password_reset_email(user_id))


def _enqueue_password_reset_email(user_id: int) -> None:
    try:
        tasks.send_password_reset_email.delay(user_id)
    except OperationalError:
        # Broker down: the customer sees the usual answer and can ask again later.
        logger.exception("Could not queue the password reset email", extra={"user_id": user_id})


def update_profile(*, user: User, full_name: str, email: str) -> User:
    """Save the name and email (the form has checked the password for an email change)."""
    user.full_name = full_name
    user.email = email.lower()
    user.save(update_fields=["full_name", "email"])
    return user


def save_address(
    *,
    user: User,
    address: Address,
    default_shipping: bool,
    default_billing: bool,
) -> Address:
    """Create or update one of the user's addresses, moving the default flags onto it if asked.

    Locks the user's row so that two concurrent changes of the same address book are
    serialised; the old default is cleared in the same transaction, so the partial unique
    constraints (one default of each kind per user) always hold.
    """
    if address.pk is not None and address.user_id != user.pk:
        raise ValueError("The address belongs to another user")
    with transaction.atomic():
        User.objects.select_for_update().only("pk").get(pk=user.pk)
        others = Address.objects.filter(user=user).exclude(pk=address.pk)
        if default_shipping:
            others.filter(is_default_shipping=True).update(is_default_shipping=False)
        if default_billing:
            others.filter(is_default_billing=True).update(is_default_billing=False)
        address.user = user
        address.is_default_shipping = default_shipping
        address.is_default_billing = default_billing
        address.save()
    return address


def set_default_address(*, user: User, address: Address, kind: AddressKind) -> Address:
    """Make `address` the user's default of `kind`, clearing the previous one (same lock as
    `save_address`). Only the user's own addresses are touched; repeating it changes nothing."""
    flag = f"is_default_{kind}"
    with transaction.atomic():
        User.objects.select_for_update().only("pk").get(pk=user.pk)
        own = Address.objects.filter(user=user)
        own.filter(**{flag: True}).exclude(pk=address.pk).update(**{flag: False})
        own.filter(pk=address.pk).update(**{flag: True})
    setattr(address, flag, True)
    return address


def delete_address(*, user: User, address: Address) -> None:
    Address.objects.filter(user=user, pk=address.pk).delete()


def delete_account(*, user: User) -> None:
    """Erase the customer's personal data and keep their orders for the shop's books.

    Deleted: the user row, the address book, the cart and two-factor devices (cascades),
    django-axes' login records for the email, and whatever each app's registered part erases
    (accounts.personal_data: e.g. cart reminders and back-in-stock requests). Kept: orders,
    detached from the person (`Order.customer` set to NULL). The name, email and addresses
    copied onto each order stay on it: they are part of the invoice the shop must keep for its
    legal bookkeeping period, and are never shown in any account again.
    """
    email = user.email
    with transaction.atomic():
        for part in registered_parts():
            part.erase(user)
        user.delete()
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.objects.filter(username__iexact=email).delete()


def start_authenticator_setup(*, user: User) -> TOTPDevice:
    """The authenticator device the user is setting up: the unconfirmed one if there is one
    (so the QR code stays the same when the page is reloaded), else a new random secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def confirm_authenticator_setup(*, user: User, code: str) -> tuple[TOTPDevice, list[str]] | None:
    """Finish the setup with a code from the app: the new device replaces any earlier one and
    comes with fresh recovery codes. Returns the device and the codes (shown once), or None
    when the code is not right. Locks the device being set up, so two submits cannot both
    confirm it; repeating it after success finds nothing to confirm and returns None."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None or not device.verify_token("".join(code.split())):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return device, replace_recovery_codes(user=user)


def replace_recovery_codes(*, user: User) -> list[str]:
    """New single-use recovery codes for the user; the old ones stop working."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, defaults={"name": "Recovery codes", "confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


class SecondFactorRequired(Exception):
    """Staff cannot turn two-factor authentication off."""


def turn_off_two_factor(*, user: User) -> None:
    """Remove a customer's authenticator and recovery codes. Safe to repeat."""
    if user.is_staff:
        raise SecondFactorRequired("Staff accounts always need two-factor authentication.")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
