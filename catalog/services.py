"""Write paths for the catalog: every change to products, variants, stock and prices goes
through here, so search vectors, `min_price` and the catalog cache stay consistent."""

import logging
import uuid

from django.core.cache import cache

logger = logging.getLogger(__name__)

# Every catalog cache key includes the value stored under this key; replacing the value makes
# all cached catalog entries unreachable at once (they then expire on their own).
CATALOG_CACHE_VERSION_KEY = "catalog:version"


def invalidate_catalog_cache() -> None:
    """Make every cached catalog page fragment, tree and listing stale.

    Safe to call any number of times and from `transaction.on_commit`. A cache outage is
    logged rather than raised: the write it follows has already been committed.
    """
    try:
        cache.set(CATALOG_CACHE_VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.exception("Could not invalidate the catalog cache")
