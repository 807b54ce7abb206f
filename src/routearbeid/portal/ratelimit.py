"""Rate limits of the report page, counted in fixed windows in the database (RateCount).

Every server process (gunicorn's workers) counts in the same row, with one statement that adds
one and reads the new count (INSERT … ON CONFLICT DO UPDATE … RETURNING, PostgreSQL and SQLite
3.35+), so the limit is exact also when requests of one client arrive at once on several
processes. The daily run deletes the counts of windows that have passed (`counts_expire`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time

from django.db import connection
from django.utils import timezone

from .models import RateCount

REQUESTS_PER_MINUTE_PER_IP = 30
REPORTS_PER_HOUR_PER_TOKEN = 5

_TABLE = RateCount._meta.db_table
_HIT_SQL = f"""
INSERT INTO "{_TABLE}" ("key", "count", "expires_at") VALUES (%s, 1, %s)
ON CONFLICT ("key") DO UPDATE SET "count" = "{_TABLE}"."count" + 1
RETURNING "count"
"""


def _key(kind: str, value: str, window: int) -> tuple[str, dt.datetime]:
    """The window's key (no address or token in it) and the moment the window ends."""
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    number = int(time.time() // window)
    ends = dt.datetime.fromtimestamp((number + 1) * window, tz=dt.UTC)
    return f"portal:{kind}:{digest}:{number}", ends


def _hit(kind: str, value: str, window: int) -> int:
    """Count one more in this window; the count with it."""
    key, ends = _key(kind, value, window)
    with connection.cursor() as cursor:
        cursor.execute(_HIT_SQL, [key, ends])
        (count,) = cursor.fetchone()
    return count


def ip_allowed(ip: str) -> bool:
    """Counts this request; False once the address made more than the limit this minute."""
    return _hit("ip", ip, 60) <= REQUESTS_PER_MINUTE_PER_IP


def reports_left(token: str) -> bool:
    key, _ends = _key("report", token, 3600)
    count = RateCount.objects.filter(key=key).values_list("count", flat=True).first()
    return (count or 0) < REPORTS_PER_HOUR_PER_TOKEN


def report_counted(token: str) -> None:
    _hit("report", token, 3600)


def counts_expire(now: dt.datetime | None = None) -> int:
    """Delete the counts of windows that have ended; the number deleted."""
    deleted, _ = RateCount.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
