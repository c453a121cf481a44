"""Fixtures for invoices, credit notes and refunds: paid orders, their PDFs read back."""

import io
import secrets

import pytest
from pypdf import PdfReader

from catalog.models import TaxClass
from orders.services import place_order
from tests.factories import VariantFactory
from tests.orders.helpers import ADDRESS, approved_card


@pytest.fixture
def seller(settings):
    settings.SHOP_SELLER_NAME = "Northwind Goods GmbH"
    settings.SHOP_SELLER_ADDRESS = "Hafenstrasse 12, 20457 Hamburg, Germany"
    settings.SHOP_SELLER_VAT_ID = "DE123456789"


@pytest.fixture
def jacket(db):
    return VariantFactory(product__name="Rain Jacket", sku="JKT-M", price="40.00", stock=10)


@pytest.fixture
def guide(db):
    return VariantFactory(
        product__name="Field Guide",
        product__tax_class=TaxClass.REDUCED,
        sku="BOOK-1",
        price="12.50",
        stock=10,
    )


def pay_for(quantities, *, customer=None, method="standard", discount_code=""):
    """A paid order ({variant: quantity}) shipped to London: Germany's rates (19%, 7%)."""
    return place_order(
        customer=customer,
        email=customer.email if customer else "ada@example.com",
        quantities={variant.pk: quantity for variant, quantity in quantities.items()},
        shipping_address=ADDRESS,
        billing_address=ADDRESS,
        shipping_method=method,
        card=approved_card(),
        checkout_token=secrets.token_urlsafe(32),
        discount_code=discount_code,
    )


@pytest.fixture
def two_rate_order(jacket, guide):
    """1 jacket (€40.00, 19%) and 2 guides (€25.00, 7%), express shipping €14.90 (19%)."""
    return pay_for({jacket: 1, guide: 2}, method="express")


def pdf_text(data):
    """The text of a PDF (bytes), pages joined, every run of white space one space."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())
