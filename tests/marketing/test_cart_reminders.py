"""One reminder about a cart left behind: for signed-in customers and for guests who typed an
email at checkout; never after they bought; an opt-out link that works."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from marketing.models import CartReminder, GuestCheckout, OptOut
from marketing.services import forget_old_guest_checkouts, queue_cart_reminders
from orders.models import Cart
from outbox.services import send_pending
from tests.factories import UserFactory
from tests.marketing.conftest import leave_cart
from tests.orders.helpers import DECLINED_CARD, buy, checkout_data

pytestmark = pytest.mark.django_db


def link_in(message, pattern):
    return re.search(pattern, message.body).group(0)


def test_a_cart_left_behind_gets_one_reminder(left_cart, settings):
    settings.SITE_URL = "https://shop.example.com"

    # when the reminders are queued twice (beat runs every few minutes) and the outbox sends
    first = queue_cart_reminders(enqueue=False)
    again = queue_cart_reminders(enqueue=False)
    send_pending()
    send_pending()

    # then one reminder went out, listing the cart
    assert len(first) == 1 and again == []
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["wanderer@example.com"]
    assert message.subject == "You left something in your cart"
    assert "2 x Brass Lamp" in message.body
    assert "https://shop.example.com/cart/" in message.body
    unsubscribe = link_in(message, r"https://shop\.example\.com/emails/unsubscribe/\S+/")
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    html = message.alternatives[0].content
    assert "Brass Lamp" in html and unsubscribe in html
    assert CartReminder.objects.get().state == CartReminder.State.SENT


def test_no_reminder_before_the_delay(lamp, settings):
    settings.SHOP_ABANDONED_CART_DELAY_MINUTES = 240
    leave_cart(UserFactory(), lamp, hours_ago=3)
    assert queue_cart_reminders(enqueue=False) == []


def test_no_reminder_after_they_bought(left_cart, lamp):
    buy(lamp, 1, customer=left_cart.user)
    assert queue_cart_reminders(enqueue=False) == []


def test_a_reminder_queued_before_they_bought_is_skipped_not_sent(left_cart, lamp):
    [reminder] = queue_cart_reminders(enqueue=False)
    buy(lamp, 1, customer=left_cart.user)

    assert send_pending(models=[CartReminder]) == 0
    assert mail.outbox == []
    reminder.refresh_from_db()
    assert reminder.state == CartReminder.State.SKIPPED


def test_changing_the_cart_again_leads_to_a_new_reminder_later(left_cart):
    queue_cart_reminders(enqueue=False)
    Cart.objects.filter(pk=left_cart.pk).update(
        updated_at=timezone.now() - timedelta(hours=4, minutes=1)
    )
    assert len(queue_cart_reminders(enqueue=False)) == 1
    assert CartReminder.objects.count() == 2


def test_the_opt_out_link_asks_then_stops_reminders(client, left_cart):
    queue_cart_reminders(enqueue=False)
    send_pending()
    url = link_in(mail.outbox[0], r"/emails/unsubscribe/\S+/")

    # a mail scanner opening the link changes nothing
    page = client.get(url)
    assert "Stop cart reminders to wanderer@example.com?" in page.text
    assert not OptOut.objects.exists()

    # the button does
    page = client.post(url)
    assert "we will send no more cart reminders to wanderer@example.com" in page.text
    assert OptOut.objects.get().topic == OptOut.Topic.CART_REMINDERS

    Cart.objects.filter(pk=left_cart.pk).update(updated_at=timezone.now() - timedelta(hours=5))
    assert queue_cart_reminders(enqueue=False) == []


def test_a_forged_unsubscribe_link_is_a_404(client):
    assert client.get("/emails/unsubscribe/not-a-token/").status_code == 404
    assert client.post("/emails/unsubscribe/not-a-token/").status_code == 404


def test_a_guest_who_typed_an_email_and_left_gets_a_link_to_their_cart(client, lamp, settings):
    # given a guest whose card was declined at checkout
    client.post("/cart/add/", {"variant": lamp.pk, "quantity": 2})
    client.post("/checkout/", checkout_data(email="Guest@Example.com", card_number=DECLINED_CARD))
    checkout = GuestCheckout.objects.get()
    assert (checkout.email, checkout.lines) == ("guest@example.com", {str(lamp.pk): 2})

    # when the delay has passed
    GuestCheckout.objects.update(updated_at=timezone.now() - timedelta(hours=5))
    queue_cart_reminders(enqueue=False)
    send_pending()

    # then the reminder links to their cart, which opens in any browser
    [message] = mail.outbox
    assert message.to == ["guest@example.com"]
    link = link_in(message, r"/emails/cart/\S+/")
    other_browser = Client()
    response = other_browser.get(link, follow=True)
    assert response.redirect_chain[-1][0] == "/cart/"
    assert response.context["cart"].quantities() == {lamp.pk: 2}


def test_a_guest_who_bought_gets_no_reminder(client, lamp):
    client.post("/cart/add/", {"variant": lamp.pk, "quantity": 1})
    client.post("/checkout/", checkout_data(email="buyer@example.com"))
    GuestCheckout.objects.update(updated_at=timezone.now() - timedelta(minutes=300))
    assert queue_cart_reminders(enqueue=False) == []


def test_the_command_sends_what_is_due(left_cart, capsys):
    call_command("send_abandoned_cart_emails")
    assert "1 new reminder; sent 1 email." in capsys.readouterr().out
    call_command("send_abandoned_cart_emails")
    assert "0 new reminders; sent 0 emails." in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_guests_checkouts_are_forgotten_after_thirty_days(client, lamp):
    client.post("/cart/add/", {"variant": lamp.pk, "quantity": 1})
    client.post("/checkout/", checkout_data(email="gone@example.com", card_number=DECLINED_CARD))
    GuestCheckout.objects.update(updated_at=timezone.now() - timedelta(hours=5))
    queue_cart_reminders(enqueue=False)
    assert forget_old_guest_checkouts() == 0

    GuestCheckout.objects.update(updated_at=timezone.now() - timedelta(days=31))
    assert forget_old_guest_checkouts() == 2  # the checkout and its reminder
    assert not GuestCheckout.objects.exists()
