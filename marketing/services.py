"""Write paths for cart reminders and back-in-stock alerts: capturing who to write to, turning
what is due into outbox rows (sent once by `outbox.services`), and honouring opt-outs."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from marketing import selectors
from marketing.models import (
    BackInStockAlert,
    BackInStockRequest,
    CartReminder,
    GuestCheckout,
    OptOut,
)
from orders.selectors import cart_contents
from orders.services import OutOfStock, add_to_cart
from outbox.services import enqueue_after_commit

# The guest's checkout row, remembered in their session so that a second try updates it.
SESSION_GUEST_CHECKOUT_KEY = "guest_checkout"
# A guest's email and cart are kept only while a reminder could still need them.
GUEST_CHECKOUTS_KEPT = timedelta(days=30)


def remember_guest_checkout(*, session, email: str, quantities: dict[int, int]) -> None:
    """Keep a guest's checkout email and cart for the reminder should they leave without
    buying. Called on every checkout submit by a guest; updates the same row each time."""
    if not quantities:
        return
    lines = {str(pk): quantity for pk, quantity in quantities.items()}
    pk = session.get(SESSION_GUEST_CHECKOUT_KEY)
    updated = GuestCheckout.objects.filter(pk=pk, reminder__isnull=True).update(
        email=email.lower(), lines=lines, updated_at=timezone.now()
    )
    if not updated:
        session[SESSION_GUEST_CHECKOUT_KEY] = GuestCheckout.objects.create(
            email=email.lower(), lines=lines
        ).pk


def _queue_once(create, enqueue):
    """Insert one outbox row; a concurrent run that inserted it first wins (unique constraint)."""
    try:
        with transaction.atomic():
            row = create()
            if enqueue:
                enqueue_after_commit(row)
            return row
    except IntegrityError:
        return None


def queue_cart_reminders(*, now=None, enqueue=True) -> list[CartReminder]:
    """Turn every cart left behind long enough into one reminder row (see
    `selectors.left_customer_carts` and `left_guest_checkouts`); returns the new rows.

    Safe to repeat and to run concurrently: a reminder is unique per customer cart change and
    per guest checkout, so a second run creates nothing for the same cart.
    """
    now = now or timezone.now()
    queued = []
    for cart in selectors.left_customer_carts(now=now).iterator():
        queued.append(
            _queue_once(
                lambda cart=cart: CartReminder.objects.create(
                    email=cart.user.email, user=cart.user, cart_changed_at=cart.updated_at
                ),
                enqueue,
            )
        )
    for checkout in selectors.left_guest_checkouts(now=now).iterator():
        queued.append(
            _queue_once(
                lambda checkout=checkout: CartReminder.objects.create(
                    email=checkout.email,
                    guest_checkout=checkout,
                    cart_changed_at=checkout.updated_at,
                ),
                enqueue,
            )
        )
    return [reminder for reminder in queued if reminder is not None]


def forget_old_guest_checkouts(*, now=None) -> int:
    """Delete guests' checkouts (with their reminders) older than GUEST_CHECKOUTS_KEPT: a
    guest's email is personal data the shop no longer needs. Returns how many."""
    cutoff = (now or timezone.now()) - GUEST_CHECKOUTS_KEPT
    deleted, _ = GuestCheckout.objects.filter(updated_at__lt=cutoff).delete()
    return deleted


def restore_guest_cart(*, user, session, guest_checkout: GuestCheckout) -> list[str]:
    """Put what the guest had at checkout back into this visitor's cart (the link in the
    reminder may be opened in another browser). Lines already in the cart are left as they are;
    returns a message for each line that could not be added."""
    in_cart = cart_contents(user=user, session=session).quantities()
    problems = []
    for variant, quantity in selectors.guest_checkout_lines(guest_checkout):
        if variant.pk in in_cart:
            continue
        try:
            add_to_cart(
                user=user, session=session, variant=variant, quantity=min(quantity, variant.stock)
            )
        except OutOfStock as error:
            problems.extend(error.problems)
    return problems


def request_back_in_stock_alert(*, variant, email: str, user=None) -> None:
    """Remember to email `email` once `variant` is back. Safe to repeat (one request per email
    and variant). A guest's request for an address that opted out is quietly dropped; a signed-in
    customer asking for their own address lifts their opt-out."""
    email = email.lower()
    if user is not None and user.is_authenticated and user.email.lower() == email:
        OptOut.objects.filter(email__iexact=email, topic=OptOut.Topic.BACK_IN_STOCK).delete()
    else:
        user = None
        if selectors.is_opted_out(email=email, topic=OptOut.Topic.BACK_IN_STOCK):
            return
    BackInStockRequest.objects.get_or_create(email=email, variant=variant, defaults={"user": user})


def queue_back_in_stock_alerts(*, enqueue=True, batch_size=500) -> list[BackInStockAlert]:
    """Turn every request whose variant is back in stock into its alert; returns the alerts.

    Each request is locked (skipping those another run holds), replaced by its alert and
    deleted in one transaction, so a request earns exactly one alert however many runs race.
    """
    queued = []
    while True:
        with transaction.atomic():
            requests = list(
                selectors.requests_back_in_stock().select_for_update(
                    skip_locked=True, of=("self",)
                )[:batch_size]
            )
            for request in requests:
                alert = BackInStockAlert.objects.create(
                    email=request.email,
                    user_id=request.user_id,
                    variant_id=request.variant_id,
                    requested_at=request.created_at,
                )
                if enqueue:
                    enqueue_after_commit(alert)
                queued.append(alert)
            BackInStockRequest.objects.filter(pk__in=[r.pk for r in requests]).delete()
        if len(requests) < batch_size:
            return queued


def opt_out(*, email: str, topic: str) -> None:
    """Stop these emails to `email`: recorded for the future, and waiting back-in-stock
    requests are dropped. Safe to repeat."""
    email = email.lower()
    with transaction.atomic():
        OptOut.objects.get_or_create(email=email, topic=topic)
        if topic == OptOut.Topic.BACK_IN_STOCK:
            BackInStockRequest.objects.filter(email__iexact=email).delete()
