"""A small fake of Stripe, on loopback, in Stripe's own wire format.

Stripe lies outside this machine, so the tests talk to this instead, through the shop's real
code and the official SDK (`STRIPE_API_BASE` points here). What it does as Stripe does:

- the API endpoints the shop uses: create, retrieve (with `expand`) and expire Checkout
  Sessions, create and list refunds. Requests are form-encoded with Stripe's nested keys
  (`line_items[0][price_data][unit_amount]`), answers are JSON objects shaped like Stripe's,
  errors are Stripe's error objects, the secret key is checked, and an `Idempotency-Key`
  replays the first answer (or refuses other parameters with an `idempotency_error`);
- a hosted payment page that works without JavaScript: "Pay", "Pay with a declined card"
  (stays on the page with "Your card was declined.", as Checkout does) and "Cancel", which
  redirect to the session's `success_url` (with `{CHECKOUT_SESSION_ID}` filled in) or
  `cancel_url`;
- webhook events, signed as Stripe signs them: `Stripe-Signature: t=<unix time>,v1=<hex
  HMAC-SHA256 of "<t>.<body>" with the endpoint secret>`. Events wait in `outbox` until a test
  delivers them (late, twice, out of order), unless `deliver_to` is set: then each is posted to
  that URL from a background thread right after the API answer, as Stripe would.
"""

import hashlib
import hmac
import html
import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import requests

API_VERSION = "2026-01-28.clover"


def _id(prefix):
    return f"{prefix}_test_{secrets.token_hex(12)}"


def decode_form(pairs):
    """Stripe's form encoding back into nested data: `a[b][0][c]=v` -> {"a": {"b": [{"c": v}]}}
    (numeric keys become lists, as the SDK writes every list with indices)."""
    root = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node):
    if not isinstance(node, dict):
        return node
    if node and all(key.isdigit() for key in node):
        return [_lists(node[key]) for key in sorted(node, key=int)]
    return {key: _lists(value) for key, value in node.items()}


class StripeError(Exception):
    def __init__(self, status, message, *, kind="invalid_request_error", param=None):
        self.status = status
        self.body = {"error": {"message": message, "type": kind}}
        if param:
            self.body["error"]["param"] = param


