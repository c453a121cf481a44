"""Fixtures shared by the whole suite.

Tests that need the real stack (PostgreSQL, Redis, a Celery worker process) ask for it through
the fixtures below: outside CI they are skipped when the part is not configured; in CI
(`CI=true`) they fail instead, so a missing service can never pass unnoticed.
"""

import importlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from django.apps import apps as django_apps
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition, reason):
    """Skip locally, fail in CI: CI must run every test against the real services."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI needs this: {reason}")
    pytest.skip(reason)


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    require(url, "REDIS_URL is not set")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        require(False, f"Redis at {url} is unreachable: {error}")
    return url


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own on a spare port, to stop and start again under the
    shop (never the shared one). Like the documented cache instance: no persistence."""

    def __init__(self, workdir):
        self.port = free_port()
        self.workdir = workdir
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
                return self
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def own_redis(tmp_path):
    """A started RedisServer; stopped at teardown whatever the test did with it."""
    require(shutil.which("redis-server"), "redis-server is not installed")
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


class SilentServer:
    """A port that accepts TCP connections and never answers: a dependency that hangs (a
    dropped network path), unlike a closed port that refuses at once. Counts connections."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port = self.socket.getsockname()[1]
        self.connections = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                accepted, _ = self.socket.accept()
            except OSError:
                return
            self.connections.append(accepted)

    def close(self):
        self.socket.close()
        for accepted in self.connections:
            accepted.close()


@pytest.fixture
def silent_server():
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture
def postgres():
    require(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (catalog pages and throttles live there) and with
    the broker's circuit closed (a test that pointed the broker at a dead port tripped it)."""
    from django.core.cache import cache

    from catalog.page_cache import local_pages
    from config.celery import broker_circuit

    cache.clear()
    local_pages.clear()
    broker_circuit.close()
    yield


@pytest.fixture(autouse=True)
def _vat_rates_after_flushes(request):
    """The VAT rates billing's data migration loads. Transactional tests (threads, workers,
    live servers) empty every table when they end, migrations' rows included; put the rates
    back for each of them, as a migrated shop has them."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction")
    if not (transactional or {"transactional_db", "live_server"} & set(request.fixturenames)):
        return
    request.getfixturevalue("transactional_db")
    from billing.models import TaxRate

    if not TaxRate.objects.exists():
        rates = importlib.import_module("billing.migrations.0002_eu_vat_rates")
        rates.load_rates(django_apps, None)


@pytest.fixture
def worker_env(postgres, redis_url):
    """Environment for a child process (Celery worker, gunicorn) that shares the test database."""
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "PYTHONUNBUFFERED": "1",
    }
    return env


WORKER_ARGS = [
    "worker",
    "--loglevel",
    "INFO",
    "--concurrency",
    "1",
    "--pool",
    "prefork",
    "--without-gossip",
    "--without-mingle",
    "--without-heartbeat",
]


class WorkerProcess:
    """A real `celery worker` (or, with `args`, another celery command such as beat) process;
    start, kill -9, restart as a test needs."""

    def __init__(self, env, log_path, extra_env=None, args=WORKER_ARGS, ready=b"ready."):
        self.env = {**env, **(extra_env or {})}
        self.log_path = log_path
        self.args = args
        self.ready = ready
        self.process = None

    def start(self, timeout=90):
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - kept open while the worker runs
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *self.args],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"celery {self.args[0]} exited early:\n{self.output()}")
            if self.ready in Path(self.log_path).read_bytes():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"celery {self.args[0]} did not become ready:\n{self.output()}")

    def is_running(self):
        return self.process is not None and self.process.poll() is None

    def output(self):
        return Path(self.log_path).read_text(errors="replace")

    def kill(self, sig=signal.SIGKILL):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)
        if self.process:
            self.log.close()
        self.process = None

    def stop(self):
        self.kill(signal.SIGTERM)


@pytest.fixture
def celery_worker_process(worker_env, tmp_path):
    """Factory for real worker processes against Redis and the test database; all are stopped
    at teardown. The test must use `django_db(transaction=True)` so the worker sees its rows."""
    redis.Redis.from_url(worker_env["REDIS_URL"]).flushdb()
    workers = []

    def start(extra_env=None, **options):
        worker = WorkerProcess(
            worker_env, tmp_path / f"worker-{len(workers)}.log", extra_env, **options
        )
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.kill()


@pytest.fixture
def eager_tasks(settings):
    """Run Celery tasks in-process, as the embedded default does (Celery reads its CELERY_
    settings from Django's as they are now)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin client, logged in through the two steps like any staff member."""
    from tests.two_factor import log_in_with_second_factor

    log_in_with_second_factor(client, admin_user, password="password")
    return client


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pytest_collection_modifyitems(config, items):
    """Browser journeys need a live server on a real database; keep them last."""
    items.sort(key=lambda item: "e2e" in item.keywords)


@pytest.fixture
def stripe_fake(settings):
    """The shop in Stripe mode against a fake of Stripe on loopback (tests/payments/fake_stripe.py):
    webhook events wait in `stripe_fake.outbox` until the test delivers them."""
    import secrets as random_tokens

    from tests.payments.fake_stripe import FakeStripe

    fake = FakeStripe(
        api_key=f"sk_test_{random_tokens.token_hex(12)}",
        webhook_secret=f"whsec_{random_tokens.token_hex(16)}",
    ).start()
    settings.SHOP_PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_SECRET_KEY = fake.api_key
    settings.STRIPE_WEBHOOK_SECRET = fake.webhook_secret
    settings.STRIPE_API_BASE = fake.base_url
    settings.SHOP_UNPAID_ORDER_MINUTES = 60
    settings.SITE_URL = "http://testserver"
    # As production lets the checkout form redirect to checkout.stripe.com.
    csp = settings.SECURE_CSP
    settings.SECURE_CSP = {**csp, "form-action": [*csp["form-action"], fake.base_url]}
    yield fake
    fake.stop()
