"""The password reset email: a one-time link made with Django's default token generator."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User

RESET_EMAIL_SUBJECT = "Reset your password at {shop_name}"


def password_reset_url(user: User) -> str:
    """The absolute link to choose a new password; it stops working once the password changes
    or after PASSWORD_RESET_TIMEOUT."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL + path


def send_password_reset(*, user: User) -> None:
    """Render and send the reset email; SMTP errors propagate so the task can retry."""
    context = {
        "user": user,
        "reset_url": password_reset_url(user),
        "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        "shop_name": settings.SHOP_NAME,
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=RESET_EMAIL_SUBJECT.format(shop_name=settings.SHOP_NAME),
        body=render_to_string("emails/password_reset.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("emails/password_reset.html", context), "text/html")
    message.send()
