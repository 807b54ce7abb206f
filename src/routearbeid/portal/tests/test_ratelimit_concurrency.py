"""The report page's rate limit is exact across server processes: requests of one address that
arrive at once on several connections (gunicorn's workers each have their own) are each counted
once, in one row, and exactly the limit of them is let in."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.conf import settings
from django.db import close_old_connections, connection

from routearbeid.portal import ratelimit
from routearbeid.portal.models import RateCount

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="several connections writing at once need PostgreSQL (SQLite runs one writer at a "
    "time); run with DATABASE_URL=postgres://…",
)
@pytest.mark.django_db(transaction=True)
def test_an_address_on_four_connections_at_once_is_let_in_exactly_the_limit():
    connections, per_connection = 4, 20
    start = threading.Barrier(connections)
    allowed: list[bool] = []
    errors: list[BaseException] = []

    def visit():
        try:
            close_old_connections()
            start.wait(timeout=10)
            for _ in range(per_connection):
                allowed.append(ratelimit.ip_allowed("203.0.113.7"))
        except BaseException as error:  # pragma: no cover - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=visit) for _ in range(connections)]
    # the clock stands still: all of it in one minute's window
    with time_machine.travel(dt.datetime.now(tz=dt.UTC), tick=False):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors
    assert len(allowed) == connections * per_connection
    assert allowed.count(True) == ratelimit.REQUESTS_PER_MINUTE_PER_IP
    (row,) = RateCount.objects.all()
    assert row.count == connections * per_connection
