"""Fixtures for the Stripe tests: delivering webhooks and using the hosted payment page."""

import re

import pytest
import requests
from django.test import Client

from tests.factories import VariantFactory

WEBHOOK = "/payments/stripe/webhook/"


@pytest.fixture
def variant(db):
    return VariantFactory(product__name="Merino Beanie", price="25.00", stock=10)


@pytest.fixture
def deliver(stripe_fake):
    """Post an event to the shop's webhook exactly as Stripe does: signed raw JSON, from a
    client without cookies. Sign options (`timestamp`, `secret`) forge bad signatures."""
    stripe = Client()

    def deliver(event, **sign_options):
        body, headers = stripe_fake.signed_request(event, **sign_options)
        return stripe.post(
            WEBHOOK,
            data=body,
            content_type=headers["Content-Type"],
            HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"],
        )

    return deliver


def press(page_url, button):
    """What a browser without JavaScript does on the hosted page: open it and press a button.
    Returns the answer, redirects not followed."""
    page = requests.get(page_url, timeout=10)
    buttons = r'<form method="post" action="([^"]+)"><button type="submit">([^<]+)</button>'
    forms = {label: action for action, label in re.findall(buttons, page.text)}
    origin = page_url.split("/pay/")[0]
    return requests.post(origin + forms[button], allow_redirects=False, timeout=10)
