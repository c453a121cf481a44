"""Production serving: gunicorn with debug off, whitenoise serving hashed, compressed static."""

import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import ROOT, free_port


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


@pytest.fixture
def gunicorn_server(worker_env, tmp_path):
    env = {
        **worker_env,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_READ_DOT_ENV": "false",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_HTTPS": "false",
        "SHOP_ALLOW_TEST_PAYMENTS": "true",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    server, base = start_gunicorn(env)
    yield base
    server.terminate()
    server.wait(timeout=10)


def start_gunicorn(env):
    """gunicorn serving the shop on a free port, once it answers (whatever the status); the
    first request also loads the views. Returns the process and the base URL."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            fetch_any(base + "/healthz")
            break
        except OSError:
            time.sleep(0.2)
    return server, base


@pytest.mark.django_db(transaction=True)
def test_gunicorn_serves_pages_and_hashed_compressed_static(gunicorn_server):
    status, _, body = fetch(gunicorn_server + "/")
    assert status == 200
    stylesheet = re.search(r'href="(/static/css/shop\.[0-9a-f]{12}\.css)"', body.decode())
    assert stylesheet, "the page links the hashed stylesheet"

    status, headers, _ = fetch(
        gunicorn_server + stylesheet.group(1), {"Accept-Encoding": "br, gzip"}
    )
    assert status == 200
    assert headers["Content-Encoding"] in {"br", "gzip"}
    assert "max-age=31536000" in headers["Cache-Control"]


def fetch_any(url):
    """(status, headers, body) whatever the status."""
    try:
        return fetch(url)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_with_the_database_and_redis_gone_gunicorn_answers_a_styled_503_at_once(silent_server):
    # given the shop served with its database host dropping packets and Redis stopped
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DJANGO_READ_DOT_ENV": "false",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{silent_server.port}/shop",
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
    }
    env.pop("CELERY_BROKER_URL", None)
    server, base = start_gunicorn(env)
    try:
        # then /healthz says what is down, within a second
        started = time.monotonic()
        status, _, body = fetch_any(base + "/healthz")
        healthz_seconds = time.monotonic() - started
        assert status == 503
        assert json.loads(body) == {
            "status": "degraded",
            "database": "down",
            "cache": "down",
            "broker": "down",
        }
        assert healthz_seconds < 1.5

        # and pages are a styled 503 with Retry-After: the first waits libpq's connect
        # timeout, the next ones do not wait for the database again
        fetch_any(base + "/products/")
        for path in ["/", "/products/teapot/", "/products/?q=tea"]:
            started = time.monotonic()
            status, headers, body = fetch_any(base + path)
            assert time.monotonic() - started < 1
            assert status == 503
            assert headers["Retry-After"] == "30"
            assert b"<h1>Back in a moment</h1>" in body
            assert b"/static/css/shop" in body
    finally:
        server.terminate()
        server.wait(timeout=10)
