"""The "Order managers" group: staff who handle orders (view, ship, cancel, export) and see
the email outbox, and nothing else."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Order managers"
PERMISSIONS = [
    "view_order",
    "change_order",
    "view_orderline",
    "view_orderstatuschange",
    "view_orderemail",
    "change_orderemail",
]


def create_group(apps, schema_editor):
    # Permissions are normally created after `migrate`; create them now so the group gets them
    # on a fresh database too.
    create_permissions(global_apps.get_app_config("orders"), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="orders", codename__in=PERMISSIONS)
    )


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