class FakeStripe:
    """Stripe's state: sessions, payment intents, charges, refunds and events."""

    def __init__(self, *, api_key, webhook_secret):
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.sessions, self.intents, self.charges, self.refunds = {}, {}, {}, {}
        self.events = []  # every event, in the order Stripe made them
        self.outbox = []  # events not delivered yet
        self.requests = []  # (method, path, params, idempotency key) of every API call
        self.idempotent = {}  # key -> (fingerprint, status, body)
        self.deliver_to = None  # a webhook URL: deliver each event at once, in the background
        self.fail_next = []  # (path prefix, status) answered once instead of the real thing
        self.lock = threading.RLock()
        self.delivery_threads = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        for thread in self.delivery_threads:
            thread.join(timeout=30)
        self.server.shutdown()
        self.server.server_close()

    # The API.

    def handle_api(self, method, path, params, headers):
        if headers.get("Authorization") != f"Bearer {self.api_key}":
            raise StripeError(401, "Invalid API Key provided.")
        key = headers.get("Idempotency-Key") if method == "POST" else None
        self.requests.append((method, path, params, key))
        for index, (prefix, status) in enumerate(self.fail_next):
            if path.startswith(prefix):
                del self.fail_next[index]
                raise StripeError(
                    status, "An error occurred with our connection to Stripe.", kind="api_error"
                )
        if key:
            fingerprint = json.dumps([path, params], sort_keys=True)
            if key in self.idempotent:
                first, status, body = self.idempotent[key]
                if first != fingerprint:
                    raise StripeError(
                        400,
                        "Keys for idempotent requests can only be used with the same parameters "
                        "they were first used with.",
                        kind="idempotency_error",
                    )
                return status, body, True
        status, body = self.route(method, path, params, key)
        if key:
            self.idempotent[key] = (fingerprint, status, body)
        return status, body, False

    def route(self, method, path, params, key):
        match = re.fullmatch(r"/v1/checkout/sessions(?:/([\w]+))?(/expire)?", path)
        if match and method == "POST" and not match[1]:
            return 200, self.create_session(params, key)
        if match and method == "GET" and match[1] and not match[2]:
            return 200, self.expanded(self.session(match[1]), params.get("expand", []))
        if match and method == "POST" and match[1] and match[2]:
            session = self.session(match[1])
            if session["status"] != "open":
                raise StripeError(
                    400,
                    f'Only Checkout Sessions with a status in ["open"] can be expired. '
                    f'This Checkout Session has a status of "{session["status"]}".',
                )
            self.expire(session["id"], key=key)
            return 200, self.public(session)
        if path == "/v1/refunds" and method == "POST":
            return 200, self.create_refund(params, key)
        if path == "/v1/refunds" and method == "GET":
            intent = params.get("payment_intent")
            data = [r for r in self.refunds.values() if not intent or r["payment_intent"] == intent]
            return 200, {"object": "list", "data": data[::-1], "has_more": False, "url": path}
        raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")

    def session(self, session_id):
        if session_id not in self.sessions:
            raise StripeError(404, f"No such checkout.session: '{session_id}'", param="session")
        return self.sessions[session_id]

    def create_session(self, params, key):
        now = int(time.time())
        expires_at = int(params.get("expires_at", now + 86400))
        if not now + 30 * 60 <= expires_at <= now + 24 * 3600:
            raise StripeError(
                400,
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from "
                "Checkout Session creation.",
                param="expires_at",
            )
        for required in ("mode", "success_url", "line_items"):
            if required not in params:
                raise StripeError(400, f"Missing required param: {required}.", param=required)
        items = params["line_items"]
        currency = items[0]["price_data"]["currency"]
        total = sum(
            int(item["price_data"]["unit_amount"]) * int(item["quantity"]) for item in items
        )
        session_id = f"cs_test_{secrets.token_hex(24)}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": total,
            "amount_total": total,
            "cancel_url": params.get("cancel_url"),
            "client_reference_id": params.get("client_reference_id"),
            "created": now,
            "currency": currency,
            "customer_email": params.get("customer_email"),
            "expires_at": expires_at,
            "livemode": False,
            "metadata": params.get("metadata", {}),
            "mode": params["mode"],
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": params["success_url"],
            "url": f"{self.base_url}/pay/{session_id}",
            "_line_items": items,
            "_intent_metadata": (params.get("payment_intent_data") or {}).get("metadata", {}),
        }
        self.sessions[session_id] = session
        return self.public(session)

    @staticmethod
    def public(obj):
        return {key: value for key, value in obj.items() if not key.startswith("_")}

    def expanded(self, session, expand):
        session = self.public(session)
        if session["payment_intent"] and any(e.startswith("payment_intent") for e in expand):
            intent = dict(self.intents[session["payment_intent"]])
            if "payment_intent.latest_charge" in expand:
                intent["latest_charge"] = dict(self.charges[intent["latest_charge"]])
            session["payment_intent"] = intent
        return session

    def create_refund(self, params, key):
        intent = self.intents.get(params.get("payment_intent", ""))
        if intent is None:
            raise StripeError(400, "No such payment_intent.", param="payment_intent")
        charge = self.charges[intent["latest_charge"]]
        amount = int(params.get("amount", charge["amount"] - charge["amount_refunded"]))
        if amount > charge["amount"] - charge["amount_refunded"]:
            raise StripeError(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge.",
                param="amount",
            )
        return self.refund(intent["id"], amount, key=key)

    # What happens on Stripe's side (the hosted page, time passing, the dashboard).

    def pay(self, session_id, *, asynchronous=False, brand="visa", last4="4242"):
        """The customer pays: a card now, or a bank debit that settles later (`settle`)."""
        with self.lock:
            session = self.sessions[session_id]
            intent_id, charge_id = _id("pi"), _id("ch")
            metadata = session["_intent_metadata"]
            self.intents[intent_id] = {
                "id": intent_id,
                "object": "payment_intent",
                "amount": session["amount_total"],
                "currency": session["currency"],
                "latest_charge": charge_id,
                "metadata": metadata,
                "status": "processing" if asynchronous else "succeeded",
            }
            self.charges[charge_id] = {
                "id": charge_id,
                "object": "charge",
                "amount": session["amount_total"],
                "amount_refunded": 0,
                "currency": session["currency"],
                "metadata": metadata,
                "paid": not asynchronous,
                "payment_intent": intent_id,
                "payment_method_details": {
                    "type": "sepa_debit" if asynchronous else "card",
                    "card": None if asynchronous else {"brand": brand, "last4": last4},
                },
                "refunded": False,
                "status": "pending" if asynchronous else "succeeded",
            }
            session.update(
                status="complete",
                payment_status="unpaid" if asynchronous else "paid",
                payment_intent=intent_id,
                url=None,
            )
            return self.emit("checkout.session.completed", session)

    def settle(self, session_id, *, succeeded=True):
        """An asynchronous payment succeeds or fails, days later."""
        with self.lock:
            session = self.sessions[session_id]
            session["payment_status"] = "paid" if succeeded else "unpaid"
            kind = "succeeded" if succeeded else "failed"
            return self.emit(f"checkout.session.async_payment_{kind}", session)

    def expire(self, session_id, *, key=None):
        """The session's time is up (or the shop expired it)."""
        with self.lock:
            session = self.sessions[session_id]
            session.update(status="expired", url=None)
            return self.emit("checkout.session.expired", session, key=key)

    def refund(self, intent_id, amount, *, key=None):
        """A refund, asked for through the API or made by staff in Stripe's dashboard."""
        with self.lock:
            charge = self.charges[self.intents[intent_id]["latest_charge"]]
            refund_id = _id("re")
            refund = {
                "id": refund_id,
                "object": "refund",
                "amount": amount,
                "charge": charge["id"],
                "created": int(time.time()),
                "currency": charge["currency"],
                "metadata": {},
                "payment_intent": intent_id,
                "status": "succeeded",
            }
            self.refunds[refund_id] = refund
            charge["amount_refunded"] += amount
            charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
            self.emit("charge.refunded", charge, key=key)
            return dict(refund)

    # Events and their delivery.

    def emit(self, kind, obj, *, key=None):
        event = {
            "id": _id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "data": {"object": json.loads(json.dumps(self.public(obj)))},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": key},
            "type": kind,
        }
        self.events.append(event)
        if self.deliver_to:
            thread = threading.Thread(target=self.post, args=(event, self.deliver_to))
            self.delivery_threads.append(thread)
            thread.start()
        else:
            self.outbox.append(event)
        return event

    def event(self, kind, session_id=None):
        """The last event of this type (about this session)."""
        return next(
            event
            for event in reversed(self.events)
            if event["type"] == kind
            and (session_id is None or event["data"]["object"]["id"] == session_id)
        )

    def sign(self, payload: bytes, *, timestamp=None, secret=None):
        timestamp = int(time.time()) if timestamp is None else timestamp
        signed = f"{timestamp}.".encode() + payload
        mac = hmac.new((secret or self.webhook_secret).encode(), signed, hashlib.sha256)
        return f"t={timestamp},v1={mac.hexdigest()}"

    def signed_request(self, event, **sign_options):
        body = json.dumps(event, indent=2).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            "Stripe-Signature": self.sign(body, **sign_options),
        }
        return body, headers

    def post(self, event, url):
        body, headers = self.signed_request(event)
        return requests.post(url, data=body, headers=headers, timeout=30).status_code

    def take_outbox(self):
        events, self.outbox = self.outbox, []
        return events


