"""The restore drill (`manage.py verify_backup`): a real pg_dump restored into a scratch
database, checked, and dropped again."""

import subprocess
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from catalog.models import ProductImage
from tests.factories import OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)


def pg_dump(path, database=None):
    db = connection.settings_dict
    subprocess.run(
        ["pg_dump", "--format=custom", "--file", str(path)]
        + ["--host", db["HOST"] or "127.0.0.1", "--port", str(db["PORT"] or 5432)]
        + ["--username", db["USER"], database or db["NAME"]],
        check=True,
        timeout=120,
    )
    return path


def scratch_databases():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            [f"{connection.settings_dict['NAME']}\\_drill\\_%"],
        )
        return [name for (name,) in cursor.fetchall()]


def drill(*args):
    out = StringIO()
    call_command("verify_backup", *map(str, args), stdout=out)
    return out.getvalue()


def image_with_files(product, *names):
    for name in names:
        default_storage.save(name, ContentFile(b"\xff\xd8 not really a jpeg"))
    image, thumbnail, display = names
    return ProductImage.objects.create(
        product=product, image=image, thumbnail=thumbnail, display=display, width=8, height=8
    )


@pytest.fixture
def shop_data(postgres, media_root):
    product = ProductFactory(name="Desk Lamp")
    image_with_files(product, "products/lamp.jpg", "renditions/lamp-t.jpg", "renditions/lamp-d.jpg")
    return OrderFactory.create_batch(3)


def test_a_good_backup_restores_checks_out_and_leaves_nothing_behind(shop_data, tmp_path):
    output = drill(pg_dump(tmp_path / "shop.dump"))

    assert "products 1," in output
    assert "orders 3," in output
    assert "Newest order: " in output
    assert "Media: 3 of 3 checked files are in the media storage (3 referenced)." in output
    assert "not in the backup" not in output
    assert "Restore drill passed." in output
    assert scratch_databases() == []


def test_images_missing_from_the_media_storage_fail_the_drill(shop_data, tmp_path):
    default_storage.delete("renditions/lamp-d.jpg")

    with pytest.raises(CommandError, match="missing from the media storage: renditions/lamp-d.jpg"):
        drill(pg_dump(tmp_path / "shop.dump"))
    assert scratch_databases() == []


def test_a_damaged_backup_fails_the_drill(shop_data, tmp_path):
    dump = pg_dump(tmp_path / "shop.dump")
    dump.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])

    with pytest.raises(CommandError, match="pg_restore failed"):
        drill(dump)
    assert scratch_databases() == []


def test_a_backup_of_another_database_is_not_taken_for_the_shop(postgres, tmp_path):
    with pytest.raises(CommandError, match="not the shop's database"):
        drill(pg_dump(tmp_path / "postgres.dump", database="postgres"))
    assert scratch_databases() == []


def test_keep_leaves_the_restored_database_to_look_at(shop_data, tmp_path):
    output = drill(pg_dump(tmp_path / "shop.dump"), "--keep")

    (kept,) = scratch_databases()
    assert f"Kept the scratch database {kept}." in output
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE "{kept}" WITH (FORCE)')
