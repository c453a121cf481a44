"""Create the local demo admin account (debug only) and print how to log in."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_ADMIN_EMAIL = "admin@example.com"
DEMO_ADMIN_PASSWORD = "admin"  # noqa: S105 - local demo only; refused when debug is off


class Command(BaseCommand):
    help = "Create admin@example.com / admin for local use (refuses when DJANGO_DEBUG is off)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to create a demo admin with a known password: debug is off"
            )
        User = get_user_model()
        if not User.objects.filter(email=DEMO_ADMIN_EMAIL).exists():
            User.objects.create_superuser(
                email=DEMO_ADMIN_EMAIL, password=DEMO_ADMIN_PASSWORD, full_name="Demo Admin"
            )
        self.stdout.write(
            f"Admin: http://127.0.0.1:8000/admin/  email {DEMO_ADMIN_EMAIL}  "
            f"password {DEMO_ADMIN_PASSWORD}"
        )
