"""`make lighthouse`: audit home, a listing, a product and the checkout with Lighthouse (npm,
pinned) driving Debian's Chromium, mobile preset, against the shop served as in production
(gunicorn, debug off, compressed static files) with the demo catalog. Prints the four scores
per page and fails if any is below the goal.

    python -m tests.perf.lighthouse [--keep]

Not part of `make test`: it needs npm to fetch Lighthouse once and takes a few minutes.
"""

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.perf.bench import free_port
from tests.perf.htmlforms import Customer

ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE = "lighthouse@12.2.3"  # Lighthouse 13 needs Node 22
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
GOAL = 95


def shop_env(folder: Path, port: int) -> dict:
    return {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_READ_DOT_ENV": "false",
        "DJANGO_DEBUG": "false",
        "SECURE_HTTPS": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SHOP_ALLOW_TEST_PAYMENTS": "true",
        "PYTHONUNBUFFERED": "1",
    }


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def wait_until_up(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the shop did not start at {url}")


def audit(url, report: Path, cookie: str = "") -> dict:
    command = [
        "npx", "--yes", LIGHTHOUSE, url,
        "--quiet", "--output=json", f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]  # fmt: skip
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=300)
    result = json.loads(report.read_text())
    scores = {name: round(result["categories"][name]["score"] * 100) for name in CATEGORIES}
    failing = [
        f"{audit['id']} ({audit.get('displayValue') or audit['score']})"
        for audit in result["audits"].values()
        if audit.get("score") is not None and audit["score"] < 0.9
        and audit.get("scoreDisplayMode") in {"binary", "numeric", "metricSavings"}
    ]  # fmt: skip
    return {"scores": scores, "failing": failing}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the reports and database")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="shop-lighthouse-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = shop_env(folder, port)
    print(f"Preparing the shop in {folder} (migrate, seed_demo, collectstatic) ...")
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tests.perf.lighthouse_wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until_up(base + "/")
        shopper = Customer(base)
        shopper.get("/products/")
        product = next(
            link for link in _product_links(shopper.html) if "Add to cart" in shopper.get(link)
        )
        shopper.submit("Add to cart", {"Quantity": "1"})
        pages = {
            "home": (base + "/", ""),
            "listing": (base + "/products/", ""),
            "product": (base + product, ""),
            "checkout": (base + "/checkout/", shopper.cookie_header()),
        }
        results = {}
        for name, (url, cookie) in pages.items():
            print(f"Auditing {name}: {url}")
            results[name] = audit(url, folder / f"{name}.json", cookie)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print()
    print(f"| page | {' | '.join(CATEGORIES)} |")
    print(f"|---|{'---|' * len(CATEGORIES)}")
    below = []
    for name, result in results.items():
        scores = result["scores"]
        print(f"| {name} | {' | '.join(str(scores[c]) for c in CATEGORIES)} |")
        below += [f"{name} {c} {scores[c]}" for c in CATEGORIES if scores[c] < GOAL]
    for name, result in results.items():
        if result["failing"]:
            print(f"{name}: audits below 0.9: {', '.join(result['failing'])}")
    if args.keep:
        print(f"Reports and database kept in {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    if below:
        raise SystemExit(f"Below {GOAL}: {', '.join(below)}")


def _product_links(html):
    import re

    return list(dict.fromkeys(re.findall(r'href="(/products/[a-z0-9-]+/)"', html)))


if __name__ == "__main__":
    main()
