"""Compiled SQL kept per process, for queries built the same way on every request.

The worklist's queries carry the acting user's access rules: an EXISTS per reason the user
sees a case, each with its own organisations and region. Django builds and compiles such a
query anew on every request, 2-2.5 ms each at 1,000,000 cases (issue #7: three of them on every
worklist), although for one person on one day the SQL and its parameters are always the same.
`rows` keeps the compiled SQL of a query under a key that names everything the query is built
from (the person and their seats, the day, the limit) and runs it again from there.

Only SQL text and its parameters are kept, never a result: each call reads the database. The
key must change whenever anything the builder reads changes; builders must not read the
database themselves (a value read while building would be kept with the SQL).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

# Queries kept per process (least recently used dropped first): a few per person and day.
SIZE = 4096

_lock = threading.Lock()
_compiled: OrderedDict[tuple, tuple[str, tuple] | None] = OrderedDict()


def rows(key: tuple[Hashable, ...], build: Callable[[], QuerySet]) -> list[tuple]:
    """The rows of `build()` (a values_list queryset, whose values need no conversion from the
    database's: ids, numbers, text), its SQL compiled only the first time for `key`."""
    full_key = (connection.alias, connection.vendor, *key)
    with _lock:
        found = full_key in _compiled
        compiled = _compiled.get(full_key)
        if found:
            _compiled.move_to_end(full_key)
    if not found:
        try:
            sql, params = build().query.sql_with_params()
            compiled = (sql, tuple(params))
        except EmptyResultSet:
            compiled = None  # a query that can match nothing runs no SQL (as Django does)
        with _lock:
            _compiled[full_key] = compiled
            while len(_compiled) > SIZE:
                _compiled.popitem(last=False)
    if compiled is None:
        return []
    sql, params = compiled
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def clear() -> None:
    with _lock:
        _compiled.clear()
