"""Rate limits of the report page, counted in Django's cache (fixed windows).

With the default local-memory cache every server process counts on its own: with N processes a
client gets up to N times the limit. Production with several processes sets a shared cache
(CACHES, e.g. Redis or the database cache) to make the limits exact.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache

REQUESTS_PER_MINUTE_PER_IP = 30
REPORTS_PER_HOUR_PER_TOKEN = 5


def _key(kind: str, value: str, window: int) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]  # no address or token in the cache
    return f"portal:{kind}:{digest}:{int(time.time() // window)}"


def _hit(key: str, window: int) -> int:
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def ip_allowed(ip: str) -> bool:
    """Counts this request; False once the address made more than the limit this minute."""
    return _hit(_key("ip", ip, 60), 60) <= REQUESTS_PER_MINUTE_PER_IP


def reports_left(token: str) -> bool:
    value = cache.get(_key("report", token, 3600))
    return (value or 0) < REPORTS_PER_HOUR_PER_TOKEN


def report_counted(token: str) -> None:
    _hit(_key("report", token, 3600), 3600)
