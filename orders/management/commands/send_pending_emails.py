"""`manage.py send_pending_emails`: the outbox sweep, run by hand (e.g. after a broker outage)."""

from django.core.management.base import BaseCommand

from orders.emails import send_pending_order_emails
from orders.models import OrderEmail


class Command(BaseCommand):
    help = (
        "Send every order email that is due: pending ones, retries whose backoff has passed and "
        "ones abandoned mid-send by a dead worker. Sends directly, without the broker."
    )

    def handle(self, *args, **options):
        sent = send_pending_order_emails()
        self.stdout.write(f"Sent {sent} email{'s' if sent != 1 else ''}.")
        failed = OrderEmail.objects.filter(state=OrderEmail.State.FAILED).count()
        if failed:
            self.stdout.write(
                self.style.WARNING(
                    f"{failed} email{'s have' if failed != 1 else ' has'} failed for good; "
                    "see Order emails in the admin and use “Retry sending”."
                )
            )
