"""Stripe Checkout end to end through the test client, the official SDK and the fake Stripe:
the redirect to the hosted page, paying, declining, cancelling, expiry, the return page, and
the order a webhook arrives in."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from billing.models import CreditNote, Invoice
from catalog.models import Variant
from orders.models import Order, OrderEmail
from payments.models import Payment, WebhookEvent
from tests.orders.helpers import checkout_data
from tests.payments.conftest import press

pytestmark = pytest.mark.django_db

CARD_FIELDS = {"card_number": None, "card_expiry": None, "card_cvc": None}


def start_checkout(client, variant, quantity=2, **overrides):
    """Fill the cart and place the order in Stripe mode; returns (order, the 303 answer)."""
    client.post("/cart/add/", {"variant": variant.pk, "quantity": quantity})
    response = client.post("/checkout/", checkout_data(**CARD_FIELDS, **overrides))
    order = Order.objects.order_by("-pk").first()
    return order, response


def paid_through_stripe(client, stripe_fake, deliver, variant):
    """An order paid on the hosted page, with Stripe's events delivered."""
    order, response = start_checkout(client, variant)
    press(response["Location"], "Pay")
    for event in stripe_fake.take_outbox():
        deliver(event)
    order.refresh_from_db()
    return order


def confirmations(order):
    return OrderEmail.objects.filter(order=order, kind=OrderEmail.Kind.CONFIRMATION).count()


def test_checkout_page_asks_for_no_card_in_stripe_mode(client, stripe_fake, variant):
    client.post("/cart/add/", {"variant": variant.pk, "quantity": 1})
    html = client.get("/checkout/").content.decode()
    for label in ["Card number", "Expiry (MM/YY)", "CVC"]:
        assert f">{label}</label>" not in html
    assert "<legend>Payment</legend>" in html
    assert "Stripe’s secure payment page" in html
    assert ">Place order</button>" in html
    assert ">Full name</label>" in html


def test_place_order_reserves_stock_creates_a_session_and_sends_the_browser_to_it(
    client, stripe_fake, variant
):
    # when a guest places an order for two beanies
    order, response = start_checkout(client, variant, email="ada@example.com")

    # then the order waits for payment with its stock reserved, and the browser goes to Stripe
    assert response.status_code == 303
    payment = order.payments.get()
    assert response["Location"] == payment.checkout_url
    assert payment.checkout_url.startswith(f"{stripe_fake.base_url}/pay/cs_test_")
    assert order.status == Order.Status.PENDING_PAYMENT
    assert (payment.status, payment.gateway, payment.amount) == ("pending", "stripe", order.total)
    assert Variant.objects.get(pk=variant.pk).stock == 8

    # and Stripe was asked for exactly the contract's session, once, keyed by the order
    [(method, path, params, key)] = stripe_fake.requests
    assert (method, path, key) == (
        "POST",
        "/v1/checkout/sessions",
        f"checkout-session-{order.number}",
    )
    assert params["mode"] == "payment"
    assert params["line_items"][0]["price_data"]["unit_amount"] == "5490"
    assert params["line_items"][0]["price_data"]["currency"] == "eur"
    assert params["line_items"][0]["quantity"] == "1"
    assert params["customer_email"] == "ada@example.com"
    assert params["client_reference_id"] == order.number
    assert params["metadata"] == {"order_number": order.number}
    assert params["success_url"] == (
        f"http://testserver/checkout/{order.number}/return/?session_id={{CHECKOUT_SESSION_ID}}"
    )
    assert params["cancel_url"].startswith(
        f"http://testserver/checkout/{order.number}/cancel/?key="
    )
    reserved_until = order.created_at + timedelta(minutes=60)
    assert int(params["expires_at"]) == int(reserved_until.timestamp())
    assert payment.expires_at == reserved_until
    # no card data ever reached the shop; the cart stays until the payment is proven
    assert not any(name.startswith("card") for name in params)
    assert client.get("/cart/").context["cart"].count == 2


