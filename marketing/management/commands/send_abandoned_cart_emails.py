"""`manage.py send_abandoned_cart_emails`: the reminders that are due, sent now (beat runs the
same every few minutes through the workers)."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from marketing.models import CartReminder
from marketing.services import queue_cart_reminders
from outbox.services import send_pending


class Command(BaseCommand):
    help = (
        "Queue one reminder for every cart left behind longer than "
        "SHOP_ABANDONED_CART_DELAY_MINUTES (and not bought since), then send every due "
        "reminder directly, without the broker."
    )

    def handle(self, *args, **options):
        queued = queue_cart_reminders(enqueue=False)
        with tqdm(
            total=len(queued), desc="Sending", unit=" emails", file=self.stderr, disable=None
        ) as bar:
            sent = send_pending(models=[CartReminder], progress=bar.update)
        self.stdout.write(
            f"{len(queued)} new reminder{'s' if len(queued) != 1 else ''}; "
            f"sent {sent} email{'s' if sent != 1 else ''}."
        )
