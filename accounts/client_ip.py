"""The client's IP address, as django-axes and django-ratelimit should see it."""

import ipaddress

from django.conf import settings


def client_ip(request):
    """The address that failed-login lockouts and rate limits count against.

    Behind `SHOP_TRUSTED_PROXIES` reverse proxies, each appending to X-Forwarded-For, the client
    is that many entries from the right: entries further left come from the client and can be
    forged. Without proxies, or when the header is short or malformed, it is REMOTE_ADDR.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "")
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
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr
