"""The order page's actions (ship, resend an email, packing slip), money with its currency,
readable status history, and the audit trail of staff actions in the admin's log."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core import mail

from catalog.models import Variant
from orders.models import Order, OrderEmail
from outbox.services import send_pending
from tests.factories import ProductFactory, UserFactory, VariantFactory
from tests.two_factor import log_in_with_second_factor

pytestmark = pytest.mark.django_db

ORDERS = "/admin/orders/order/"


@pytest.fixture
def boss(client):
    user = UserFactory(email="boss@example.com", is_staff=True, is_superuser=True)
    log_in_with_second_factor(client, user)
    return user


def log_messages(obj):
    return [entry.get_change_message() for entry in LogEntry.objects.filter(object_id=obj.pk)]


def test_the_order_page_shows_money_with_its_currency_and_a_readable_history(
    client, manager, paid_order
):
    page = client.get(f"{ORDERS}{paid_order.pk}/change/").text
    assert "€54.90" in page  # total
    assert "€25.00" in page  # unit price
    assert "Placed → Pending payment" in page
    assert "Pending payment → Paid" in page
    assert "pending_payment" not in page
    assert "€54.90" in client.get(ORDERS).text


def test_ship_from_the_order_page_with_a_tracking_number(client, manager, paid_order):
    page = client.get(f"{ORDERS}{paid_order.pk}/change/").text
    assert '<label for="ship-tracking">Tracking number</label>' in page

    response = client.post(f"{ORDERS}{paid_order.pk}/ship/", {"tracking_number": " 1Z999 "})

    assert response.status_code == 302
    paid_order.refresh_from_db()
    assert (paid_order.status, paid_order.tracking_number) == (Order.Status.SHIPPED, "1Z999")
    assert log_messages(paid_order) == ["Marked as shipped (tracking number 1Z999)."]
    assert LogEntry.objects.get(object_id=paid_order.pk).user == manager
    assert "Mark as shipped" not in client.get(f"{ORDERS}{paid_order.pk}/change/").text


def test_shipping_twice_or_by_get_changes_nothing(client, manager, paid_order):
    assert client.get(f"{ORDERS}{paid_order.pk}/ship/").status_code == 405
    client.post(f"{ORDERS}{paid_order.pk}/ship/", {"tracking_number": ""})
    response = client.post(f"{ORDERS}{paid_order.pk}/ship/", {"tracking_number": ""}, follow=True)
    assert "cannot go from Shipped to Shipped" in response.text
    assert len(log_messages(paid_order)) == 1


def test_view_only_staff_cannot_ship(client, paid_order):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    log_in_with_second_factor(client, viewer)
    assert client.post(f"{ORDERS}{paid_order.pk}/ship/").status_code == 403
    assert client.get(f"{ORDERS}{paid_order.pk}/packing-slip/").status_code == 200
    assert Order.objects.get(pk=paid_order.pk).status == Order.Status.PAID


def test_resend_an_email_from_the_order_page(client, manager, paid_order):
    send_pending()
    confirmation = paid_order.emails.get(kind=OrderEmail.Kind.CONFIRMATION)
    assert len(mail.outbox) == 1

    page = client.get(f"{ORDERS}{paid_order.pk}/change/").text
    assert "Order confirmation (sent)" in page
    client.post(f"{ORDERS}{paid_order.pk}/resend-email/", {"email": confirmation.pk})
    client.post(f"{ORDERS}{paid_order.pk}/resend-email/", {"email": confirmation.pk})
    send_pending()

    assert len(mail.outbox) == 2
    assert log_messages(paid_order) == ["Sent the order confirmation again."]


def test_the_packing_slip_lists_what_to_pack_without_prices(client, manager, paid_order):
    page = client.get(f"{ORDERS}{paid_order.pk}/packing-slip/").text
    assert f"Order <strong>{paid_order.number}</strong>" in page
    assert "Merino Beanie" in page
    line = paid_order.lines.get()
    assert f"<td>{line.sku}</td>" in page
    assert "€" not in page
    assert "Ada Lovelace" in page


def test_cancelling_logs_the_refund_with_its_amount(client, manager, paid_order):
    client.post(ORDERS, {"action": "cancel_and_restock", "_selected_action": [paid_order.pk]})
    paid_order.refresh_from_db()
    assert log_messages(paid_order) == [
        f"Cancelled and restocked; refunded €54.90 ({paid_order.refund_reference})."
    ]


def test_staff_actions_are_listed_in_the_admin(client, boss, paid_order):
    client.post(ORDERS, {"action": "cancel_and_restock", "_selected_action": [paid_order.pk]})
    page = client.get("/admin/admin/logentry/").text
    assert "boss@example.com" in page
    assert f"Order {paid_order.number}" in page
    assert "refunded €54.90" in page


def test_price_and_stock_edits_are_logged_with_before_and_after(client, boss):
    variant = VariantFactory(sku="LAMP-1", price="10.00", stock=5)
    client.post(
        "/admin/catalog/variant/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": variant.pk,
            "form-0-price": "12.50",
            "form-0-compare_at_price": "",
            "form-0-stock": "20",
            "_save": "Save",
        },
    )
    assert Variant.objects.get(pk=variant.pk).price == 12.5
    [message] = log_messages(variant)
    assert "price €10.00 → €12.50" in message
    assert "stock 5 → 20" in message


def test_bulk_product_actions_are_logged_per_product(client, boss):
    lamp, desk = ProductFactory(), ProductFactory()
    client.post(
        "/admin/catalog/product/", {"action": "deactivate", "_selected_action": [lamp.pk, desk.pk]}
    )
    assert log_messages(lamp) == ["Deactivated: hidden from the shop."]
    assert log_messages(desk) == ["Deactivated: hidden from the shop."]
