"""Create the local demo admin account (debug only) and print how to log in, second step
included: the demo authenticator secret and a fresh recovery code."""

import base64

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

DEMO_ADMIN_EMAIL = "admin@example.com"
DEMO_ADMIN_PASSWORD = "admin"  # noqa: S105 - local demo only; refused when debug is off


class Command(BaseCommand):
    help = (
        "Create admin@example.com / admin with an authenticator secret for local use, and print "
        "a one-time recovery code (refuses when DJANGO_DEBUG is off)."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to create a demo admin with a known password: debug is off"
            )
        User = get_user_model()
        admin = User.objects.filter(email=DEMO_ADMIN_EMAIL).first()
        if admin is None:
            admin = User.objects.create_superuser(
                email=DEMO_ADMIN_EMAIL, password=DEMO_ADMIN_PASSWORD, full_name="Demo Admin"
            )
        authenticator = TOTPDevice.objects.filter(user=admin, confirmed=True).first()
        if authenticator is None:
            authenticator = TOTPDevice.objects.create(
                user=admin, name="Demo authenticator", confirmed=True
            )
        recovery, _ = StaticDevice.objects.get_or_create(
            user=admin, defaults={"name": "Recovery codes", "confirmed": True}
        )
        # One new single-use code per run, so the demo admin can always get in.
        code = StaticToken.random_token()
        recovery.token_set.create(token=code)
        secret = base64.b32encode(authenticator.bin_key).decode()
        self.stdout.write(
            f"Admin: http://127.0.0.1:8000/admin/  email {DEMO_ADMIN_EMAIL}  "
            f"password {DEMO_ADMIN_PASSWORD}\n"
            f"  Second step: the one-time recovery code {code}, or add the secret {secret} "
            "to an authenticator app (time-based, 6 digits)."
        )
