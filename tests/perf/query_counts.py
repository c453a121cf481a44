"""SQL queries per page, counted in-process with Django's test client (run by bench.py in a
subprocess with the benchmark's environment, so the app carries no debug code for this).

Prints one JSON object: {page name: {"cold": n, "warm": n, "status": code}}. "cold" is the first
request after the cache is cleared (sessions then come from the database too), "warm" the next
identical request, as most visitors under load meet it.

    python -m tests.perf.query_counts '{"home": "/", "cart": "/cart/"}' PRODUCT_PATH
"""

import json
import sys

import django


def count_queries(client, path):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    cache.clear()
    for state in ("cold", "warm"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        counts[state] = len(queries)
        counts["status"] = response.status_code
    return counts


def main(pages, product_path):
    django.setup()
    from django.test import Client

    from tests.perf.htmlforms import form_with_button

    visitor = Client(HTTP_HOST="127.0.0.1")
    results = {}
    shopper = Client(HTTP_HOST="127.0.0.1")
    html = shopper.get(product_path).content.decode()
    form = form_with_button(html, "Add to cart")
    shopper.post(form.action or product_path, form.data("Add to cart", {"Quantity": "2"}))
    for name, path in pages.items():
        client = shopper if name in {"cart", "checkout"} else visitor
        results[name] = count_queries(client, path)
    print(json.dumps(results))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]), sys.argv[2])
