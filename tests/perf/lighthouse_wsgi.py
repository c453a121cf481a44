"""The shop's WSGI application with its media files served, for `make lighthouse` only."""

import os

from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
settings.ROOT_URLCONF = "tests.perf.lighthouse_urls"

from config.wsgi import application  # noqa: E402

__all__ = ["application"]
