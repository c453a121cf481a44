"""Request ids in responses, logs, the 500 page and Sentry; Sentry gets nothing personal."""

import gzip
import json
import logging
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import pytest
from django.test import Client, override_settings

from config.logging import RequestIdFilter
from tests.ops.conftest import answers, fetch, free_port, wait_until


@pytest.mark.django_db
def test_every_answer_carries_a_new_request_id(client):
    first = client.get("/")["X-Request-ID"]
    second = client.get("/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


@pytest.mark.django_db
def test_the_proxy_request_id_is_kept_and_a_malformed_one_replaced(client):
    from_nginx = client.get("/healthz", HTTP_X_REQUEST_ID="5f2b0c9e8d7a4b1c9e8d7a4b1c2d3e4f")
    injected = client.get("/healthz", HTTP_X_REQUEST_ID='x" level="ERROR')
    assert from_nginx["X-Request-ID"] == "5f2b0c9e8d7a4b1c9e8d7a4b1c2d3e4f"
    assert re.fullmatch(r"[0-9a-f]{32}", injected["X-Request-ID"])


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.ops.error_urls")
def test_the_500_page_and_the_log_lines_show_the_request_id():
    # given a handler filtered like the shop's log output (settings.LOGGING)
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    handler.addFilter(RequestIdFilter())
    logging.getLogger().addHandler(handler)
    try:
        response = Client(raise_request_exception=False).post("/boom/", {"card_number": "4" * 16})
    finally:
        logging.getLogger().removeHandler(handler)

    request_id = response["X-Request-ID"]
    html = response.content.decode()
    assert response.status_code == 500
    assert f'<code class="error-reference">{request_id}</code>' in html
    assert "exploded" not in html
    loggers = {record.name for record in records if record.request_id == request_id}
    assert loggers >= {"django.request", "shop.request"}


class FakeSentry(BaseHTTPRequestHandler):
    """Sentry's ingestion endpoint on loopback: keeps each envelope it is sent."""

    envelopes = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        self.envelopes.append((self.path, body.decode()))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_sentry():
    FakeSentry.envelopes = []
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), FakeSentry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], FakeSentry.envelopes
    server.shutdown()


def events_in(envelope):
    """The event payloads of a Sentry envelope (header line, then item header + payload)."""
    lines = envelope.splitlines()
    return [
        json.loads(payload)
        for header, payload in zip(lines[1::2], lines[2::2], strict=False)
        if json.loads(header).get("type") == "event"
    ]


@pytest.mark.django_db(transaction=True)
def test_an_error_reaches_sentry_tagged_with_the_request_id_and_nothing_personal(
    worker_env, processes, fake_sentry
):
    # given gunicorn with SENTRY_DSN pointing at a Sentry on loopback
    sentry_port, envelopes = fake_sentry
    port = free_port()
    env = {
        **worker_env,
        "DJANGO_SETTINGS_MODULE": "tests.ops.error_settings",
        "SENTRY_DSN": f"http://public@127.0.0.1:{sentry_port}/42",
    }
    server = processes.start(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"],
        env=env,
        name="gunicorn",
    )
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: answers(base + "/healthz"), message=f"gunicorn\n{server.output()}")

    # when a checkout-like request with a card number, an email and a cookie fails
    status, headers, body = fetch(
        base + "/boom/?email=ann@example.com",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "sessionid=s3cr3t-session",
        },
        method="POST",
        data=b"card_number=4242424242424242&cvc=123",
    )

    # then the customer reads a reference that the log and the Sentry event carry too
    request_id = headers["X-Request-ID"]
    assert status == 500
    assert request_id in body.decode()
    wait_until(lambda: any(events_in(e) for _, e in envelopes), message="an event in Sentry")
    path, envelope = next((p, e) for p, e in envelopes if events_in(e))
    (event,) = events_in(envelope)
    assert path == "/api/42/envelope/"
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["tags"]["request_id"] == request_id
    for secret in ("4242424242424242", "ann@example.com", "s3cr3t-session", "cvc"):
        assert secret not in envelope
    error_lines = [
        json.loads(line)
        for line in server.output().splitlines()
        if line.startswith("{") and '"Internal Server Error' in line
    ]
    assert [line["request_id"] for line in error_lines] == [request_id]
