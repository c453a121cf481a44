"""Media on S3-compatible object storage: uploads, their renditions and imported images go to
the bucket and come back over HTTP, against a real S3 API on loopback (moto's server)."""

import json
import logging
import os
import subprocess
import sys
from io import BytesIO

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from moto.server import ThreadedMotoServer
from PIL import Image

from catalog.models import ProductImage
from catalog.services import generate_image_renditions
from catalog.services.product_import import import_products
from config.media import s3_media_storage
from tests.conftest import ROOT
from tests.factories import ProductFactory, VariantFactory
from tests.ops.conftest import fetch, free_port

BUCKET = "shop-media"
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
        }
    ],
}


@pytest.fixture(scope="module")
def s3_endpoint():
    """An S3 API on loopback for this module's tests."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per S3 request
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_media(settings, s3_endpoint, monkeypatch):
    """The default storage switched to a fresh bucket; yields a boto3 client to look inside."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    # Product images are public, as the README asks of the bucket.
    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
    storage, _ = s3_media_storage(bucket=BUCKET, endpoint_url=s3_endpoint)
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def stored_keys(client):
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def png(size=(1600, 1200)):
    buffer = BytesIO()
    Image.new("RGBA", size, (30, 120, 200, 255)).save(buffer, "PNG")
    return buffer.getvalue()


def image_at(url):
    status, headers, body = fetch(url)
    assert status == 200, url
    with Image.open(BytesIO(body)) as picture:
        return picture.format, picture.size, headers


@pytest.mark.django_db
def test_an_uploaded_image_and_its_renditions_round_trip_through_the_bucket(
    client, s3_media, s3_endpoint
):
    # given a product whose image is uploaded (as the admin saves it)
    variant = VariantFactory(product__name="Desk Lamp", product__slug="desk-lamp")
    image = ProductImage.objects.create(
        product=variant.product, image=SimpleUploadedFile("lamp.png", png()), alt_text="Lamp"
    )

    # when its renditions are drawn, as after every upload
    generate_image_renditions(image=image)

    # then the original and both renditions are objects in the bucket
    image.refresh_from_db()
    assert stored_keys(s3_media) == sorted(
        [image.image.name, image.thumbnail.name, image.display.name]
    )
    assert (image.width, image.height) == (1600, 1200)
    # and the product page links them where a browser fetches them from the S3 API
    page = client.get("/products/desk-lamp/").text
    assert image.display.url in page
    assert image.display.url.startswith(f"{s3_endpoint}/{BUCKET}/products/renditions/")
    assert image_at(image.thumbnail.url)[:2] == ("JPEG", (400, 400))
    file_format, size, headers = image_at(image.display.url)
    assert (file_format, size) == ("JPEG", (1000, 750))
    assert headers["Cache-Control"] == "public, max-age=2592000"
    assert "?" not in image.display.url  # plain, lasting URLs: cached pages keep working


@pytest.mark.django_db
def test_a_second_upload_of_the_same_name_never_overwrites_the_first(s3_media):
    product = ProductFactory()
    first = ProductImage.objects.create(product=product, image=SimpleUploadedFile("a.png", png()))
    second = ProductImage.objects.create(
        product=product, image=SimpleUploadedFile("a.png", png((800, 800)))
    )
    assert first.image.name != second.image.name
    assert len(stored_keys(s3_media)) == 2


@pytest.mark.django_db
def test_imported_images_are_copied_into_the_bucket_with_renditions(tmp_path, s3_media):
    (tmp_path / "mug.png").write_bytes(png((900, 600)))
    (tmp_path / "products.csv").write_text(
        "sku,product_slug,product_name,price,stock,images\n"
        "MUG-1,enamel-mug,Enamel Mug,9.50,5,mug.png\n"
    )

    import_products(path=tmp_path / "products.csv")

    image = ProductImage.objects.get()
    assert image.image.name in stored_keys(s3_media)
    assert image.thumbnail.name in stored_keys(s3_media)
    assert image_at(image.thumbnail.url)[:2] == ("JPEG", (400, 400))


PRINT_MEDIA_SETTINGS = """
import django, json
django.setup()
from django.conf import settings
print(json.dumps({
    "storage": settings.STORAGES["default"]["BACKEND"],
    "csp_img_src": settings.SECURE_CSP["img-src"],
}))
"""


def media_settings(**env):
    """STORAGES and CSP as config.settings reads them from `env`, in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", PRINT_MEDIA_SETTINGS],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_READ_DOT_ENV": "false",
            "DJANGO_SECRET_KEY": "k" * 50,
            "ALLOWED_HOSTS": "shop.example.com",
            "SHOP_ALLOW_TEST_PAYMENTS": "true",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_media_stays_on_the_local_disk_unless_a_bucket_is_configured():
    assert media_settings()["storage"] == "django.core.files.storage.FileSystemStorage"


@pytest.mark.parametrize(
    ("env", "origin"),
    [
        (
            {"MEDIA_S3_ENDPOINT_URL": "https://objects.example.net:9000"},
            "https://objects.example.net:9000",
        ),
        ({"MEDIA_S3_CUSTOM_DOMAIN": "cdn.example.com"}, "https://cdn.example.com"),
        ({"MEDIA_S3_REGION": "eu-central-1"}, "https://shop-media.s3.amazonaws.com"),
    ],
)
def test_a_bucket_moves_media_there_and_lets_the_browser_load_its_images(env, origin):
    loaded = media_settings(MEDIA_S3_BUCKET="shop-media", **env)
    assert loaded["storage"] == "storages.backends.s3.S3Storage"
    assert loaded["csp_img_src"] == ["'self'", "data:", origin]
