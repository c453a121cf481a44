"""The shop's WSGI application plus one trivial plain-text view, for `make bench` only.

The trivial view goes through the same gunicorn, Django handler and middleware as every page,
so its requests/s is the framework's floor that each page is compared with. Only the benchmark
serves this module; the shop itself (`config.wsgi`) has no such route.
"""

import os

from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
settings.ROOT_URLCONF = "tests.perf.urls"

from config.wsgi import application  # noqa: E402

__all__ = ["application"]