def test_pay_webhook_first_then_the_customer_returns_to_a_thank_you(
    client, stripe_fake, deliver, variant
):
    order, response = start_checkout(client, variant)

    # when the customer pays and Stripe's webhook arrives before their browser does
    answer = press(response["Location"], "Pay")
    [completed] = stripe_fake.take_outbox()
    assert deliver(completed).status_code == 200

    # then the order is paid with the card's brand and last four, and one email is owed
    order.refresh_from_db()
    payment = order.payments.get()
    assert order.status == Order.Status.PAID
    assert (order.payment_brand, order.payment_last4) == ("Visa", "4242")
    assert payment.status == Payment.Status.PAID
    assert payment.reference.startswith("pi_test_")
    assert order.payment_reference == payment.reference
    assert confirmations(order) == 1
    event = WebhookEvent.objects.get()
    assert (event.event_id, event.type, event.order_number) == (
        completed["id"],
        "checkout.session.completed",
        order.number,
    )
    assert event.outcome == "Order paid"
    assert event.processed_at is not None

    # and the success URL thanks the customer, says paid and empties the cart
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"?session_id={payment.stripe_session_id}")
    page = client.get(answer.headers["Location"])
    html = page.content.decode()
    assert "<h1>Thank you for your order!</h1>" in html
    assert f"Order {order.number} is paid." in html
    assert "Payment processing" not in html
    assert 'http-equiv="refresh"' not in html
    assert client.get("/cart/").context["cart"].count == 0


def test_customer_back_before_the_webhook_sees_processing_until_payment_is_proven(
    client, stripe_fake, deliver, variant
):
    order, response = start_checkout(client, variant)
    answer = press(response["Location"], "Pay")
    success_url = answer.headers["Location"]

    # when the customer is back first and Stripe cannot be asked right now
    stripe_fake.fail_next.append(("/v1/checkout/sessions/", 400))
    html = client.get(success_url).content.decode()

    # then the page thanks them but says the payment is processing, reloading itself
    assert "<h1>Thank you for your order!</h1>" in html
    assert f"Order {order.number}: Payment processing." in html
    assert '<meta http-equiv="refresh" content="3">' in html
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT

    # when it reloads, Stripe says the session is paid: the order is paid, once
    html = client.get(success_url).content.decode()
    assert f"Order {order.number} is paid." in html
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID

    # and the webhook that arrives after changes nothing more
    [completed] = stripe_fake.take_outbox()
    assert deliver(completed).status_code == 200
    assert WebhookEvent.objects.get().outcome.startswith("Already recorded")
    assert confirmations(order) == 1


def test_the_success_page_does_not_trust_its_query_string(client, stripe_fake, variant):
    # given an order whose session nobody paid
    order, _ = start_checkout(client, variant)

    # when someone opens the success URL with a made-up (or even the real) session id
    for session_id in ["cs_test_forged", order.payments.get().stripe_session_id]:
        html = client.get(f"/checkout/{order.number}/return/?session_id={session_id}")
        # then the order stays unpaid
        assert "Payment processing" in html.content.decode()
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT


