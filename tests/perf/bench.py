"""`make bench`: seed a large catalog into PostgreSQL, serve it with gunicorn as in production,
load each kind of page with wrk on loopback and print a table against the budgets.

    python -m tests.perf.bench [--reseed] [--seconds 10]

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/shop_bench),
BENCH_REDIS_URL (default redis://127.0.0.1:6379/6), BENCH_PRODUCTS (default 100000).
The table is also written to bench-results/bench-<timestamp>.md so runs can be compared.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import redis

from tests.perf.htmlforms import Customer

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench-results"
LUA_REPORT = Path(__file__).with_name("wrk_report.lua")
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "100000"))
WORKERS = 2
FLOOR_PATH = "bench/floor"  # the trivial view of tests/perf/urls.py
CONNECTIONS = 8

# The budgets this shop promises (reported, never asserted in unit tests).
FLOOR_FRACTION_BUDGET = 0.5  # catalog pages, anonymous visitors
P99_BUDGET_MS = 100
CATALOG_QUERY_BUDGET = 8
CART_QUERY_BUDGET = 12
RSS_BUDGET_MB = 150
SEED_BUDGET_S = 180
CATALOG_PAGES = {"home", "products", "category", "product", "search"}


def bench_env(static_root: Path) -> dict:
    """Production settings over plain http on loopback, with a throwaway secret key."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_READ_DOT_ENV": "false",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_HTTPS": "false",
        "SHOP_ALLOW_TEST_PAYMENTS": "true",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "STATIC_ROOT": str(static_root),
        "PYTHONUNBUFFERED": "1",
    }


def manage(env, *args, timeout=600, quiet=True):
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=timeout,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def _maintenance_url():
    parts = urllib.parse.urlsplit(DATABASE_URL)
    return urllib.parse.urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def ensure_database(*, recreate: bool):
    url, name = _maintenance_url()
    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and recreate:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def sql(query, params=()):
    with psycopg.connect(DATABASE_URL) as conn:
        return conn.execute(query, params).fetchall()


def product_count():
    return sql("SELECT count(*) FROM catalog_product")[0][0]


def seed(env) -> float | None:
    """Seed the catalog unless it is already there; the seconds it took, or None if skipped."""
    if product_count() >= PRODUCTS:
        return None
    print(f"Seeding {PRODUCTS:,} products (manage.py seed_demo --products {PRODUCTS}) ...")
    started = time.monotonic()
    manage(env, "seed_demo", "--products", str(PRODUCTS), timeout=1800, quiet=False)
    return time.monotonic() - started


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch_status(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class Gunicorn:
    """gunicorn serving tests.perf.wsgi (the shop plus the floor view) on a loopback port."""

    def __init__(self, env, log_path):
        self.env = env
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process = None

    def __enter__(self):
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - open while the server runs
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "tests.perf.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(WORKERS),
                "--access-logfile",
                "-",
                "--log-file",
                "-",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            if self.worker_pids() and fetch_status_or_none(f"{self.base}/{FLOOR_PATH}") == 200:
                return self
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within 60 s; see {self.log_path}")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()

    def worker_pids(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def worker_rss_mb(self):
        sizes = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            kilobytes = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))
            sizes.append(kilobytes / 1024)
        return sizes


def fetch_status_or_none(url):
    try:
        return fetch_status(url)
    except OSError:
        return None


