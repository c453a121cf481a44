"""`manage.py send_pending_emails`: the outbox sweep, run by hand (e.g. after a broker outage)."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from outbox.services import failed_count, send_pending


class Command(BaseCommand):
    help = (
        "Send every email that is due (orders, cart reminders, back-in-stock alerts): pending "
        "ones, retries whose backoff has passed and ones abandoned mid-send by a dead worker. "
        "Sends directly, without the broker."
    )

    def handle(self, *args, **options):
        with tqdm(desc="Sending", unit=" emails", file=self.stderr, disable=None) as bar:
            sent = send_pending(progress=bar.update)
        self.stdout.write(f"Sent {sent} email{'s' if sent != 1 else ''}.")
        failed = failed_count()
        if failed:
            self.stdout.write(
                self.style.WARNING(
                    f"{failed} email{'s have' if failed != 1 else ' has'} failed for good; "
                    "see the email lists in the admin and use “Retry sending”."
                )
            )
