"""The outbox: queued with the order change, sent after commit, claimed once, retried, given up."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from orders.emails import queue_order_email
from orders.models import OrderEmail
from outbox.services import claim, send_now, send_pending
from tests.emails.conftest import place_paid_order
from tests.factories import OrderFactory, UserFactory
from tests.two_factor import log_in_with_second_factor


@pytest.mark.django_db(transaction=True)
def test_embedded_default_sends_the_confirmation_in_process_after_commit(eager_tasks):
    # given an order placed in a transaction that has not committed yet
    with transaction.atomic():
        order = OrderFactory(email="ada@example.com")
        queue_order_email(order=order, kind=OrderEmail.Kind.CONFIRMATION)
        # then nothing is sent before the commit
        assert mail.outbox == []

    # then exactly one message after it
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"Order {order.number} confirmed"
    assert mail.outbox[0].to == ["ada@example.com"]
    email = OrderEmail.objects.get(order=order)
    assert email.state == OrderEmail.State.SENT
    assert email.sent_at is not None
    # the admin's "Attempts" counts the successful one too
    assert email.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_embedded_default_placing_an_order_sends_exactly_one_confirmation(eager_tasks):
    order = place_paid_order(email="grace@example.com")

    assert [message.subject for message in mail.outbox] == [f"Order {order.number} confirmed"]
    assert mail.outbox[0].to == ["grace@example.com"]


@pytest.mark.django_db(transaction=True)
def test_queueing_the_same_email_twice_keeps_one_row_and_sends_once(eager_tasks):
    order = OrderFactory()
    with transaction.atomic():
        first = queue_order_email(order=order, kind=OrderEmail.Kind.CONFIRMATION)
        second = queue_order_email(order=order, kind=OrderEmail.Kind.CONFIRMATION)
    queue_order_email(order=order, kind=OrderEmail.Kind.CONFIRMATION)

    assert first.pk == second.pk
    assert OrderEmail.objects.filter(order=order).count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_order_change_leaves_no_email(eager_tasks):
    order = OrderFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_order_email(order=order, kind=OrderEmail.Kind.SHIPPED)
        raise RuntimeError("the order change failed")

    assert not OrderEmail.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_only_the_first_claim_wins_and_a_sent_email_is_never_claimed_again():
    email = OrderEmail.objects.create(order=OrderFactory(), kind=OrderEmail.Kind.CONFIRMATION)

    assert claim(OrderEmail, email.pk) is not None
    assert claim(OrderEmail, email.pk) is None

    OrderEmail.objects.filter(pk=email.pk).update(state=OrderEmail.State.SENT)
    assert send_now(OrderEmail, email.pk) is None
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_claim_older_than_the_timeout_is_taken_over(settings):
    settings.SHOP_EMAIL_CLAIM_TIMEOUT = 60
    email = OrderEmail.objects.create(
        order=OrderFactory(),
        kind=OrderEmail.Kind.CONFIRMATION,
        state=OrderEmail.State.SENDING,
        claimed_at=timezone.now() - timedelta(seconds=30),
    )
    assert send_pending() == 0

    OrderEmail.objects.filter(pk=email.pk).update(claimed_at=timezone.now() - timedelta(seconds=61))
    assert send_pending() == 1
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.state == OrderEmail.State.SENT


@pytest.mark.django_db
def test_an_email_waiting_for_its_backoff_is_not_sent_early():
    email = OrderEmail.objects.create(
        order=OrderFactory(),
        kind=OrderEmail.Kind.CONFIRMATION,
        next_attempt_at=timezone.now() + timedelta(minutes=5),
    )

    assert send_now(OrderEmail, email.pk) is None
    assert send_pending() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_rejected_sends_back_off_exponentially_then_fail_visibly_and_staff_can_retry(
    smtp_mailer, settings, client, eager_tasks, django_capture_on_commit_callbacks
):
    # given an SMTP server that refuses the message
    settings.SHOP_EMAIL_RETRY_BASE_SECONDS = 60
    settings.SHOP_EMAIL_MAX_ATTEMPTS = 3
    smtp_mailer.reject_with("550 5.7.1 Mailbox unavailable")
    email = OrderEmail.objects.create(order=OrderFactory(), kind=OrderEmail.Kind.CONFIRMATION)
    start = timezone.now()

    # when the task tries, then the sweep once the backoff has passed
    with time_machine.travel(start, tick=False):
        assert send_now(OrderEmail, email.pk) == OrderEmail.State.PENDING
    email.refresh_from_db()
    assert email.attempts == 1
    assert email.next_attempt_at == start + timedelta(seconds=60)
    assert "550" in email.last_error

    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        send_pending()
    email.refresh_from_db()
    assert email.attempts == 1

    with time_machine.travel(start + timedelta(seconds=60), tick=False):
        send_pending()
    email.refresh_from_db()
    assert email.attempts == 2
    assert email.next_attempt_at == start + timedelta(seconds=60 + 120)

    with time_machine.travel(start + timedelta(seconds=180), tick=False):
        send_pending()
    email.refresh_from_db()

    # then the cap turns it into a failure with the error, and nothing more is tried
    assert email.state == OrderEmail.State.FAILED
    assert email.attempts == 3
    assert email.next_attempt_at is None
    assert "Mailbox unavailable" in email.last_error
    assert send_pending() == 0
    assert smtp_mailer.messages == []

    # and staff see it in the admin with its error
    log_in_with_second_factor(client, UserFactory(is_staff=True, is_superuser=True))
    changelist = reverse("admin:orders_orderemail_changelist")
    page = client.get(changelist, {"state": "failed"})
    assert page.status_code == 200
    assert "Mailbox unavailable" in page.content.decode()

    # when the server accepts again and staff press "Retry sending"
    smtp_mailer.accept()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist, {"action": "retry_sending", "_selected_action": [email.pk]}, follow=True
        )

    # then it is sent once
    assert "1 email queued to be sent again." in response.content.decode()
    email.refresh_from_db()
    assert email.state == OrderEmail.State.SENT
    assert len(smtp_mailer.messages) == 1
    assert smtp_mailer.messages[0]["Subject"] == f"Order {email.order.number} confirmed"


@pytest.mark.django_db
def test_retry_sending_leaves_emails_that_have_not_failed_alone(client, eager_tasks):
    sent = OrderEmail.objects.create(
        order=OrderFactory(), kind=OrderEmail.Kind.CONFIRMATION, state=OrderEmail.State.SENT
    )
    log_in_with_second_factor(client, UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:orders_orderemail_changelist"),
        {"action": "retry_sending", "_selected_action": [sent.pk]},
        follow=True,
    )

    assert "1 email was not failed and left alone." in response.content.decode()
    assert mail.outbox == []


@pytest.mark.django_db
def test_send_pending_emails_command_sends_what_is_due_and_reports_failures(capsys):
    place_paid_order(email="one@example.com")
    place_paid_order(email="two@example.com")
    OrderEmail.objects.create(
        order=OrderFactory(),
        kind=OrderEmail.Kind.SHIPPED,
        state=OrderEmail.State.FAILED,
        last_error="SMTPDataError: 550",
    )

    call_command("send_pending_emails")

    output = capsys.readouterr().out
    assert "Sent 2 emails." in output
    assert "1 email has failed for good" in output
    assert sorted(message.to[0] for message in mail.outbox) == [
        "one@example.com",
        "two@example.com",
    ]
