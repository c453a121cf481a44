"""Concurrent changes of one address book keep exactly one default of each kind."""

import threading

import pytest
from django.db import connection

from accounts import services
from accounts.models import Address
from tests.factories import AddressFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_default_changes_leave_exactly_one_default(postgres):
    user = UserFactory()
    addresses = AddressFactory.create_batch(6, user=user)
    barrier = threading.Barrier(len(addresses))
    errors = []

    def make_default(address):
        try:
            barrier.wait()
            services.set_default_address(user=user, address=address, kind="shipping")
        except Exception as error:  # noqa: BLE001 - any failure fails the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=make_default, args=(a,)) for a in addresses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert Address.objects.filter(user=user, is_default_shipping=True).count() == 1
