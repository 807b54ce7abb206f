"""A list's size kept for a minute (KeptCount), shared by every server process.

Counting a partner's cases tests tens of thousands of links (11-16 ms of its 27-31 at 1,000,000
cases, issue #7), and a program paging through the list asked for that count on every page. A
count made less than KEPT_SECONDS ago, today, is used again instead; anything else counts anew
and keeps the new number. The caller decides when a kept count cannot be right (it knows a
lower bound from the ids it read) and passes it as `at_least`: a smaller kept count is counted
again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Hashable

from django.utils import timezone

from routearbeid.core.dates import today

from .models import KeptCount

KEPT_SECONDS = 60


def _key(parts: tuple[Hashable, ...]) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def kept_count(parts: tuple[Hashable, ...], count: Callable[[], int], *, at_least: int = 0) -> int:
    """The number kept under `parts` (the list and whose it is) if counted less than
    KEPT_SECONDS ago today and at least `at_least`; else `count()`, kept from now on (at least
    `at_least`: what was just read cannot be fewer)."""
    key = _key(parts)
    now = timezone.now()
    kept = KeptCount.objects.filter(key=key).values_list("value", "counted_at").first()
    if kept is not None:
        value, counted_at = kept
        fresh = dt.timedelta(0) <= now - counted_at < dt.timedelta(seconds=KEPT_SECONDS)
        if fresh and timezone.localdate(counted_at) == today() and value >= at_least:
            return value
    value = max(count(), at_least)
    KeptCount.objects.bulk_create(
        [KeptCount(key=key, value=value, counted_at=now)],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["value", "counted_at"],
    )
    return value


def counts_expire() -> int:
    """The daily job: counts made before today are deleted."""
    start = timezone.make_aware(dt.datetime.combine(today(), dt.time.min))
    deleted, _ = KeptCount.objects.filter(counted_at__lt=start).delete()
    return deleted
