"""HTML is compressed for clients that accept it, with Django's BREACH padding, and the
CSRF token in a compressed page still differs on every response."""

import gzip
import re

import pytest

pytestmark = pytest.mark.django_db

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_pages_are_gzipped_when_the_client_accepts_it(client):
    plain = client.get("/accounts/login/")
    packed = client.get("/accounts/login/", headers={"accept-encoding": "gzip, deflate, br"})

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content) / 2
    assert b"<h1>Log in</h1>" in gzip.decompress(packed.content)


def test_compressed_pages_carry_a_fresh_csrf_token_each_time(client):
    # BREACH guesses a secret from compressed sizes across many responses: Django masks the
    # CSRF token differently in each response and pads the gzip output at random.
    headers = {"accept-encoding": "gzip"}
    bodies = [gzip.decompress(client.get("/accounts/login/", headers=headers).content)]
    bodies.append(gzip.decompress(client.get("/accounts/login/", headers=headers).content))

    tokens = [CSRF.search(body).group(1) for body in bodies]
    assert tokens[0] != tokens[1]