def test_a_stranger_cannot_open_the_success_page(client, stripe_fake, variant):
    order, _ = start_checkout(client, variant)
    client.logout()
    client.cookies.clear()
    response = client.get(f"/checkout/{order.number}/return/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_declined_card_stays_on_stripe_and_can_pay_again(client, stripe_fake, deliver, variant):
    order, response = start_checkout(client, variant)

    declined = press(response["Location"], "Pay with a declined card")

    assert declined.status_code == 200
    assert "Your card was declined." in declined.text
    assert stripe_fake.take_outbox() == []
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT

    press(response["Location"], "Pay")
    for event in stripe_fake.take_outbox():
        deliver(event)
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


def test_cancel_on_stripe_brings_back_the_cart_as_it_was(client, stripe_fake, deliver, variant):
    order, response = start_checkout(client, variant, quantity=3)
    session_id = order.payments.get().stripe_session_id

    # when the customer presses "Cancel" on Stripe's page
    answer = press(response["Location"], "Cancel")
    page = client.get(answer.headers["Location"], follow=True)

    # then they are on their cart, as it was, and told nothing was charged
    assert page.redirect_chain[-1][0] == "/cart/"
    assert "Payment cancelled: nothing was charged." in page.content.decode()
    assert page.context["cart"].count == 3
    # and the session can no longer be paid, the order is cancelled and its stock is back
    assert stripe_fake.sessions[session_id]["status"] == "expired"
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.payments.get().status == Payment.Status.EXPIRED
    assert Variant.objects.get(pk=variant.pk).stock == 10
    assert not order.emails.exists()  # they chose to leave: no cancellation email

    # and the expiry Stripe reports afterwards changes nothing
    [expired] = stripe_fake.take_outbox()
    assert deliver(expired).status_code == 200
    assert WebhookEvent.objects.get().outcome == "Ignored: order is cancelled"
    assert Variant.objects.get(pk=variant.pk).stock == 10

    # and checking out again works
    _, again = start_checkout(client, variant, quantity=0)
    assert again.status_code == 303


def test_the_cancel_link_needs_its_signature(client, stripe_fake, variant):
    order, _ = start_checkout(client, variant)
    response = client.get(f"/checkout/{order.number}/cancel/?key=forged")
    assert response.status_code == 404
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT
    assert Variant.objects.get(pk=variant.pk).stock == 8


def test_an_expired_session_cancels_the_order_and_restocks(client, stripe_fake, deliver, variant):
    order, _ = start_checkout(client, variant)

    # when the reservation runs out on Stripe's side
    stripe_fake.expire(order.payments.get().stripe_session_id)
    [expired] = stripe_fake.take_outbox()
    assert deliver(expired).status_code == 200

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.payments.get().status == Payment.Status.EXPIRED
    assert Variant.objects.get(pk=variant.pk).stock == 10
    assert order.emails.get().kind == OrderEmail.Kind.CANCELLED
    assert WebhookEvent.objects.get().outcome == "Order cancelled: session expired"


def test_a_redelivered_event_takes_effect_once(client, stripe_fake, deliver, variant):
    order, response = start_checkout(client, variant)
    press(response["Location"], "Pay")
    [completed] = stripe_fake.take_outbox()

    first, second, third = deliver(completed), deliver(completed), deliver(completed)

    assert [first.status_code, second.status_code, third.status_code] == [200, 200, 200]
    assert second.json()["outcome"] == "Duplicate: Order paid"
    assert WebhookEvent.objects.count() == 1
    assert confirmations(order) == 1
    assert order.status_changes.filter(to_status=Order.Status.PAID).count() == 1


def test_payment_arriving_after_the_order_was_cancelled_is_refunded_and_flagged(
    client, stripe_fake, deliver, variant
):
    # given a customer paying just as their session expires: Stripe's events cross
    order, response = start_checkout(client, variant)
    session = stripe_fake.sessions[order.payments.get().stripe_session_id]
    press(response["Location"], "Pay")
    [completed] = stripe_fake.take_outbox()
    expired = stripe_fake.emit("checkout.session.expired", {**session, "status": "expired"})
    stripe_fake.take_outbox()

    # when the expiry is delivered first, then the payment
    assert deliver(expired).status_code == 200
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED
    assert deliver(completed).status_code == 200

    # then the money goes straight back through Stripe's refunds API, and staff see why
    order.refresh_from_db()
    payment = order.payments.get()
    assert order.status == Order.Status.CANCELLED
    assert Variant.objects.get(pk=variant.pk).stock == 10
    assert payment.status == Payment.Status.REFUNDED
    assert payment.attention.startswith("Paid after the order was cancelled: refunded")
    refund = payment.refunds.get()
    assert refund.amount == order.total
    assert order.refund_reference == refund.reference
    [stripe_refund] = stripe_fake.refunds.values()
    assert stripe_refund["id"] == refund.reference
    assert stripe_refund["amount"] == 5490
    refund_calls = [r for r in stripe_fake.requests if r[1] == "/v1/refunds" and r[0] == "POST"]
    assert refund_calls[0][3] == f"unwanted-payment-{payment.pk}"
    assert confirmations(order) == 0
    assert WebhookEvent.objects.get(event_id=completed["id"]).outcome == payment.attention

    # and Stripe's own report of that refund is recognised, not counted twice
    [refunded] = stripe_fake.take_outbox()
    assert deliver(refunded).json()["outcome"] == "Refund already recorded"
    assert payment.refunds.count() == 1


@pytest.mark.parametrize(
    ("signature", "why"),
    [
        (None, "missing"),
        ("t=1,v1=deadbeef", "garbage"),
        ("wrong-secret", "signed with another secret"),
        ("stale", "six minutes old"),
        ("tampered", "body changed after signing"),
    ],
)
def test_a_webhook_without_a_valid_signature_is_refused_and_changes_nothing(
    client, stripe_fake, variant, signature, why
):
    order, response = start_checkout(client, variant)
    press(response["Location"], "Pay")
    [completed] = stripe_fake.take_outbox()
    body, headers = stripe_fake.signed_request(completed)
    header = headers["Stripe-Signature"]
    if signature == "wrong-secret":
        header = stripe_fake.sign(body, secret="whsec_attacker")
    elif signature == "stale":
        import time

        header = stripe_fake.sign(body, timestamp=int(time.time()) - 6 * 60)
    elif signature == "tampered":
        body = body.replace(b'"paid"', b'"paid" ')
    elif signature is not None:
        header = signature
    extra = {} if signature is None else {"HTTP_STRIPE_SIGNATURE": header}

    answer = client.post(
        "/payments/stripe/webhook/", data=body, content_type="application/json", **extra
    )

    assert answer.status_code == 400, why
    assert not WebhookEvent.objects.exists()
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT


def test_the_webhook_takes_only_posts(client, stripe_fake):
    assert client.get("/payments/stripe/webhook/").status_code == 405


def test_the_webhook_is_not_there_with_the_test_gateway(client, settings):
    settings.SHOP_PAYMENT_GATEWAY = "test"
    response = client.post("/payments/stripe/webhook/", data=b"{}", content_type="application/json")
    assert response.status_code == 404


def test_cancelling_a_paid_stripe_order_refunds_through_stripe(
    client, stripe_fake, deliver, variant
):
    from orders.services import cancel_order

    order = paid_through_stripe(client, stripe_fake, deliver, variant)

    # when staff cancel the paid order
    cancel_order(order=order, note="Customer asked")

    # then Stripe refunded the whole payment, once, keyed by the order
    payment = order.payments.get()
    [(method, path, params, key)] = [r for r in stripe_fake.requests if r[1] == "/v1/refunds"]
    assert (method, params["payment_intent"], params["amount"]) == (
        "POST",
        payment.reference,
        "5490",
    )
    assert key == f"cancel-{order.number}-{payment.pk}"
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.refund_reference.startswith("re_test_")
    assert payment.refunds.get().amount == Decimal("54.90")
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.REFUNDED
    assert Variant.objects.get(pk=variant.pk).stock == 10
    # and Stripe's charge.refunded for it is recognised
    [refunded] = stripe_fake.take_outbox()
    assert deliver(refunded).json()["outcome"] == "Refund already recorded"


def test_refunds_made_in_the_stripe_dashboard_are_reflected_on_the_order(
    client, stripe_fake, deliver, variant
):
    order = paid_through_stripe(client, stripe_fake, deliver, variant)
    payment = Payment.objects.get(order=order)

    # when staff refund €10 in Stripe's dashboard
    stripe_fake.refund(payment.reference, 1000)
    [partial] = stripe_fake.take_outbox()
    assert deliver(partial).json()["outcome"] == "Recorded a refund of 10.00 EUR made in Stripe"

    # then the payment shows it, the order is partially refunded with a credit note for €10
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PARTIALLY_REFUNDED
    assert payment.refunds.get().source == "stripe"
    assert Order.objects.get(pk=order.pk).status == Order.Status.PARTIALLY_REFUNDED
    [note] = CreditNote.objects.filter(order=order)
    assert note.gross == Decimal("10.00")

    # when they refund the rest
    stripe_fake.refund(payment.reference, 4490)
    [full] = stripe_fake.take_outbox()
    assert deliver(full).json()["outcome"] == "Order cancelled: refunded in Stripe"

    # then the unshipped order is cancelled and restocked, without refunding again, and the
    # credit notes take back the whole invoice
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert Variant.objects.get(pk=variant.pk).stock == 10
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.REFUNDED
    assert not [r for r in stripe_fake.requests if r[:2] == ("POST", "/v1/refunds")]
    notes = CreditNote.objects.filter(order=order)
    assert sorted(note.gross for note in notes) == [Decimal("10.00"), Decimal("44.90")]
    assert sum(note.vat for note in notes) == Invoice.objects.get(order=order).vat


def test_a_refund_reported_before_its_payment_is_deferred_not_lost(
    client, stripe_fake, deliver, variant
):
    order, response = start_checkout(client, variant)
    press(response["Location"], "Pay")
    [completed] = stripe_fake.take_outbox()
    intent = stripe_fake.sessions[order.payments.get().stripe_session_id]["payment_intent"]
    stripe_fake.refund(intent, 5490)
    [refunded] = stripe_fake.take_outbox()

    # the refund arrives first: Stripe is asked to deliver it again later
    assert deliver(refunded).status_code == 503
    assert deliver(completed).status_code == 200
    # Stripe's retry
    assert deliver(refunded).json()["outcome"] == "Order cancelled: refunded in Stripe"
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED
    assert WebhookEvent.objects.get(event_id=refunded["id"]).processed_at is not None


def test_asynchronous_payments_wait_then_succeed_or_fail(client, stripe_fake, deliver):
    from tests.factories import VariantFactory

    variant = VariantFactory(price="25.00", stock=10)
    paid_later, response = start_checkout(client, variant)
    session_id = paid_later.payments.get().stripe_session_id
    stripe_fake.pay(session_id, asynchronous=True)
    [completed] = stripe_fake.take_outbox()
    assert deliver(completed).json()["outcome"] == "Awaiting asynchronous payment"
    html = client.get(f"/checkout/{paid_later.number}/return/").content.decode()
    assert "Payment processing" in html

    stripe_fake.settle(session_id, succeeded=True)
    assert deliver(stripe_fake.take_outbox()[0]).json()["outcome"] == "Order paid"
    assert Order.objects.get(pk=paid_later.pk).status == Order.Status.PAID

    failed, _ = start_checkout(client, variant, quantity=1)
    session_id = failed.payments.get().stripe_session_id
    stripe_fake.pay(session_id, asynchronous=True)
    stripe_fake.settle(session_id, succeeded=False)
    for event in stripe_fake.take_outbox():
        deliver(event)
    failed.refresh_from_db()
    assert failed.status == Order.Status.CANCELLED
    assert failed.payments.get().status == Payment.Status.FAILED
    assert Variant.objects.get(pk=variant.pk).stock == 8  # only the paid order's two


def test_a_session_stripe_refuses_places_nothing_and_the_form_can_be_sent_again(
    client, stripe_fake, variant
):
    client.post("/cart/add/", {"variant": variant.pk, "quantity": 2})
    data = checkout_data(**CARD_FIELDS)
    stripe_fake.fail_next.append(("/v1/checkout/sessions", 400))

    response = client.post("/checkout/", data)

    assert response.status_code == 200
    assert "We could not start the payment. Please try again in a moment." in (
        response.content.decode()
    )
    assert not Order.objects.exists()
    assert Payment.objects.get().status == Payment.Status.FAILED
    assert Variant.objects.get(pk=variant.pk).stock == 10

    again = client.post("/checkout/", data)
    assert again.status_code == 303
    assert Order.objects.get().status == Order.Status.PENDING_PAYMENT


def test_a_lost_answer_is_retried_with_the_same_key_and_makes_one_session(
    client, stripe_fake, variant
):
    client.post("/cart/add/", {"variant": variant.pk, "quantity": 2})
    data = checkout_data(**CARD_FIELDS)

    # when Stripe answers 500 once: the SDK retries the same request with the same key
    stripe_fake.fail_next.append(("/v1/checkout/sessions", 500))
    first = client.post("/checkout/", data)
    order = Order.objects.get()
    assert first.status_code == 303
    assert [r[3] for r in stripe_fake.requests] == [f"checkout-session-{order.number}"] * 2

    # when the shop lost the answer altogether and the same form is sent again, minutes later
    Payment.objects.filter(order=order).update(stripe_session_id="", checkout_url="")
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        again = client.post("/checkout/", data)

    # then Stripe replays the session it made: one session, the same page
    assert again["Location"] == first["Location"]
    assert len(stripe_fake.sessions) == 1
    assert Order.objects.get().payments.get().stripe_session_id in first["Location"]


def test_the_same_form_sent_again_goes_to_the_same_payment_page(client, stripe_fake, variant):
    client.post("/cart/add/", {"variant": variant.pk, "quantity": 2})
    data = checkout_data(**CARD_FIELDS)

    first = client.post("/checkout/", data)
    second = client.post("/checkout/", data)

    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    assert Order.objects.count() == 1
    assert len(stripe_fake.sessions) == 1


def test_a_resubmit_whose_session_stripe_refuses_releases_the_order_and_says_so(
    client, stripe_fake, variant
):
    # given an order whose session was never stored (the process died after placing it)
    client.post("/cart/add/", {"variant": variant.pk, "quantity": 2})
    data = checkout_data(**CARD_FIELDS)
    client.post("/checkout/", data)
    Payment.objects.update(stripe_session_id="", checkout_url="")

    # when the same form is sent again and Stripe refuses the session
    stripe_fake.fail_next.append(("/v1/checkout/sessions", 400))
    response = client.post("/checkout/", data)

    # then the customer is told, the order is released and the form can be sent once more
    assert response.status_code == 200
    assert "We could not start the payment." in response.content.decode()
    assert not Order.objects.exists()
    assert Variant.objects.get(pk=variant.pk).stock == 10
    assert client.post("/checkout/", data).status_code == 303
