"""How long the checkout page takes to build, in-process: N GETs of /checkout/ through Django's
test client with a cart of two lines, timed in CPU and wall-clock time. No server, no network,
so the figure is the view, its queries and its template alone.

Runs in a throwaway database of its own (`test_<name>_checkout_render` beside the configured
one, or in memory on SQLite), created and dropped by the script:

    DATABASE_URL=postgres://... python -m tests.perf.checkout_render [--requests 200]
"""

import argparse
import logging
import os
import statistics
import time

import django


def timed_gets(client, path, count):
    cpu, wall = [], []
    for _ in range(count):
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        response = client.get(path)
        wall.append(time.perf_counter() - wall_start)
        cpu.append(time.process_time() - cpu_start)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")
    return cpu, wall


def ms(seconds):
    return f"{seconds * 1000:7.2f} ms"


def report(cpu, wall):
    wall_sorted = sorted(wall)
    p99 = wall_sorted[min(len(wall_sorted) - 1, int(len(wall_sorted) * 0.99))]
    print(f"requests        {len(wall)}")
    print(f"CPU mean        {ms(statistics.fmean(cpu))}")
    print(f"wall mean       {ms(statistics.fmean(wall))}")
    print(f"wall median     {ms(statistics.median(wall))}")
    print(f"wall p99        {ms(p99)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    django.setup()
    logging.getLogger("shop.request").setLevel(logging.WARNING)  # one line per request
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from tests.factories import VariantFactory

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = f"test_{database['NAME']}_checkout_render"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        client = Client()
        for name, price in (("Merino Beanie", "25.00"), ("Trail Runner Shoe", "89.00")):
            variant = VariantFactory(product__name=name, price=price, stock=50)
            client.post("/cart/add/", {"variant": variant.pk, "quantity": 2})
        print(f"database        {connection.vendor}, {connection.settings_dict['NAME']}")
        timed_gets(client, "/checkout/", args.warmup)
        report(*timed_gets(client, "/checkout/", args.requests))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
