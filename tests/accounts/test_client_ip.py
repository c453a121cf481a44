"""Which address lockouts and rate limits count against, with and without a reverse proxy."""

import pytest

from accounts.client_ip import client_ip
from tests.factories import DEFAULT_PASSWORD, UserFactory

PROXY = "10.0.0.2"


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "198.51.100.1", PROXY),  # no trusted proxy: the header is ignored
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # forged entries on the left are ignored
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.9", "198.51.100.1"),
        (2, "198.51.100.1", PROXY),  # shorter than the proxy chain: misconfigured, no trust
        (1, "not-an-ip", PROXY),
        (1, "", PROXY),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip(rf, settings, proxies, forwarded_for, expected):
    settings.SHOP_TRUSTED_PROXIES = proxies
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_behind_a_proxy_a_lockout_hits_only_the_attacking_client(client, settings):
    settings.SHOP_TRUSTED_PROXIES = 1
    UserFactory(email="ada@example.com")

    def log_in(email, password, forwarded_for):
        return client.post(
            "/accounts/login/",
            {"username": email, "password": password},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    for n in range(5):
        log_in(f"guess{n}@example.com", "wrong", forwarded_for=f"6.6.6.{n}, 203.0.113.5")
    assert log_in("ada@example.com", DEFAULT_PASSWORD, "203.0.113.5").status_code == 429
    # Another customer behind the same proxy is not locked out.
    assert log_in("ada@example.com", DEFAULT_PASSWORD, "198.51.100.1").status_code == 302


@pytest.mark.django_db
def test_behind_a_proxy_the_reset_limit_counts_the_client_address(client, settings):
    settings.SHOP_TRUSTED_PROXIES = 1

    def ask(email, forwarded_for):
        return client.post(
            "/accounts/password-reset/",
            {"email": email},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    for n in range(10):
        assert ask(f"someone{n}@example.com", "203.0.113.5").status_code == 302
    assert ask("another@example.com", "203.0.113.5").status_code == 429
    assert ask("another@example.com", "198.51.100.1").status_code == 302
