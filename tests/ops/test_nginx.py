"""The nginx configuration of the stack, run by Debian's nginx on loopback: TLS, static and
media files with compression and cache headers, the forwarded headers, and what stays closed.

The template is rendered as the nginx image renders it (only environment variables are
substituted); the container's host names, ports and paths are then mapped to this machine's.
"""

import gzip
import http.client
import json
import re
import shutil
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import ROOT, require
from tests.ops.conftest import free_port, wait_until

TEMPLATE = ROOT / "deploy" / "nginx" / "templates" / "default.conf.template"
DOMAIN = "localhost"


@pytest.fixture(scope="module")
def nginx():
    path = shutil.which("nginx") or "/usr/sbin/nginx"
    require(
        shutil.which(path), "nginx is not installed (Debian package nginx; .ci/run installs it)"
    )
    return path


class EchoUpstream(BaseHTTPRequestHandler):
    """Stands in for the web containers: answers with the path and headers it received."""

    def do_GET(self):
        body = json.dumps(
            {"path": self.path, "headers": dict(self.headers), "padding": "x" * 1024}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def upstream():
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), EchoUpstream)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def render(tmp, upstream_port, http_port, https_port):
    """The site config as the container would get it, moved onto this machine."""
    template = TEMPLATE.read_text()
    rendered = template.replace("${SHOP_DOMAIN}", DOMAIN)
    replacements = {
        "server web-1:8000": f"server 127.0.0.1:{upstream_port}",
        "server web-2:8000": f"server 127.0.0.1:{upstream_port}",
        "listen 80": f"listen 127.0.0.1:{http_port}",
        "listen 443": f"listen 127.0.0.1:{https_port}",
        "/etc/nginx/certs/": f"{tmp}/certs/",
        "/srv/static/": f"{tmp}/static/",
        "/srv/media/": f"{tmp}/media/",
        "/var/www/acme": f"{tmp}/acme",
        "/var/log/nginx/": f"{tmp}/",
    }
    for container, local in replacements.items():
        assert container in rendered, f"the config no longer has {container!r}"
        rendered = rendered.replace(container, local)
    return rendered


def write_config(tmp, site):
    (tmp / "certs").mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-subj", f"/CN={DOMAIN}", "-keyout", f"{tmp}/certs/privkey.pem"]
        + ["-out", f"{tmp}/certs/fullchain.pem"],
        check=True,
        capture_output=True,
    )
    (tmp / "site.conf").write_text(site)
    # What the nginx image's own nginx.conf sets around the conf.d files.
    main = f"""
        daemon off;
        user root;
        worker_processes 1;
        pid {tmp}/nginx.pid;
        error_log {tmp}/error.log notice;
        events {{ worker_connections 64; }}
        http {{
            include /etc/nginx/mime.types;
            default_type application/octet-stream;
            sendfile on;
            client_body_temp_path {tmp}/client_body;
            proxy_temp_path {tmp}/proxy;
            fastcgi_temp_path {tmp}/fastcgi;
            uwsgi_temp_path {tmp}/uwsgi;
            scgi_temp_path {tmp}/scgi;
            access_log {tmp}/access.log;
            include {tmp}/site.conf;
        }}
    """
    (tmp / "nginx.conf").write_text(main)
    return tmp / "nginx.conf"


