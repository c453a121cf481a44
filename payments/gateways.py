"""The two payment gateways and how to pick one.

`SHOP_PAYMENT_GATEWAY` names it: "test" (the built-in test cards, charged synchronously with
the card fields of the checkout form) or "stripe" (Stripe Checkout: the customer pays on
Stripe's hosted page, see `payments.stripe_gateway`). Both refund with the same call:
`refund(reference=..., amount=..., currency=..., idempotency_key=...)`.

The Stripe gateway talks to Stripe only through the official SDK (`stripe`), at
`STRIPE_API_BASE` (tests point it at a fake of Stripe's API on loopback). Amounts cross the
wire in the currency's minor units; ids and states come back as small frozen dataclasses, so
the rest of the shop never handles the SDK's objects.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import stripe
from django.conf import settings

from payments.cards import Card

TEST = "test"
STRIPE = "stripe"


class GatewayError(Exception):
    """The provider could not be reached or refused the request; `str()` says why."""


@dataclass(frozen=True)
class Charge:
    approved: bool
    reference: str = ""
    decline_message: str = ""


@dataclass(frozen=True)
class RefundResult:
    reference: str
    amount: Decimal
    status: str = "succeeded"


class TestGateway:
    """The default gateway: approves the test card 4242 4242 4242 4242 and declines every other
    number, so no real card is ever taken to be charged. The form has already refused numbers
    failing the Luhn check, past expiry dates and bad CVCs."""

    name = TEST
    APPROVED_NUMBERS = {"4242424242424242"}
    DECLINE_MESSAGE = "Your card was declined."

    def charge(self, *, amount: Decimal, currency: str, card: Card, description: str) -> Charge:
        if card.number in self.APPROVED_NUMBERS:
            return Charge(approved=True, reference=f"test_ch_{secrets.token_hex(8)}")
        return Charge(approved=False, decline_message=self.DECLINE_MESSAGE)

    def refund(
        self, *, reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> RefundResult:
        """Refund `amount` of a charge; returns the refund's reference."""
        return RefundResult(reference=f"test_re_{secrets.token_hex(8)}", amount=amount)


# Stripe counts these currencies in whole units and these in thousandths; all others in cents.
ZERO_DECIMAL_CURRENCIES = {
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA",
    "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
}  # fmt: skip
THREE_DECIMAL_CURRENCIES = {"BHD", "JOD", "KWD", "OMR", "TND"}


def minor_exponent(currency):
    currency = currency.upper()
    if currency in ZERO_DECIMAL_CURRENCIES:
        return 0
    return 3 if currency in THREE_DECIMAL_CURRENCIES else 2


def to_minor_units(amount: Decimal, currency: str) -> int:
    return int(amount.scaleb(minor_exponent(currency)).to_integral_value())


def from_minor_units(value: int, currency: str) -> Decimal:
    return (Decimal(value).scaleb(-minor_exponent(currency))).quantize(Decimal("0.01"))


class InvalidSignature(Exception):
    """A webhook whose Stripe-Signature header is missing, malformed, stale or wrong."""


@dataclass(frozen=True)
class StripeSession:
    """What the shop needs of a Checkout Session."""

    id: str
    url: str
    status: str  # open, complete, expired
    payment_status: str  # paid, unpaid, no_payment_required
    order_number: str
    payment_intent: str
    amount: Decimal
    currency: str
    livemode: bool
    expires_at: datetime | None = None
    card_brand: str = ""
    card_last4: str = ""

    @property
    def paid(self):
        return self.payment_status in {"paid", "no_payment_required"}

    @classmethod
    def from_stripe(cls, session):
        """From a session as the API or an event's `data.object` has it (a plain dict or the
        SDK's object; `payment_intent` may be expanded with its `latest_charge`)."""
        session = session if isinstance(session, dict) else session.to_dict()
        intent = session.get("payment_intent") or ""
        card = {}
        if isinstance(intent, dict):
            charge = intent.get("latest_charge")
            if isinstance(charge, dict):
                card = (charge.get("payment_method_details") or {}).get("card") or {}
            intent = intent["id"]
        currency = (session.get("currency") or "").upper()
        expires_at = session.get("expires_at")
        return cls(
            id=session["id"],
            url=session.get("url") or "",
            status=session.get("status") or "",
            payment_status=session.get("payment_status") or "",
            order_number=(session.get("metadata") or {}).get("order_number")
            or session.get("client_reference_id")
            or "",
            payment_intent=intent,
            amount=from_minor_units(session.get("amount_total") or 0, currency or "EUR"),
            currency=currency,
            livemode=bool(session.get("livemode")),
            expires_at=datetime.fromtimestamp(expires_at, tz=UTC) if expires_at else None,
            card_brand=(card.get("brand") or "").title(),
            card_last4=card.get("last4") or "",
        )


