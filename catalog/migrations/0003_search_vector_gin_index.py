"""The GIN index behind full-text search. PostgreSQL only: the suite also runs on SQLite, where
search falls back to `icontains` and `search_vector` stays empty."""

from django.db import migrations

INDEX = "catalog_product_search_vector_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON catalog_product USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_featured_and_image_renditions")]

    operations = [migrations.RunPython(create_index, drop_index)]
