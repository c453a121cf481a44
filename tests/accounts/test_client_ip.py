"""Which address lockouts and rate limits count against, with and without a reverse proxy."""

import pytest

from accounts.client_ip import client_ip

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
