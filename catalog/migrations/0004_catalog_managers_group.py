"""The "Catalog managers" group: staff who look after categories, products, variants and images,
and nothing else."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Catalog managers"
MODELS = ["category", "product", "variant", "productimage"]
ACTIONS = ["add", "change", "delete", "view"]


def create_group(apps, schema_editor):
    # Permissions are normally created after `migrate`; create them now so the group gets them
    # on a fresh database too. (The real app config passes create_permissions' "has models"
    # check; the models themselves come from the migration state.)
    create_permissions(global_apps.get_app_config("catalog"), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [f"{action}_{model}" for model in MODELS for action in ACTIONS]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="catalog", codename__in=codenames)
    )


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_search_vector_gin_index"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
