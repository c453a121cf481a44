"""`/metrics` for Prometheus: open to loopback, or to whoever presents `METRICS_TOKEN`."""

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client.exposition import choose_encoder

from ops.metrics import registry

# A reverse proxy on the same machine connects from loopback too; these headers show that the
# request came from further away.
PROXY_HEADERS = ("X-Forwarded-For", "X-Real-Ip", "Forwarded")


def has_metrics_token(request):
    token = settings.METRICS_TOKEN
    if not token:
        return False
    supplied = request.headers.get("Authorization", "")
    return hmac.compare_digest(supplied.encode(), f"Bearer {token}".encode())


def is_direct_loopback(request):
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return address.is_loopback and not any(name in request.headers for name in PROXY_HEADERS)


@never_cache
@require_safe
def metrics(request):
    if not (has_metrics_token(request) or is_direct_loopback(request)):
        return HttpResponseForbidden("Forbidden", content_type="text/plain")
    # The text format Prometheus asks for (classic, or OpenMetrics), as the client library does.
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encode(registry), content_type=content_type)
