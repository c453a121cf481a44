"""Admin for orders (order managers) and the email outbox (visible failures, retry)."""

from django.contrib import admin  # noqa: F401
