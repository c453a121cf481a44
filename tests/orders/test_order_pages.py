"""Who may see an order: its owner, staff, a guest with the signed link or right after
checkout; nobody else."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from orders.models import Order
from orders.selectors import guest_key, order_link
from orders.services import mark_order_shipped
from tests.factories import OrderFactory, OrderLineFactory, UserFactory
from tests.orders.helpers import buy, checkout_data
from tests.two_factor import log_in_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned_order(customer, variant):
    return buy(variant, 2, customer=customer)


def test_owner_sees_status_lines_totals_addresses_and_tracking(client, customer, owned_order):
    mark_order_shipped(order=owned_order, tracking_number="1Z-TRACK-42")
    client.force_login(customer)

    response = client.get(f"/orders/{owned_order.number}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>Order {owned_order.number}</h1>" in html
    assert '<span class="status-tag">Shipped</span>' in html
    assert "Merino Beanie" in html
    assert owned_order.lines.get().sku in html
    assert "€50.00" in html and "€4.90" in html and "€54.90" in html
    assert "1 Analytical Street" in html and "United Kingdom" in html
    assert "Tracking number: <strong>1Z-TRACK-42</strong>" in html
    assert "Visa ending in 4242" in html


def test_order_pages_show_amounts_in_the_currency_the_order_was_placed_in(
    client, customer, owned_order, settings
):
    # given an order placed in pounds, before the shop switched to euros
    owned_order.currency = "GBP"
    owned_order.save(update_fields=["currency"])
    settings.SHOP_CURRENCY = "EUR"
    client.force_login(customer)

    # (the layout's footer states the shop's own free-shipping threshold, in euros)
    detail = main_part(client.get(f"/orders/{owned_order.number}/").content.decode())
    listing = main_part(client.get("/orders/").content.decode())

    assert "£25.00" in detail and "£50.00" in detail and "£4.90" in detail
    assert "£54.90" in detail and "£54.90" in listing
    assert "€" not in detail and "€" not in listing


def test_a_signed_in_stranger_gets_404(client, owned_order):
    client.force_login(UserFactory())
    assert client.get(f"/orders/{owned_order.number}/").status_code == 404


def test_an_unknown_number_is_404_for_a_signed_in_customer(client, customer):
    client.force_login(customer)
    assert client.get("/orders/ZZZZZZZZ/").status_code == 404


@pytest.mark.parametrize("number", ["%00", "ABC%00DE", "abcdefgh", "X" * 300])
def test_a_malformed_number_is_404_signed_in_and_a_login_anonymously(client, customer, number):
    response = client.get(f"/orders/{number}/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    client.force_login(customer)
    assert client.get(f"/orders/{number}/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, owned_order):
    response = client.get(f"/orders/{owned_order.number}/")
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next=/orders/{owned_order.number}/"


def test_no_order_is_listed_or_shown_to_another_account(client, customer, owned_order, variant):
    other = UserFactory()
    others_order = buy(variant, 1, customer=other)
    client.force_login(customer)

    html = client.get("/orders/").content.decode()

    assert owned_order.number in html
    assert others_order.number not in html
    assert client.get(f"/orders/{others_order.number}/").status_code == 404


def test_order_list_is_newest_first_and_needs_login(client, customer):
    older = OrderFactory(customer=customer)
    newer = OrderFactory(customer=customer)
    Order.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=3))
    assert client.get("/orders/").url == "/accounts/login/?next=/orders/"

    client.force_login(customer)
    html = client.get("/orders/").content.decode()

    assert html.index(newer.number) < html.index(older.number)
    assert "<h1>My orders</h1>" in html


def test_staff_with_order_permission_see_any_order(client, owned_order):
    staff = UserFactory(is_staff=True)
    log_in_with_second_factor(client, staff)
    assert client.get(f"/orders/{owned_order.number}/").status_code == 404
    staff.user_permissions.add(Permission.objects.get(codename="view_order"))
    assert client.get(f"/orders/{owned_order.number}/").status_code == 200


def test_guest_opens_the_order_by_its_signed_link(client, settings, paid_order):
    settings.SITE_URL = "https://shop.example.com"
    link = order_link(paid_order)
    assert link.startswith(f"https://shop.example.com/orders/{paid_order.number}/?key=")

    response = client.get(link.removeprefix("https://shop.example.com"))

    assert response.status_code == 200
    assert f"Order {paid_order.number}" in response.content.decode()


def test_a_tampered_or_foreign_link_is_refused(client, paid_order, variant):
    other = buy(variant, 1)
    tampered = guest_key(paid_order)[:-2] + "xx"
    for key in [tampered, guest_key(other), "garbage"]:
        response = client.get(f"/orders/{paid_order.number}/?key={key}")
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


def test_the_guest_who_just_checked_out_sees_the_order_without_a_link(client, add, variant):
    add(variant)
    response = client.post("/checkout/", checkout_data())
    assert client.get(response.url).status_code == 200
    # another visitor does not
    client.cookies.clear()
    assert client.get(response.url).status_code == 302


def test_the_thank_you_heading_shows_only_right_after_checkout(client, add, variant, customer):
    client.force_login(customer)
    add(variant)
    url = client.post("/checkout/", checkout_data(email=None)).url
    first = client.get(url).content.decode()
    assert "<h1>Thank you for your order!</h1>" in first
    assert f"Order {Order.objects.get().number} is paid" in first
    assert "Thank you" not in client.get(url).content.decode()


def test_a_cancelled_order_page_says_so(client, customer):
    line = OrderLineFactory(order__customer=customer, order__status=Order.Status.CANCELLED)
    client.force_login(customer)
    html = client.get(f"/orders/{line.order.number}/").content.decode()
    assert '<span class="status-tag">Cancelled</span>' in html


def main_part(html):
    return html[html.index("<main") : html.index("</main>")]