def wrk(url, seconds, cookie=None):
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "5s"]
    command += ["-s", str(LUA_REPORT), "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    report = json.loads(output.split("WRK_JSON ", 1)[1].splitlines()[0])
    report["rps"] = report["requests"] / (report["duration_us"] / 1e6)
    return report


def pick_pages():
    """A busy category, a product with several variants in stock, and a search from its name."""
    category = sql(
        """SELECT c.slug FROM catalog_category c
           JOIN catalog_product_categories pc ON pc.category_id = c.id
           GROUP BY c.id ORDER BY count(*) DESC, c.id LIMIT 1"""
    )[0][0]
    slug, name = sql(
        """SELECT p.slug, p.name FROM catalog_product p
           WHERE p.is_active AND (SELECT count(*) FROM catalog_variant v
                                  WHERE v.product_id = p.id AND v.is_active AND v.stock > 5) > 1
           ORDER BY p.id OFFSET %s LIMIT 1""",
        [PRODUCTS // 2],
    )[0]
    words = re.findall(r"[A-Za-z]{4,}", name) or [name]
    return {
        "home": "/",
        "products": "/products/",
        "category": f"/categories/{category}/",
        "product": f"/products/{slug}/",
        "search": "/products/?" + urllib.parse.urlencode({"q": words[-1].lower()}),
        "cart": "/cart/",
        "checkout": "/checkout/",
    }


def query_counts(env, pages):
    output = subprocess.run(
        [sys.executable, "-m", "tests.perf.query_counts", json.dumps(pages), pages["product"]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def shopper_cookie(base, product_path):
    """A visitor with two units of one product in the cart, for loading /cart/ and /checkout/."""
    customer = Customer(base)
    customer.get(product_path)
    customer.submit("Add to cart", {"Quantity": "2"})
    return customer.cookie_header()


def verdict(ok):
    return "ok" if ok else "**MISSED**"


def load_average():
    """The 1-minute load average: other work on the machine skews every figure."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def render(rows, floor, rss, seed_seconds, products, pages, load_before):
    lines = [
        f"# Benchmark {datetime.now(UTC):%Y-%m-%d %H:%M UTC}",
        "",
        f"- commit `{git_commit()}`, {os.cpu_count()} CPUs, {products:,} products, "
        f"gunicorn {WORKERS} sync workers, wrk {CONNECTIONS} connections",
        f"- 1-minute load average before the load: {load_before:.2f}"
        + (" (**the machine was busy: figures are pessimistic**)" if load_before > 1 else ""),
        f"- floor (trivial view through the same stack): {floor['rps']:.0f} req/s, "
        f"p50 {floor['p50_us'] / 1000:.1f} ms, p99 {floor['p99_us'] / 1000:.1f} ms",
        "",
        "| page | path | req/s | p50 ms | p99 ms | SQL cold/warm | of floor | errors | budgets |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    missed = []
    for name, row in rows.items():
        fraction = row["rps"] / floor["rps"]
        query_budget = CATALOG_QUERY_BUDGET if name in CATALOG_PAGES else CART_QUERY_BUDGET
        checks = {
            f"p99<{P99_BUDGET_MS}ms": row["p99_us"] / 1000 < P99_BUDGET_MS,
            f"SQL<={query_budget}": row["sql"]["cold"] <= query_budget,
            "status 200": row["status"] == 200 and row["sql"]["status"] == 200,
            "no errors": row["status_errors"] + row["socket_errors"] == 0,
        }
        if name in CATALOG_PAGES:
            checks[f">={FLOOR_FRACTION_BUDGET:.0%} floor"] = fraction >= FLOOR_FRACTION_BUDGET
        failed = [check for check, ok in checks.items() if not ok]
        missed += [f"{name}: {check}" for check in failed]
        lines.append(
            f"| {name} | `{pages[name]}` | {row['rps']:.0f} | {row['p50_us'] / 1000:.1f} "
            f"| {row['p99_us'] / 1000:.1f} | {row['sql']['cold']}/{row['sql']['warm']} "
            f"| {fraction:.0%} | {row['status_errors'] + row['socket_errors']} "
            f"| {'ok' if not failed else 'MISSED: ' + ', '.join(failed)} |"
        )
    rss_ok = max(rss) < RSS_BUDGET_MB
    lines += [
        "",
        f"- gunicorn worker RSS after load: {', '.join(f'{mb:.0f} MB' for mb in rss)} "
        f"(budget < {RSS_BUDGET_MB} MB: {verdict(rss_ok)})",
    ]
    if not rss_ok:
        missed.append("worker memory")
    if seed_seconds is None:
        lines.append(
            "- seed: skipped, already seeded (`make bench BENCH_ARGS=--reseed` to time it)"
        )
    else:
        seed_ok = seed_seconds < SEED_BUDGET_S
        lines.append(
            f"- seed_demo --products {PRODUCTS}: {seed_seconds:.0f} s "
            f"(budget < {SEED_BUDGET_S} s: {verdict(seed_ok)})"
        )
        if not seed_ok:
            missed.append("seed time")
    lines += ["", "Budgets missed: " + ("; ".join(missed) if missed else "none")]
    return "\n".join(lines) + "\n"


def git_commit():
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return result.stdout.strip() or "unknown"


@contextmanager
def served(*, reseed=False):
    """Prepare the benchmark database and yield a running gunicorn plus facts about the setup."""
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian package `wrk`)")
    RESULTS.mkdir(exist_ok=True)
    env = bench_env(RESULTS / "staticfiles")
    ensure_database(recreate=reseed)
    print(f"Migrating {DATABASE_URL} ...")
    manage(env, "migrate", "--noinput")
    seed_seconds = seed(env)
    manage(env, "collectstatic", "--noinput", "-v0")
    redis.Redis.from_url(REDIS_URL).flushdb()
    with Gunicorn(env, RESULTS / "gunicorn.log") as server:
        yield server, env, seed_seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reseed", action="store_true", help="drop and re-seed the database")
    parser.add_argument("--seconds", type=int, default=10, help="load per page (default 10)")
    args = parser.parse_args()

    with served(reseed=args.reseed) as (server, env, seed_seconds):
        pages = pick_pages()
        counts = query_counts(env, pages)
        cookie = shopper_cookie(server.base, pages["product"])
        floor_url = f"{server.base}/{FLOOR_PATH}"
        load_before = load_average()
        print(f"Loading each page for {args.seconds} s at {CONNECTIONS} connections ...")
        wrk(floor_url, 2)
        floor = wrk(floor_url, args.seconds)
        rows = {}
        for name, path in pages.items():
            url = server.base + path
            page_cookie = cookie if name in {"cart", "checkout"} else None
            headers = {"Cookie": page_cookie} if page_cookie else None
            status = fetch_status(url, headers)
            wrk(url, 2, page_cookie)  # warm caches in both workers
            rows[name] = {
                **wrk(url, args.seconds, page_cookie),
                "status": status,
                "sql": counts[name],
            }
            print(f"  {name}: {rows[name]['rps']:.0f} req/s")
        rss = server.worker_rss_mb()
        products = product_count()

    table = render(rows, floor, rss, seed_seconds, products, pages, load_before)
    out = RESULTS / f"bench-{datetime.now(UTC):%Y%m%d-%H%M%S}.md"
    out.write_text(table)
    print()
    print(table)
    print(f"Written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
