"""The reset email through the real stack: PostgreSQL, Redis, a Celery worker process, SMTP."""

import re
import time
from email import message_from_bytes
from email.policy import default as default_policy

import pytest

from tests.factories import UserFactory

NEW_PASSWORD = "walnut-orbit-84-canvas"


def wait_for(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.mark.django_db(transaction=True)
def test_reset_email_is_sent_by_a_worker_and_its_link_works(
    client, celery_worker_process, smtp_server, settings
):
    # given: a worker that sends through an SMTP server on loopback
    smtp = smtp_server()
    worker = celery_worker_process(
        {"EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}", "SITE_URL": "http://shop.test"}
    )
    user = UserFactory(email="ada@example.com")

    # when: the customer asks for a link
    response = client.post("/accounts/password-reset/", {"email": "ada@example.com"})
    assert response.status_code == 302

    # then: the worker emails it
    wait_for(lambda: smtp.delivered, timeout=30)
    envelope = smtp.delivered[0]
    assert envelope.rcpt_tos == ["ada@example.com"]
    message = message_from_bytes(envelope.content, policy=default_policy)
    text = message.get_body(preferencelist=("plain",)).get_content()
    path = re.search(r"http://shop\.test(/accounts/reset/\S+/)", text).group(1)
    assert message.get_body(preferencelist=("html",)) is not None

    # and the link from that email sets a new password
    form_url = client.get(path)["Location"]
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert "send_password_reset_email" in worker.output()
