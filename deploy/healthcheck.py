"""The web container's health check (compose.yaml): is the local gunicorn answering /healthz?

Exits 0 when /healthz answers 200 (database, cache and broker reachable), 1 otherwise. Uses the
standard library only: it runs every few seconds and must stay cheap.
"""

import os
import sys
import urllib.error
import urllib.request


def main():
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz", headers={"Host": "localhost"}
    )
    try:
        with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 - fixed http URL
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
