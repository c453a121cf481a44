import pytest

from tests.factories import UserFactory


@pytest.fixture
def user(db):
    return UserFactory(email="ada@example.com", full_name="Ada Lovelace")


@pytest.fixture
def signed_in_client(client, user):
    client.force_login(user)
    return client
