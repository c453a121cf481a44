"""Assertions shared by the account tests."""

import re


def h1s(response):
    return re.findall(r"<h1[ >].*?</h1>", response.content.decode(), flags=re.S)


def title(response):
    return re.search(r"<title>(.*?)</title>", response.content.decode(), flags=re.S).group(1)


def assert_page(response, heading, status=200):
    """One h1 with `heading`, and a title naming the page."""
    assert response.status_code == status
    assert h1s(response) == [f"<h1>{heading}</h1>"]
    assert title(response).startswith(heading)
