"""Two sign-ups for one email at the same moment, on two real PostgreSQL connections."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from accounts.models import User
from accounts.services import register_customer
from tests.accounts.test_signup import GOOD_PASSWORD, signup_data

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for_a_lock_wait(timeout=30):
    """Until some connection to the test database waits on a row or index lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the second sign-up never waited for the first")


def test_the_sign_up_that_loses_the_race_for_an_email_gets_a_form_error(postgres):
    # given a first sign-up that has inserted the account but not committed yet
    inserted, release = threading.Event(), threading.Event()

    def first_sign_up():
        try:
            with transaction.atomic():
                register_customer(email="raced@example.com", password=GOOD_PASSWORD)
                inserted.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    first = threading.Thread(target=first_sign_up)
    first.start()
    assert inserted.wait(timeout=30)

    # when a second sign-up for the same email passes the form's checks (the first account is
    # not visible yet) and its insert waits on the unique index until the first commits
    outcome = {}

    def second_sign_up():
        browser = Client()
        try:
            outcome["response"] = browser.post(
                "/accounts/signup/", signup_data(email="raced@example.com")
            )
            outcome["logged_in"] = "_auth_user_id" in browser.session
        except Exception as error:  # a 500 surfaces here as the view's exception
            outcome["error"] = error
        finally:
            connections.close_all()

    second = threading.Thread(target=second_sign_up)
    second.start()
    wait_for_a_lock_wait()
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)

    # then one account exists and the second visitor is told why, not shown a 500
    assert "error" not in outcome, outcome.get("error")
    response = outcome["response"]
    assert response.status_code == 200
    assert "An account with this email already exists." in response.content.decode()
    assert outcome["logged_in"] is False
    assert User.objects.filter(email="raced@example.com").count() == 1
