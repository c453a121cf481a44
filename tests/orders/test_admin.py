"""The order admin: list, actions through the services, CSV export, the Order managers group."""

import csv
import io

import pytest
from django.contrib.auth.models import Group

from catalog.models import Variant
from orders.models import Order, OrderEmail
from tests.factories import OrderFactory, UserFactory
from tests.orders.helpers import buy
from tests.two_factor import log_in_with_second_factor

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/orders/order/"


def run_action(client, action, orders, **extra):
    data = {"action": action, "_selected_action": [order.pk for order in orders], **extra}
    return client.post(CHANGELIST, {**data, "index": 0} if not extra else data)


def test_order_managers_group_has_exactly_the_order_permissions():
    group = Group.objects.get(name="Order managers")
    assert set(group.permissions.values_list("codename", flat=True)) == {
        "view_order",
        "change_order",
        "view_orderline",
        "view_orderstatuschange",
        "view_orderemail",
        "change_orderemail",
        # and the payment records shown on the order's page
        "view_payment",
        "view_refund",
        "view_webhookevent",
        # and refunds, with the invoices and credit notes they download
        "refund_order",
        "view_document",
        "view_documentline",
        "view_invoice",
        "view_creditnote",
    }


def test_changelist_shows_number_customer_status_total_and_date(client, manager, paid_order):
    html = client.get(CHANGELIST).content.decode()
    assert paid_order.number in html
    assert "guest@example.com" in html
    assert "Paid" in html
    assert "54.90" in html


def test_search_by_number_or_email(client, manager, variant):
    first = buy(variant, 1)
    second = OrderFactory(email="someone@else.example")
    response = client.get(CHANGELIST, {"q": first.number})
    assert list(response.context["cl"].result_list) == [first]
    response = client.get(CHANGELIST, {"q": "someone@else"})
    assert list(response.context["cl"].result_list) == [second]


def test_change_page_shows_lines_and_history_and_keeps_money_read_only(client, manager, paid_order):
    response = client.get(f"{CHANGELIST}{paid_order.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Merino Beanie" in html
    assert "Status history" in html
    form_fields = response.context["adminform"].form.fields
    for name in ["total", "subtotal", "shipping_cost", "payment_last4", "status"]:
        assert name not in form_fields
    assert "tracking_number" in form_fields


def test_mark_as_shipped_asks_for_tracking_numbers_then_ships(client, manager, paid_order):
    pending = OrderFactory(status=Order.Status.PENDING_PAYMENT)

    # when the action is chosen, an intermediate page asks for tracking numbers
    response = run_action(client, "mark_shipped", [paid_order, pending])
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Tracking number for {paid_order.number}" in html
    assert f"{pending.number} is pending payment, not paid." in html
    assert 'value="Mark as shipped"' in html

    # and submitting it ships the paid order only
    response = run_action(
        client,
        "mark_shipped",
        [paid_order, pending],
        apply="yes",
        **{f"tracking_{paid_order.pk}": " 1Z999 "},
    )
    assert response.status_code == 302
    paid_order.refresh_from_db()
    pending.refresh_from_db()
    assert (paid_order.status, paid_order.tracking_number) == (Order.Status.SHIPPED, "1Z999")
    assert paid_order.status_changes.last().changed_by == manager
    assert pending.status == Order.Status.PENDING_PAYMENT
    assert OrderEmail.objects.filter(order=paid_order, kind=OrderEmail.Kind.SHIPPED).exists()
    messages = [str(m) for m in client.get(CHANGELIST).context["messages"]]
    assert "1 order marked as shipped." in messages


def test_mark_as_shipped_without_paid_orders_just_says_so(client, manager):
    pending = OrderFactory(status=Order.Status.PENDING_PAYMENT)
    response = run_action(client, "mark_shipped", [pending])
    assert response.status_code == 302
    messages = [str(m) for m in client.get(CHANGELIST).context["messages"]]
    assert f"1 order skipped: {pending.number} is pending payment, not paid." in messages


def test_cancel_and_restock_action(client, manager, paid_order, variant):
    shipped = OrderFactory(status=Order.Status.SHIPPED)

    response = run_action(client, "cancel_and_restock", [paid_order, shipped])

    assert response.status_code == 302
    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.CANCELLED
    assert paid_order.refund_reference
    assert Variant.objects.get(pk=variant.pk).stock == 10
    assert Order.objects.get(pk=shipped.pk).status == Order.Status.SHIPPED
    messages = [str(m) for m in client.get(CHANGELIST).context["messages"]]
    assert "1 order cancelled and restocked." in messages
    assert any("cannot go from Shipped to Cancelled" in m for m in messages)


def test_mark_as_delivered_action(client, manager):
    shipped = OrderFactory(status=Order.Status.SHIPPED)
    run_action(client, "mark_delivered", [shipped])
    assert Order.objects.get(pk=shipped.pk).status == Order.Status.DELIVERED


def test_csv_export_of_the_selection(client, manager, paid_order):
    evil = OrderFactory(shipping_full_name='=HYPERLINK("http://evil")')
    OrderFactory()  # not selected

    response = run_action(client, "export_csv", [paid_order, evil])

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["number"] for row in rows] == [evil.number, paid_order.number]
    paid_row = rows[1]
    assert (paid_row["status"], paid_row["units"], paid_row["total"]) == ("paid", "2", "54.90")
    assert rows[0]["shipping_name"].startswith("'=")


def test_non_staff_cannot_open_the_order_admin(client, customer, paid_order):
    client.force_login(customer)
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    run_action(client, "cancel_and_restock", [paid_order])
    assert Order.objects.get(pk=paid_order.pk).status == Order.Status.PAID


def test_staff_without_the_group_is_forbidden(client, paid_order):
    log_in_with_second_factor(client, UserFactory(is_staff=True))
    assert client.get(CHANGELIST).status_code == 403
    run_action(client, "cancel_and_restock", [paid_order])
    assert Order.objects.get(pk=paid_order.pk).status == Order.Status.PAID


def test_orders_cannot_be_added_or_deleted_in_the_admin(client, manager, paid_order):
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.get(f"{CHANGELIST}{paid_order.pk}/delete/").status_code == 403


def test_view_only_staff_can_export_but_not_ship(client, paid_order):
    from django.contrib.auth.models import Permission

    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    log_in_with_second_factor(client, viewer)
    actions = client.get(CHANGELIST).context["action_form"].fields["action"].choices
    names = [name for name, _ in actions]
    assert "export_csv" in names
    assert "mark_shipped" not in names
    assert "cancel_and_restock" not in names


def test_order_managers_group_migration_is_reversible():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("orders.migrations.0002_order_managers_group")
    migration.delete_group(apps, None)
    assert not Group.objects.filter(name="Order managers").exists()
    migration.create_group(apps, None)
    assert Group.objects.get(name="Order managers").permissions.count() == 6
