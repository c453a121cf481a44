"""The signed order link in emails expires; a stale one offers to email a fresh link to the
order's address, through the email outbox, without telling anyone more than the link proves.
Personal pages are never stored by browsers or proxies."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from orders.models import OrderEmail
from orders.selectors import guest_key, order_link
from outbox.services import send_pending
from tests.orders.helpers import checkout_data

pytestmark = pytest.mark.django_db

BUTTON = "Email me a new link"


def link_emails():
    return [m for m in mail.outbox if m.subject.startswith("Your link to order")]


def stale_link_page(client, order, *, days):
    """The order's link as emailed `days` ago, opened today."""
    with time_machine.travel(timezone.now() - timedelta(days=days)):
        key = guest_key(order)
    return key, client.get(f"/orders/{order.number}/", {"key": key})


def test_the_link_opens_the_order_until_it_expires(client, settings, paid_order):
    settings.SHOP_GUEST_LINK_DAYS = 90

    _, fresh = stale_link_page(client, paid_order, days=89)
    _, stale = stale_link_page(client, paid_order, days=91)

    assert f"Order {paid_order.number}" in fresh.text
    assert stale.status_code == 200
    assert "<h1>This order link has expired</h1>" in stale.text
    assert BUTTON in stale.text
    assert paid_order.email not in stale.text
    assert paid_order.shipping_full_name not in stale.text


def test_a_stale_link_emails_a_fresh_one_to_the_orders_address_once(client, paid_order):
    key, _ = stale_link_page(client, paid_order, days=120)

    response = client.post(f"/orders/{paid_order.number}/new-link/", {"key": key})
    client.post(f"/orders/{paid_order.number}/new-link/", {"key": key})  # a second press
    send_pending()

    assert response.status_code == 302
    assert "a new link is on its way" in client.get(response.url).text
    [message] = link_emails()
    assert message.to == [paid_order.email]
    assert message.subject == f"Your link to order {paid_order.number}"
    path = re.search(r"http://127\.0\.0\.1:8000(/orders/\S+)", message.body).group(1)
    assert f"Order {paid_order.number}" in Client().get(path).text


def test_a_new_link_can_be_asked_for_again_after_a_while(client, paid_order):
    key, _ = stale_link_page(client, paid_order, days=120)
    client.post(f"/orders/{paid_order.number}/new-link/", {"key": key})
    send_pending()
    client.post(f"/orders/{paid_order.number}/new-link/", {"key": key})  # at once: nothing
    send_pending()
    assert len(link_emails()) == 1

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        client.post(f"/orders/{paid_order.number}/new-link/", {"key": key})
        send_pending()

    assert len(link_emails()) == 2
    assert OrderEmail.objects.get(kind=OrderEmail.Kind.LINK).state == OrderEmail.State.SENT


def test_only_a_link_we_signed_for_that_order_can_ask(client, paid_order, variant):
    key, _ = stale_link_page(client, paid_order, days=120)
    for number, bad_key in [
        (paid_order.number, key[:-2] + "xx"),
        (paid_order.number, "garbage"),
        ("ABCDEFGH", key),  # another number: the key does not name it
    ]:
        assert client.post(f"/orders/{number}/new-link/", {"key": bad_key}).status_code == 404
    assert client.get(f"/orders/{paid_order.number}/new-link/").status_code == 405
    assert not OrderEmail.objects.filter(kind=OrderEmail.Kind.LINK).exists()


def test_a_stale_link_to_an_order_deleted_since_answers_the_same(client, paid_order):
    key, _ = stale_link_page(client, paid_order, days=120)
    number = paid_order.number
    paid_order.delete()

    page = client.get(f"/orders/{number}/", {"key": key})
    response = client.post(f"/orders/{number}/new-link/", {"key": key})

    assert "<h1>This order link has expired</h1>" in page.text
    assert "a new link is on its way" in client.get(response.url).text
    assert link_emails() == []


@pytest.mark.parametrize(
    "path",
    [
        "/cart/",
        "/orders/",
        "/accounts/",
        "/accounts/addresses/",
        "/accounts/login/",
        "/checkout/",
    ],
)
def test_personal_pages_are_private_and_never_stored(client, customer, add, variant, path):
    client.force_login(customer)
    add(variant)
    response = client.get(path)
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_the_order_page_and_its_stale_link_page_are_private(client, settings, paid_order):
    _, stale = stale_link_page(client, paid_order, days=120)
    fresh = client.get(order_link(paid_order).removeprefix(settings.SITE_URL))
    assert fresh.status_code == 200
    for response in (stale, fresh):
        assert {"private", "no-store"} <= {d.strip() for d in response["Cache-Control"].split(",")}


def test_catalog_pages_stay_cacheable(client, variant):
    assert "no-store" not in client.get(variant.product.get_absolute_url()).get("Cache-Control", "")


def test_the_order_page_right_after_checkout_is_private(client, add, variant):
    add(variant)
    response = client.post("/checkout/", checkout_data())
    assert "no-store" in client.get(response.url)["Cache-Control"]
