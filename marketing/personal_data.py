"""The marketing emails' part of a customer's data (accounts.personal_data): cart reminders
and back-in-stock requests and alerts, by account or by the account's email address.
Deleting the account deletes them; opt-outs are kept (the wish not to be emailed)."""

from django.db.models import Q

from marketing.models import BackInStockAlert, BackInStockRequest, CartReminder, GuestCheckout


def _mine(user):
    return Q(user=user) | Q(email__iexact=user.email)


def export_marketing_emails(user) -> dict:
    return {
        "back_in_stock_requests": [
            {"sku": request.variant.sku, "requested_at": request.created_at.isoformat()}
            for request in BackInStockRequest.objects.filter(_mine(user)).select_related("variant")
        ],
        "emails_sent": [
            {
                "kind": kind,
                "to": row.email,
                "state": row.state,
                "created_at": row.created_at.isoformat(),
            }
            for kind, rows in (
                ("cart reminder", CartReminder.objects.filter(_mine(user))),
                ("back-in-stock alert", BackInStockAlert.objects.filter(_mine(user))),
            )
            for row in rows
        ],
    }


def erase_marketing_emails(user) -> None:
    BackInStockRequest.objects.filter(_mine(user)).delete()
    BackInStockAlert.objects.filter(_mine(user)).delete()
    CartReminder.objects.filter(_mine(user)).delete()
    GuestCheckout.objects.filter(email__iexact=user.email).delete()
