"""Request logging: one structured line per request, and a request id on every line it causes.

Each request gets an id: the `X-Request-ID` that the reverse proxy sent (nginx's
`$request_id`, so its access log and ours share it) when it looks like one, else a new one. The
id goes back in the `X-Request-ID` response header, onto every log line written while the
request is handled (`request_id`), onto Sentry events, and onto the 500 page, so the reference a
customer reads out leads to the log lines and the error report.

The query string is left out of the request line on purpose: it can carry emails or tokens.
"""

import contextvars
import logging
import re
import time
import uuid

from django.http import HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger("shop.request")

current_request_id = contextvars.ContextVar("current_request_id", default=None)

# An id from outside is kept only in this shape (nginx's is 32 hex digits), so no one can put
# arbitrary text into the logs through it.
INCOMING_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to log records written while a request is being handled."""

    def filter(self, record):
        request_id = current_request_id.get()
        if request_id is not None and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True


def request_id_for(request):
    incoming = request.headers.get("X-Request-ID", "")
    if INCOMING_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestLogMiddleware:
    """Outermost middleware: gives the request its id and logs it once it has an answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = request_id_for(request)
        token = current_request_id.set(request.id)
        try:
            started = time.perf_counter()
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            response["X-Request-ID"] = request.id
            return response
        finally:
            current_request_id.reset(token)


@requires_csrf_token
def server_error(request):
    """The 500 page, with the request id as the reference to quote.

    Rendered without the request's context processors on purpose: they may need the very
    database or cache whose failure led here.
    """
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"request_id": getattr(request, "id", "")}))
