"""factory_boy factories for every model the tests build."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from accounts.models import Address
from catalog.models import Category, Product, Variant
from orders.models import Order, OrderLine
from orders.pricing import vat_included
from pages.models import Page

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    full_name = factory.Faker("name")
    line1 = factory.Faker("street_address")
    city = factory.Faker("city")
    postal_code = "10115"
    country = "DE"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    description = "A well made thing."
    brand = "Acme"
    min_price = Decimal("10.00")

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.categories.set(extracted)


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:06d}")
    price = Decimal("10.00")
    stock = 10


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    email = factory.Sequence(lambda n: f"buyer{n}@example.com")
    checkout_token = factory.Sequence(lambda n: f"token-{n}")
    shipping_full_name = "Ada Lovelace"
    shipping_line1 = "1 Analytical Street"
    shipping_city = "London"
    shipping_postal_code = "N1 7AA"
    shipping_country = "GB"
    billing_full_name = "Ada Lovelace"
    billing_line1 = "1 Analytical Street"
    billing_city = "London"
    billing_postal_code = "N1 7AA"
    billing_country = "GB"
    shipping_method = Order.ShippingMethod.STANDARD
    currency = "EUR"
    subtotal = Decimal("20.00")
    shipping_cost = Decimal("4.90")
    total = Decimal("24.90")


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    variant = factory.SubFactory(VariantFactory)
    product_name = factory.LazyAttribute(lambda line: line.variant.product.name)
    sku = factory.LazyAttribute(lambda line: line.variant.sku)
    unit_price = Decimal("10.00")
    quantity = 2
    line_total = Decimal("20.00")
    vat_rate = Decimal("19.00")
    vat_amount = factory.LazyAttribute(lambda line: vat_included(line.line_total, line.vat_rate))
    net_amount = factory.LazyAttribute(lambda line: line.line_total - line.vat_amount)


class PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Page
        django_get_or_create = ("slug",)

    title = factory.Sequence(lambda n: f"Page {n}")
    slug = factory.LazyAttribute(lambda page: slugify(page.title))
    body = "Some **helpful** text."
