"""The client's IP address, as django-axes and django-ratelimit should see it."""

import ipaddress

from django.conf import settings

# Counted for clients whose address cannot be told (an empty or odd REMOTE_ADDR, e.g. behind a
# proxy on a unix socket that sends no X-Forwarded-For): a valid address, so the throttles keep
# working and no page breaks. Such clients share their limits; see "Client addresses" in the
# README for the proxy settings that avoid it.
UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104 - a placeholder, never bound


def _normalised(address):
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request):
    """The address that failed-login lockouts and rate limits count against.

    Behind `SHOP_TRUSTED_PROXIES` reverse proxies, each appending to X-Forwarded-For, the client
    is that many entries from the right: entries further left come from the client and can be
    forged. Without proxies, or when the header is short or malformed, it is REMOTE_ADDR, and
    UNKNOWN_ADDRESS when that is not an address either.
    """
    remote_addr = _normalised(request.META.get("REMOTE_ADDR", "")) or UNKNOWN_ADDRESS
    proxies = settings.SHOP_TRUSTED_PROXIES
    if not proxies:
        return remote_addr
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < proxies:
        return remote_addr
    return _normalised(forwarded[-proxies]) or remote_addr
