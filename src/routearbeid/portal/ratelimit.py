"""Rate limits of the report page, counted in fixed windows in the database (RateCount).

Every server process (gunicorn's workers) counts in the same row, with one statement that adds
one and reads the new count (INSERT … ON CONFLICT DO UPDATE … RETURNING, PostgreSQL and SQLite
3.35+), so the limit is exact also when requests of one client arrive at once on several
processes. The daily run deletes the counts of windows that have passed (`counts_expire`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import time

from django.conf import settings
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
    """The window's key and the moment the window ends. The key holds a keyed hash (HMAC with
    the secret key) of the address or the token: an address cannot be found back from it by
    hashing all 2³² of them, as from a plain hash."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256
    ).hexdigest()[:32]
    number = int(time.time() // window)
    ends = dt.datetime.fromtimestamp((number + 1) * window, tz=dt.UTC)
    return f"portal:{kind}:{digest}:{number}", ends


def _hit(kind: str, value: str, window: int) -> int:
    """Count one more in this window; the count with it."""
    key, ends = _key(kind, value, window)
    with connection.cursor() as cursor:
        # stored as the ORM stores it (SQLite: text in UTC), so counts_expire compares alike
        cursor.execute(_HIT_SQL, [key, connection.ops.adapt_datetimefield_value(ends)])
        (count,) = cursor.fetchone()
    return count


def client_bucket(ip: str) -> str:
    """Whose requests count together: an IPv4 address, or an IPv6 address's /64 (one
    household or device gets a whole /64, so counting single IPv6 addresses would let a client
    take a new address for every few requests)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # ::ffff:a.b.c.d is the IPv4 address
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def ip_allowed(ip: str) -> bool:
    """Counts this request; False once the address made more than the limit this minute."""
    return _hit("ip", client_bucket(ip), 60) <= REQUESTS_PER_MINUTE_PER_IP


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
