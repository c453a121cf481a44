"""Settings for the test suite: the real settings plus safe values for what tests cannot set.

The database, cache and broker still come from the environment, so CI runs the suite against
PostgreSQL and Redis (`DATABASE_URL`, `REDIS_URL`) and a laptop without them on SQLite.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_HTTPS", "false")
os.environ.setdefault("EMAIL_URL", "consolemail://")
os.environ.setdefault("SHOP_ALLOW_TEST_PAYMENTS", "true")

from config.settings import *  # noqa: E402, F403

# Tests create many users; a fast hasher keeps them quick without changing behaviour.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
MEDIA_ROOT = BASE_DIR / "tests" / "artifacts" / "media"  # noqa: F405