def _handler_for(fake):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):
            pass  # quiet: the test output is about the shop

        def _send(self, status, body, content_type="application/json", headers=()):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_{secrets.token_hex(7)}")
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _params(self):
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            pairs = parse_qsl(url.query, keep_blank_values=True)
            pairs += parse_qsl(body, keep_blank_values=True)
            return url.path, decode_form(pairs)

        def _api(self, method):
            path, params = self._params()
            if path.startswith("/pay/"):
                return self._page(method, path, params)
            try:
                with fake.lock:
                    status, body, replayed = fake.handle_api(method, path, params, self.headers)
            except StripeError as error:
                headers = [("Stripe-Should-Retry", "false")] if error.status < 500 else []
                return self._send(error.status, error.body, headers=headers)
            headers = [("Idempotent-Replayed", "true")] if replayed else []
            self._send(status, body, headers=headers)

        def do_GET(self):
            self._api("GET")

        def do_POST(self):
            self._api("POST")

        def _page(self, method, path, params):
            match = re.fullmatch(r"/pay/([\w]+)(?:/(pay|decline|cancel))?", path)
            session = fake.sessions.get(match[1]) if match else None
            if session is None:
                return self._send(404, b"Not found", "text/plain")
            action = match[2]
            if session["status"] != "open":
                return self._html(session, "This Checkout Session is no longer active.")
            if method == "POST" and action == "pay":
                fake.pay(session["id"])
                target = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])
                return self._redirect(target)
            if method == "POST" and action == "cancel":
                return self._redirect(session["cancel_url"])
            if method == "POST" and action == "decline":
                return self._html(session, "Your card was declined.")
            return self._html(session)

        def _redirect(self, location):
            self.send_response(303)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _html(self, session, message=""):
            amount = f"{session['amount_total'] / 100:.2f} {session['currency'].upper()}"
            base = f"/pay/{session['id']}"
            alert = f'<p role="alert">{html.escape(message)}</p>' if message else ""
            forms = ""
            if session["status"] == "open":
                forms = "".join(
                    f'<form method="post" action="{base}/{action}">'
                    f'<button type="submit">{label}</button></form>'
                    for action, label in [
                        ("pay", "Pay"),
                        ("decline", "Pay with a declined card"),
                        ("cancel", "Cancel"),
                    ]
                )
            page = (
                '<!doctype html><html lang="en"><head><meta charset="utf-8">'
                "<title>Stripe Checkout (fake)</title></head><body><main>"
                f"<h1>Pay {html.escape(amount)}</h1>"
                f"<p>{html.escape(session.get('customer_email') or '')}</p>"
                f"{alert}{forms}</main></body></html>"
            )
            self._send(200, page.encode(), "text/html; charset=utf-8")

    return Handler
