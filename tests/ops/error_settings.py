"""Test settings for the error-tracking test: the shop plus a page that fails."""

from config.settings_test import *  # noqa: F403

ROOT_URLCONF = "tests.ops.error_urls"