class StripeGateway:
    """Stripe Checkout through the official SDK. Every call that creates something carries an
    idempotency key, so a retry (ours, or the SDK's own on a network error) never creates a
    second session or refund. Errors of any kind come out as GatewayError."""

    name = STRIPE
    # A request that hangs must not hold an order's row lock for long.
    CONNECT_TIMEOUT, READ_TIMEOUT = 5, 20

    def __init__(self):
        self.client = stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            base_addresses={"api": settings.STRIPE_API_BASE},
            max_network_retries=2,
            http_client=stripe.RequestsClient(timeout=(self.CONNECT_TIMEOUT, self.READ_TIMEOUT)),
        )

    def _call(self, method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except stripe.StripeError as error:
            raise GatewayError(error.user_message or str(error) or type(error).__name__) from error

    def create_checkout_session(
        self,
        *,
        order_number: str,
        amount: Decimal,
        currency: str,
        email: str,
        description: str,
        success_url: str,
        cancel_url: str,
        expires_at: datetime,
        idempotency_key: str,
    ) -> StripeSession:
        """One hosted payment page for the whole order total (a single line: the order's own
        totals, with their shipping, discounts and VAT, stay the shop's)."""
        metadata = {"order_number": order_number}
        params = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": currency.lower(),
                        "unit_amount": to_minor_units(amount, currency),
                        "product_data": {
                            "name": f"Order {order_number}",
                            "description": description[:500],
                        },
                    },
                }
            ],
            "customer_email": email,
            "client_reference_id": order_number,
            "metadata": metadata,
            # Carried to the PaymentIntent, so charges and refunds name the order too.
            "payment_intent_data": {"metadata": metadata},
            "success_url": success_url,
            "cancel_url": cancel_url,
            "expires_at": int(expires_at.timestamp()),
        }
        session = self._call(
            self.client.v1.checkout.sessions.create,
            params=params,
            options={"idempotency_key": idempotency_key},
        )
        return StripeSession.from_stripe(session)

    def retrieve_checkout_session(self, session_id: str) -> StripeSession:
        """The session now, with the card's brand and last four once it is paid."""
        session = self._call(
            self.client.v1.checkout.sessions.retrieve,
            session_id,
            params={"expand": ["payment_intent.latest_charge"]},
        )
        return StripeSession.from_stripe(session)

    def expire_checkout_session(self, session_id: str) -> StripeSession:
        """Close an open session so it can no longer be paid; a session already complete or
        expired is returned as it is (Stripe refuses to expire those)."""
        current = self.retrieve_checkout_session(session_id)
        if current.status != "open":
            return current
        try:
            self.client.v1.checkout.sessions.expire(session_id)
        except stripe.InvalidRequestError:
            pass  # paid or expired in the meantime: the state below says which
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error
        return self.retrieve_checkout_session(session_id)

    def refund(
        self, *, reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> RefundResult:
        """Refund `amount` of the PaymentIntent `reference` (POST /v1/refunds)."""
        refund = self._call(
            self.client.v1.refunds.create,
            params={"payment_intent": reference, "amount": to_minor_units(amount, currency)},
            options={"idempotency_key": idempotency_key},
        )
        return RefundResult(
            reference=refund["id"],
            amount=from_minor_units(refund["amount"], currency),
            status=refund["status"],
        )

    def refunds_of(self, *, payment_intent: str, currency: str) -> list[RefundResult]:
        """Every refund Stripe holds for a PaymentIntent, also those made in the dashboard."""
        refunds = self._call(
            self.client.v1.refunds.list, params={"payment_intent": payment_intent, "limit": 100}
        )
        return [
            RefundResult(
                reference=refund["id"],
                amount=from_minor_units(refund["amount"], currency),
                status=refund["status"],
            )
            for refund in refunds.auto_paging_iter()
        ]

    def verified_event(self, *, payload: bytes, signature: str) -> dict:
        """The event of a webhook request, once its signature proves it comes from Stripe
        (HMAC SHA-256 with the endpoint's secret, at most 5 minutes old)."""
        try:
            event = stripe.Webhook.construct_event(
                payload, signature, settings.STRIPE_WEBHOOK_SECRET
            )
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise InvalidSignature(str(error)) from error
        return event.to_dict()


def hosted_checkout():
    """Whether customers pay on the provider's page (Stripe) rather than on the checkout form."""
    return settings.SHOP_PAYMENT_GATEWAY == STRIPE


def get_gateway(name=None):
    """The gateway called `name` (a Payment's own gateway), or the configured one."""
    name = name or settings.SHOP_PAYMENT_GATEWAY
    if name == TEST:
        return TestGateway()
    if name == STRIPE:
        return StripeGateway()
    raise KeyError(f"Unknown payment gateway {name!r}")
