"""The answer to an unexpected error: the styled 500 with its request id
(`config.logging.server_error`), or, when the database cannot be reached, a styled 503 with
`Retry-After` — the shop is away for a moment, not broken.

Installed as `handler500`, so it also answers errors raised by middleware (e.g. loading or
saving the session) and not only by views. It renders without context processors, which would
query the database again.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

from config import logging

RETRY_AFTER_SECONDS = 30


def server_error(request):
    error = sys.exc_info()[1]  # handler500 runs inside Django's `except` block
    if isinstance(error, (OperationalError, InterfaceError)):
        return database_unavailable(request)
    return logging.server_error(request)


def database_unavailable(request):
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response
