"""`/metrics`: the shop's own figures in Prometheus text format, right across processes, and
open only to loopback or to the holder of the metrics token."""

import sys

import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families

from config.celery import app as celery_app
from orders.models import OrderEmail
from orders.services import PaymentDeclined
from tests.factories import OrderFactory, VariantFactory
from tests.ops.conftest import answers, fetch, free_port, wait_until
from tests.orders.helpers import buy, declined_card


def samples(body):
    """{(sample name, frozen labels): value} of a Prometheus text answer."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def email(order, kind, state):
    return OrderEmail.objects.create(order=order, kind=kind, state=state)


@pytest.fixture
def broker(settings, redis_url):
    """The Celery app publishing to this test's Redis database, emptied first."""
    redis.Redis.from_url(redis_url).flushdb()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Celery reads its CELERY_ settings from Django's, live (they win over app.conf).
    settings.CELERY_BROKER_URL = redis_url
    return redis_url


@pytest.mark.django_db
def test_metrics_show_orders_emails_and_queue_depth(client, broker):
    # given three orders, their emails in every state, and two tasks waiting in the broker
    orders = OrderFactory.create_batch(3)
    email(orders[0], OrderEmail.Kind.CONFIRMATION, OrderEmail.State.PENDING)
    email(orders[1], OrderEmail.Kind.CONFIRMATION, OrderEmail.State.PENDING)
    email(orders[2], OrderEmail.Kind.CONFIRMATION, OrderEmail.State.FAILED)
    email(orders[0], OrderEmail.Kind.SHIPPED, OrderEmail.State.SENT)
    celery_app.send_task("outbox.tasks.send_pending_emails")
    celery_app.send_task("outbox.tasks.send_pending_emails")

    # when Prometheus scrapes from loopback
    response = client.get("/metrics")

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    figures = samples(response.content)
    assert figures[("shop_orders_placed_total", frozenset())] == 3
    assert figures[("shop_emails", frozenset({("state", "pending")}))] == 2
    assert figures[("shop_emails", frozenset({("state", "failed")}))] == 1
    assert figures[("shop_emails", frozenset({("state", "sent")}))] == 1
    assert figures[("shop_emails", frozenset({("state", "sending")}))] == 0
    assert figures[("shop_queue_length", frozenset({("queue", "celery")}))] == 2
    assert all(value == 1 for (name, _), value in figures.items() if name == "shop_figure_up"), (
        figures
    )


@pytest.mark.django_db
def test_payments_failed_counts_every_declined_attempt(client):
    variant = VariantFactory(stock=5)
    for _ in range(2):
        with pytest.raises(PaymentDeclined):
            buy(variant, 1, card=declined_card())
    buy(variant, 1)

    body = client.get("/metrics").content

    assert samples(body)[("shop_payments_failed_total", frozenset())] == 2


@pytest.mark.django_db
def test_a_source_that_is_down_leaves_out_only_its_own_figure(client, broker, settings):
    OrderFactory()
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/metrics")

    assert response.status_code == 200
    figures = samples(response.content)
    assert figures[("shop_figure_up", frozenset({("figure", "queue_length")}))] == 0
    assert figures[("shop_figure_up", frozenset({("figure", "orders_placed")}))] == 1
    assert figures[("shop_orders_placed_total", frozenset())] == 1
    assert not any(name == "shop_queue_length" for name, _ in figures)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("remote_addr", "headers"),
    [
        ("203.0.113.9", {}),
        ("10.0.0.7", {}),
        # loopback, but passed on by a proxy on the same machine
        ("127.0.0.1", {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}),
        ("::1", {"HTTP_FORWARDED": "for=203.0.113.9"}),
    ],
)
def test_metrics_are_refused_to_anyone_but_loopback(client, remote_addr, headers):
    response = client.get("/metrics", REMOTE_ADDR=remote_addr, **headers)
    assert response.status_code == 403
    assert b"shop_" not in response.content


@pytest.mark.django_db
def test_metrics_token_opens_metrics_to_another_machine(client, settings):
    settings.METRICS_TOKEN = "t" * 40

    with_token = client.get(
        "/metrics", REMOTE_ADDR="10.0.0.7", HTTP_AUTHORIZATION="Bearer " + "t" * 40
    )
    wrong_token = client.get(
        "/metrics", REMOTE_ADDR="10.0.0.7", HTTP_AUTHORIZATION="Bearer " + "x" * 40
    )
    no_token = client.get("/metrics", REMOTE_ADDR="10.0.0.7")

    assert with_token.status_code == 200
    assert b"shop_orders_placed_total" in with_token.content
    assert wrong_token.status_code == 403
    assert no_token.status_code == 403


@pytest.mark.django_db(transaction=True)
def test_every_gunicorn_worker_reports_the_same_figures(worker_env, processes):
    # given gunicorn with three worker processes, and orders written by another process
    port = free_port()
    server = processes.start(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "3"]
        + ["--bind", f"127.0.0.1:{port}"],
        env=worker_env,
        name="gunicorn",
    )
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: answers(base + "/healthz"), message=f"gunicorn\n{server.output()}")
    OrderFactory.create_batch(2)

    # when Prometheus scrapes several times (each scrape may reach another worker)
    figures = [samples(fetch(base + "/metrics")[2]) for _ in range(9)]

    # then every answer counts the orders
    assert [f[("shop_orders_placed_total", frozenset())] for f in figures] == [2] * 9
