"""Production refuses a payment set-up that cannot take money, or takes it unsafely."""

import pytest

from tests.config.test_settings import GOOD_KEY, load_settings

PRODUCTION = {"DJANGO_SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "shop.example.com"}
STRIPE = {
    "SHOP_PAYMENT_GATEWAY": "stripe",
    "STRIPE_SECRET_KEY": "sk_live_x",
    "STRIPE_WEBHOOK_SECRET": "whsec_x",
}


def test_production_refuses_the_test_gateway_unless_told():
    result = load_settings(**PRODUCTION, SHOP_ALLOW_TEST_PAYMENTS="false")
    assert result.returncode != 0
    assert "SHOP_ALLOW_TEST_PAYMENTS=true" in result.stderr
    assert load_settings(**PRODUCTION, SHOP_ALLOW_TEST_PAYMENTS="true").returncode == 0


def test_debug_runs_the_test_gateway_without_being_told():
    result = load_settings(
        DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_DEBUG="true", SHOP_ALLOW_TEST_PAYMENTS=""
    )
    assert result.returncode == 0, result.stderr


def test_stripe_starts_with_its_keys_and_an_hour_of_reservation_by_default():
    result = load_settings(**PRODUCTION, **STRIPE, SHOP_ALLOW_TEST_PAYMENTS="false")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"])
def test_stripe_refuses_to_start_without_its_keys(missing):
    result = load_settings(**PRODUCTION, **{**STRIPE, missing: ""})
    assert result.returncode != 0
    assert "Stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET" in result.stderr


@pytest.mark.parametrize(
    ("minutes", "starts"), [("30", False), ("31", True), ("1440", True), ("1441", False)]
)
def test_stripe_reservations_fit_what_stripe_accepts(minutes, starts):
    result = load_settings(**PRODUCTION, **STRIPE, SHOP_UNPAID_ORDER_MINUTES=minutes)
    assert (result.returncode == 0) is starts, result.stderr


def test_an_unknown_gateway_is_refused():
    result = load_settings(**PRODUCTION, SHOP_PAYMENT_GATEWAY="paypal")
    assert result.returncode != 0
    assert "SHOP_PAYMENT_GATEWAY must be 'test' or 'stripe'" in result.stderr
