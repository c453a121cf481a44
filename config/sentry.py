"""Error tracking with Sentry, switched on by `SENTRY_DSN` (settings call `init_sentry`).

The Django and Celery integrations turn on by themselves once the SDK is initialised. What is
sent is kept to what finds the bug: no request bodies (the checkout form carries card
numbers), no local variables of stack frames (they can hold the same), no cookies or users'
personal data, no query strings (they can carry emails or tokens). Each event is tagged with the
request id that the logs and the 500 page show.
"""

import sentry_sdk

from config.logging import current_request_id


def scrub_event(event, hint):
    """`before_send`: drop what may be personal and tag the event with the request id."""
    request = event.get("request")
    if request:
        for key in ("query_string", "cookies", "data"):
            request.pop(key, None)
    request_id = current_request_id.get()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def init_sentry(*, dsn, environment, release, traces_sample_rate):
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        before_send=scrub_event,
    )
