""" "Email me when available" on a sold-out product, and the one alert when it is back."""

import re

import pytest
from django.core import mail

from catalog.services import set_stock
from marketing.models import BackInStockAlert, BackInStockRequest, OptOut
from marketing.services import queue_back_in_stock_alerts
from outbox.services import send_pending
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REQUEST_URL = "/emails/back-in-stock/"


def test_a_sold_out_product_offers_email_me_when_available(client, sold_out, lamp):
    page = client.get("/products/wool-scarf/").text
    assert "Out of stock" in page
    assert '<button type="submit" class="button">Email me when available</button>' in page
    assert '<label for="notify-email">Email</label>' in page
    assert "Email me when available" not in client.get("/products/brass-lamp/").text


def test_signed_in_customers_are_not_asked_for_their_email(client, sold_out):
    client.force_login(UserFactory(email="fan@example.com"))
    page = client.get("/products/wool-scarf/").text
    assert "Email me when available" in page
    assert 'id="notify-email"' not in page
    assert "to fan@example.com" in page


def test_a_guest_asks_once_and_is_told_so(client, sold_out):
    for _ in range(2):
        response = client.post(
            REQUEST_URL, {"variant": sold_out.pk, "email": "Fan@Example.com"}, follow=True
        )
    assert response.redirect_chain[-1][0] == "/products/wool-scarf/"
    assert "We will email fan@example.com once when Wool Scarf is back." in response.text
    assert list(BackInStockRequest.objects.values_list("email", "variant")) == [
        ("fan@example.com", sold_out.pk)
    ]


def test_a_bad_email_is_a_clear_error(client, sold_out):
    response = client.post(REQUEST_URL, {"variant": sold_out.pk, "email": "nope"}, follow=True)
    assert "Email: Enter a valid email address." in response.text
    assert not BackInStockRequest.objects.exists()


def test_an_unknown_variant_is_a_clear_error(client):
    response = client.post(REQUEST_URL, {"variant": 999999, "email": "a@example.com"}, follow=True)
    assert "Sorry, this product is no longer available." in response.text


def test_the_alert_goes_out_once_when_stock_returns(client, sold_out, settings):
    settings.SITE_URL = "https://shop.example.com"
    client.post(REQUEST_URL, {"variant": sold_out.pk, "email": "fan@example.com"})

    # nothing while it is sold out
    assert queue_back_in_stock_alerts(enqueue=False) == []

    # when stock returns and the beat task runs twice
    set_stock(sku=sold_out.sku, quantity=3)
    assert len(queue_back_in_stock_alerts(enqueue=False)) == 1
    assert queue_back_in_stock_alerts(enqueue=False) == []
    send_pending(models=[BackInStockAlert])

    # then one alert, with a link to the product and one to stop these alerts
    [message] = mail.outbox
    assert message.subject == "Wool Scarf is back in stock"
    assert message.to == ["fan@example.com"]
    assert "https://shop.example.com/products/wool-scarf/" in message.body
    assert re.search(r"https://shop\.example\.com/emails/unsubscribe/\S+/", message.body)
    assert not BackInStockRequest.objects.exists()
    assert BackInStockAlert.objects.get().state == BackInStockAlert.State.SENT


def test_unsubscribing_drops_waiting_requests_and_ignores_new_ones_from_guests(
    client, sold_out, lamp
):
    client.post(REQUEST_URL, {"variant": sold_out.pk, "email": "fan@example.com"})
    set_stock(sku=sold_out.sku, quantity=1)
    queue_back_in_stock_alerts(enqueue=False)
    send_pending(models=[BackInStockAlert])
    set_stock(sku=sold_out.sku, quantity=0)
    client.post(REQUEST_URL, {"variant": sold_out.pk, "email": "fan@example.com"})

    url = re.search(r"/emails/unsubscribe/\S+/", mail.outbox[0].body).group(0)
    client.post(url)

    assert OptOut.objects.filter(email="fan@example.com", topic=OptOut.Topic.BACK_IN_STOCK)
    assert not BackInStockRequest.objects.exists()
    client.post(REQUEST_URL, {"variant": sold_out.pk, "email": "fan@example.com"})
    assert not BackInStockRequest.objects.exists()


def test_a_signed_in_customer_asking_again_lifts_their_own_opt_out(client, sold_out):
    fan = UserFactory(email="fan@example.com")
    OptOut.objects.create(email="fan@example.com", topic=OptOut.Topic.BACK_IN_STOCK)
    client.force_login(fan)
    client.post(REQUEST_URL, {"variant": sold_out.pk})
    assert BackInStockRequest.objects.get().user == fan
    assert not OptOut.objects.exists()
