"""Password reset by email: same answer for every email, throttled, the link works once."""

import re

import pytest
from django.core import mail

from accounts import tasks
from tests.accounts.helpers import assert_page
from tests.emails.conftest import celery_broker_at
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "saffron-meadow-93-kettle"


@pytest.fixture
def enqueued(monkeypatch):
    """The user ids handed to the broker (the task itself is not run)."""
    calls = []
    monkeypatch.setattr(tasks.send_password_reset_email, "delay", calls.append)
    return calls


def ask_for_reset(client, email, ip="198.51.100.7"):
    return client.post("/accounts/password-reset/", {"email": email}, REMOTE_ADDR=ip)


def reset_link(message):
    return re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)


def test_reset_page_has_the_contract_label_and_button(client):
    response = client.get("/accounts/password-reset/")
    assert_page(response, "Reset your password")
    html = response.content.decode()
    assert '<label for="id_email">Email</label>' in html
    assert '<button type="submit">Send reset link</button>' in html


def test_reset_answer_is_the_same_whether_or_not_the_email_has_an_account(
    client, user, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = ask_for_reset(client, "ada@example.com")
        unknown = ask_for_reset(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password-reset/sent/"
    known_page = client.get(known["Location"])
    unknown_page = client.get(unknown["Location"])
    assert known_page.content == unknown_page.content
    assert_page(known_page, "Check your email")
    assert "If an account exists for the email you entered" in known_page.content.decode()
    # Only the real account gets an email queued.
    assert enqueued == [user.pk]


def test_reset_is_not_queued_for_an_inactive_account(
    client, enqueued, django_capture_on_commit_callbacks
):
    UserFactory(email="gone@example.com", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for_reset(client, "gone@example.com")
    assert response.status_code == 302
    assert enqueued == []


def test_reset_is_queued_only_after_the_transaction_commits(
    client, user, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ask_for_reset(client, "ADA@example.com")
    assert enqueued == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert enqueued == [user.pk]


def test_reset_link_from_the_email_sets_a_new_password_once(
    client, user, eager_tasks, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://testserver"
    # given: the email sent by the task
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_reset(client, "ada@example.com")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.com"]
    assert message.subject == f"Reset your password at {settings.SHOP_NAME}"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    link = reset_link(message)
    assert link in html

    # when: the customer follows the link and chooses a new password
    response = client.get(link)
    assert response.status_code == 302  # the token moves into the session, out of the URL
    form_url = response["Location"]
    assert_page(client.get(form_url), "Choose a new password")
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == "/accounts/reset/done/"
    assert_page(client.get("/accounts/reset/done/"), "Password changed")

    # then: the new password works, and the link does not work a second time
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    client.logout()
    response = client.get(link)
    assert_page(response, "Reset link not valid")


def test_reset_form_applies_the_password_validators(
    client, user, eager_tasks, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://testserver"
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_reset(client, "ada@example.com")
    form_url = client.get(reset_link(mail.outbox[0]))["Location"]
    response = client.post(form_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_a_tampered_reset_link_is_refused(client, user):
    response = client.get("/accounts/reset/MQ/abc-123/")
    assert_page(response, "Reset link not valid")


def test_reset_requests_are_throttled_per_email_for_known_and_unknown_emails_alike(
    client, user, enqueued
):
    for email in ["ada@example.com", "nobody@example.com"]:
        for n in range(5):
            assert ask_for_reset(client, email, ip=f"203.0.113.{n}").status_code == 302
        response = ask_for_reset(client, email, ip="203.0.113.77")
        assert response.status_code == 429
        assert "Too many reset requests." in response.content.decode()


def test_reset_requests_are_throttled_per_address(client, enqueued):
    for n in range(10):
        assert ask_for_reset(client, f"someone{n}@example.com").status_code == 302
    response = ask_for_reset(client, "someone-else@example.com")
    assert response.status_code == 429
    assert ask_for_reset(client, "someone-else@example.com", ip="192.0.2.1").status_code == 302


@pytest.fixture
def broker_down():
    with celery_broker_at("redis://127.0.0.1:1/0"):  # nothing listens on port 1
        yield


def test_reset_answers_normally_when_the_broker_is_down(
    client, user, broker_down, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for_reset(client, "ada@example.com")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert "Could not queue the password reset email" in caplog.text


def test_reset_answers_normally_when_redis_is_down_for_cache_and_broker(
    client, user, broker_down, settings, caplog, django_capture_on_commit_callbacks
):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.DegradingRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for_reset(client, "ada@example.com")
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert "Cache unreachable" in caplog.text
    assert "Could not queue the password reset email" in caplog.text


def test_reset_task_skips_a_user_deleted_meanwhile(eager_tasks):
    tasks.send_password_reset_email.delay(987654)
    assert mail.outbox == []


@pytest.fixture
def flaky_smtp(smtp_server, settings):
    server = smtp_server(failures=2)
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5},
        }
    }
    return server


def test_reset_task_retries_until_the_smtp_server_accepts_the_email(user, eager_tasks, flaky_smtp):
    result = tasks.send_password_reset_email.apply(args=[user.pk])
    assert result.state == "SUCCESS", result.traceback
    assert flaky_smtp.attempts == 3
    assert len(flaky_smtp.delivered) == 1
    assert flaky_smtp.delivered[0].rcpt_tos == ["ada@example.com"]


def test_reset_task_gives_up_after_its_retries_when_smtp_stays_down(user, eager_tasks, settings):
    # An SMTP address on loopback where nothing listens.
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
        }
    }
    result = tasks.send_password_reset_email.apply(args=[user.pk])
    assert result.state == "FAILURE"
    assert isinstance(result.result, ConnectionRefusedError)
