"""Production serving: gunicorn with debug off, whitenoise serving hashed, compressed static."""

import re
import secrets
import subprocess
import sys
import time
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
            fetch(base + "/healthz")
            break
        except OSError:
            time.sleep(0.2)
    yield base
    server.terminate()
    server.wait(timeout=10)


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
