"""Payments of orders paid before payments were kept (test gateway), and the Order managers'
right to see payments, refunds and webhook events."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Order managers"
PERMISSIONS = ["view_payment", "view_refund", "view_webhookevent"]


def backfill_payments(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Payment = apps.get_model("payments", "Payment")
    Refund = apps.get_model("payments", "Refund")
    paid_before = Order.objects.exclude(payment_reference="").filter(payments__isnull=True)
    for order in paid_before.iterator():
        payment = Payment.objects.create(
            order=order,
            order_number=order.number,
            gateway="test",
            status="refunded" if order.refund_reference else "paid",
            amount=order.total,
            currency=order.currency,
            reference=order.payment_reference,
            card_brand=order.payment_brand,
            card_last4=order.payment_last4,
            paid_at=order.paid_at,
        )
        if order.refund_reference:
            Refund.objects.create(
                payment=payment,
                amount=order.total,
                currency=order.currency,
                reference=order.refund_reference,
                idempotency_key=f"cancel-{order.number}-{payment.pk}",
                reason="Order cancelled",
            )


def grant_order_managers(apps, schema_editor):
    create_permissions(global_apps.get_app_config("payments"), apps=apps, verbosity=0)
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        Permission = apps.get_model("auth", "Permission")
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="payments", codename__in=PERMISSIONS)
        )


def revoke_order_managers(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        Permission = apps.get_model("auth", "Permission")
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="payments", codename__in=PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
        ("orders", "0002_order_managers_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        # The payments made here are kept on the way back: 0001's reversal drops the table.
        migrations.RunPython(backfill_payments, migrations.RunPython.noop),
        migrations.RunPython(grant_order_managers, revoke_order_managers),
    ]