def test_only_environment_variables_are_substituted_in_the_template():
    """The image substitutes every defined environment variable (upper case by convention);
    nginx's own variables are lower case, so none of them can be clobbered."""
    names = set(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", TEMPLATE.read_text()))
    assert {name for name in names if not name.islower()} == {"SHOP_DOMAIN"}


def test_nginx_accepts_the_configuration(nginx, upstream, tmp_path):
    config = write_config(tmp_path, render(tmp_path, upstream, free_port(), free_port()))

    result = subprocess.run(
        [nginx, "-t", "-c", str(config)], capture_output=True, text=True, timeout=30
    )

    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@pytest.fixture
def running_nginx(nginx, upstream, tmp_path, processes):
    http_port, https_port = free_port(), free_port()
    config = write_config(tmp_path, render(tmp_path, upstream, http_port, https_port))
    static = tmp_path / "static" / "css"
    static.mkdir(parents=True)
    stylesheet = "body { color: #222; }\n" * 200
    (static / "shop.0123456789ab.css").write_text(stylesheet)
    (static / "shop.0123456789ab.css.gz").write_bytes(gzip.compress(stylesheet.encode()))
    (tmp_path / "media" / "products").mkdir(parents=True)
    (tmp_path / "media" / "products" / "lamp.jpg").write_bytes(b"\xff\xd8\xff\xe0 jpeg")
    server = processes.start([nginx, "-c", str(config)], env={}, name="nginx")
    wait_until(lambda: (tmp_path / "nginx.pid").exists(), message=f"nginx\n{server.output()}")
    return http_port, https_port, tmp_path


def request(port, path, *, tls=True, host=DOMAIN, headers=None):
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
        connection = http.client.HTTPSConnection(DOMAIN, port, context=context, timeout=10)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": host, **(headers or {})})
    response = connection.getresponse()
    return response.status, response.headers, response.read()


def test_static_files_are_served_compressed_and_cached_for_a_year(running_nginx):
    _, https_port, _ = running_nginx

    status, headers, body = request(
        https_port, "/static/css/shop.0123456789ab.css", headers={"Accept-Encoding": "gzip"}
    )

    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Content-Type"] == "text/css"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert gzip.decompress(body).startswith(b"body { color: #222; }")


def test_a_static_file_nginx_lacks_is_asked_of_the_web_containers(running_nginx):
    _, https_port, _ = running_nginx
    status, _, body = request(https_port, "/static/css/shop.fedcba987654.css")
    assert status == 200
    assert json.loads(body)["path"] == "/static/css/shop.fedcba987654.css"


def test_media_files_are_served_with_cache_headers(running_nginx):
    _, https_port, _ = running_nginx
    status, headers, body = request(https_port, "/media/products/lamp.jpg")
    assert status == 200
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["Cache-Control"] == "public, max-age=2592000"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert body == b"\xff\xd8\xff\xe0 jpeg"


def test_pages_are_passed_on_with_client_address_scheme_and_request_id(running_nginx):
    _, https_port, tmp_path = running_nginx

    status, headers, body = request(
        https_port, "/products/?q=lamp", headers={"Accept-Encoding": "gzip"}
    )

    assert status == 200
    assert headers["Content-Encoding"] == "gzip"  # answers of the web containers too
    received = json.loads(gzip.decompress(body))
    assert received["path"] == "/products/?q=lamp"
    assert received["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert received["headers"]["X-Forwarded-Proto"] == "https"
    assert received["headers"]["Host"] == DOMAIN
    request_id = received["headers"]["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    # nginx writes its access log line once the answer is out
    wait_until(
        lambda: f"request_id={request_id}" in (tmp_path / "access.log").read_text(),
        message="the request id in nginx's access log",
    )


def test_a_client_cannot_forge_its_address_or_the_request_id(running_nginx):
    _, https_port, _ = running_nginx
    _, _, body = request(
        https_port, "/", headers={"X-Forwarded-For": "10.9.9.9", "X-Request-ID": "forged-id-1"}
    )
    received = json.loads(body)["headers"]
    # nginx appends the real address: the shop reads the last SHOP_TRUSTED_PROXIES entries
    assert received["X-Forwarded-For"] == "10.9.9.9, 127.0.0.1"
    assert received["X-Request-ID"] != "forged-id-1"


def test_plain_http_is_redirected_to_https(running_nginx):
    http_port, _, _ = running_nginx
    status, headers, _ = request(http_port, "/products/?page=2", tls=False)
    assert status == 301
    assert headers["Location"] == f"https://{DOMAIN}/products/?page=2"


def test_metrics_are_not_served_to_the_internet(running_nginx):
    _, https_port, _ = running_nginx
    status, _, body = request(https_port, "/metrics")
    assert status == 404
    assert b"headers" not in body  # never reached the web containers


def test_unknown_host_names_get_no_answer_and_the_health_check_one(running_nginx):
    http_port, _, _ = running_nginx
    with pytest.raises(http.client.RemoteDisconnected):
        request(http_port, "/", tls=False, host="203.0.113.7")
    status, _, body = request(http_port, "/nginx-health", tls=False, host="127.0.0.1")
    assert (status, body) == (200, b"ok\n")
