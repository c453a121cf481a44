"""`make bench-checkout`: many customers check out at once against the benchmark's gunicorn
(same database and settings as `make bench`); reports orders/s and checks the books balance.

Each customer is a thread with its own cookie jar that, round after round, adds a product to
the cart, opens the checkout (which carries the one-time checkout token) and places the order
with the test card, filling the form by its labels. Afterwards the database must show stock
decremented by exactly the units sold and one confirmation email row per paid order.

    python -m tests.perf.checkout_load [--customers 16] [--rounds 5] [--products 4]
"""

import argparse
import re
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from tests.perf.bench import manage, served, sql
from tests.perf.htmlforms import Customer

ORDER_NUMBER = re.compile(r"Order ([ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8})\b")
CHECKOUT_FIELDS = {
    ("Shipping address", "Full name"): "Load Tester",
    ("Shipping address", "Address line 1"): "Teststrasse 1",
    ("Shipping address", "City"): "Berlin",
    ("Shipping address", "Postal code"): "10117",
    ("Shipping address", "Country"): "DE",
    "Card number": "4242 4242 4242 4242",
    "Expiry (MM/YY)": "12/39",
    "CVC": "123",
}


def pick_products(count):
    """Active single-variant products, so "Add to cart" buys a known SKU."""
    return sql(
        """SELECT p.slug, min(v.sku) FROM catalog_product p
           JOIN catalog_variant v ON v.product_id = p.id AND v.is_active
           WHERE p.is_active
           GROUP BY p.id HAVING count(v.id) = 1
           ORDER BY p.id LIMIT %s""",
        [count],
    )


def stock_of(skus):
    return dict(sql("SELECT sku, stock FROM catalog_variant WHERE sku = ANY(%s)", [skus]))


def buy(base, product_slug, quantity, email):
    """One customer's visit; returns the order number shown on the thank-you page."""
    customer = Customer(base)
    customer.get(f"/products/{product_slug}/")
    customer.submit("Add to cart", {"Quantity": str(quantity)})
    customer.get("/checkout/")
    html = customer.submit("Place order", {"Email": email, **CHECKOUT_FIELDS})
    match = ORDER_NUMBER.search(html)
    if "Thank you" not in html or not match:
        raise RuntimeError(f"no thank-you page after Place order (at {customer.url})")
    return match.group(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5, help="orders per customer")
    parser.add_argument("--products", type=int, default=4, help="distinct products bought")
    args = parser.parse_args()

    with served() as (server, env, _):
        products = pick_products(args.products)
        skus = [sku for _, sku in products]
        start_stock = args.customers * args.rounds * 3
        for sku in skus:
            manage(env, "set_stock", sku, str(start_stock))
        stock_before = stock_of(skus)
        (started_at,) = sql("SELECT now()")[0]

        errors = []
        lock = threading.Lock()

        def customer(index):
            numbers = []
            for round_ in range(args.rounds):
                slug, _ = products[(index + round_) % len(products)]
                email = f"load-{index}-{round_}@example.com"
                try:
                    numbers.append(buy(server.base, slug, 1 + (index + round_) % 3, email))
                except Exception as error:  # noqa: BLE001 - counted and reported below
                    with lock:
                        errors.append(f"customer {index} round {round_}: {error!r}")
            return numbers

        print(f"{args.customers} customers x {args.rounds} orders against {server.base} ...")
        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=args.customers) as pool:
            placed = [n for numbers in pool.map(customer, range(args.customers)) for n in numbers]
        elapsed = time.monotonic() - began

    stock_after = stock_of(skus)
    sold = Counter(
        dict(
            sql(
                """SELECT l.sku, sum(l.quantity) FROM orders_orderline l
                   JOIN orders_order o ON o.id = l.order_id
                   WHERE o.created_at >= %s AND o.status = 'paid' GROUP BY l.sku""",
                [started_at],
            )
        )
    )
    paid, confirmations = sql(
        """SELECT count(*), count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM orders_orderemail e
               WHERE e.order_id = o.id AND e.kind = 'confirmation'))
           FROM orders_order o WHERE o.created_at >= %s AND o.status = 'paid'""",
        [started_at],
    )[0]
    (emails,) = sql(
        """SELECT count(*) FROM orders_orderemail e JOIN orders_order o ON o.id = e.order_id
           WHERE o.created_at >= %s AND e.kind = 'confirmation'""",
        [started_at],
    )[0]

    problems = list(errors)
    for sku in skus:
        before, after, units = stock_before[sku], stock_after[sku], sold.get(sku, 0)
        if before - after != units:
            problems.append(f"{sku}: stock {before} -> {after} but {units} units sold")
    if paid != len(placed) or len(set(placed)) != len(placed):
        problems.append(f"{len(placed)} thank-you pages but {paid} paid orders in the database")
    if confirmations != paid or emails != paid:
        problems.append(f"{paid} paid orders but {emails} confirmation email rows")

    print(f"orders placed: {len(placed)} in {elapsed:.1f} s = {len(placed) / elapsed:.1f} orders/s")
    print(f"units sold per SKU: {dict(sold)}; paid orders {paid}; confirmation emails {emails}")
    print("books balance" if not problems else "BOOKS DO NOT BALANCE:\n  " + "\n  ".join(problems))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
