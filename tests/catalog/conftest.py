"""Builders for catalog tests: products made the way the shop makes them (variants, images,
then `refresh_products`), so `min_price` and the search vectors are right."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from catalog.models import ProductImage
from catalog.services import make_renditions, refresh_products
from tests.factories import ProductFactory, UserFactory, VariantFactory


@pytest.fixture
def stored_image(media_root):
    """Factory: store a small generated JPEG in the media storage; returns ProductImage field
    values (the file and its renditions)."""

    def store(name="test/picture.jpg", colour=(200, 60, 40)):
        buffer = BytesIO()
        Image.new("RGB", (640, 480), colour).save(buffer, "JPEG")
        stored = default_storage.save(name, ContentFile(buffer.getvalue()))
        return {"image": stored, **make_renditions(stored)}

    return store


@pytest.fixture
def make_product(db):
    """Factory: a product with variants (dicts of Variant fields; one by default) and optional
    image field values, refreshed through the catalog service."""

    def make(name, *, variants=None, images=(), categories=(), **fields):
        product = ProductFactory(name=name, categories=list(categories), **fields)
        for position, values in enumerate(variants or [{}]):
            values = {"price": Decimal("10.00"), "stock": 10, **values}
            VariantFactory(product=product, position=position, **values)
        for position, values in enumerate(images):
            ProductImage.objects.create(product=product, alt_text=name, position=position, **values)
        refresh_products(product_ids=[product.pk])
        product.refresh_from_db()
        return product

    return make


@pytest.fixture
def catalog_manager(db):
    user = UserFactory(email="manager@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name="Catalog managers"))
    return user
