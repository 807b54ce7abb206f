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

A query that is the same but for one or two ids (a youth's page: "may this person see youth
1834?") is kept once for all of them: the builder gets a stand-in for each of `args` and each
call puts its own values in their places among the parameters. The builder must use a stand-in
only as a value to compare with (`filter(pk=...)`); the SQL is checked to carry each stand-in
as a parameter, never in its text.
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

# Stand-ins for `args` while a query is compiled: ids no row has (ids are positive).
STAND_INS = (-7_361_902_581_447, -7_361_902_581_448, -7_361_902_581_449)

_lock = threading.Lock()
# key -> (sql, params, where each arg goes among the params), or None for a query of nothing
_compiled: OrderedDict[tuple, tuple[str, tuple, tuple[tuple[int, int], ...]] | None] = OrderedDict()


def rows(
    key: tuple[Hashable, ...], build: Callable[..., QuerySet], args: tuple[int, ...] = ()
) -> list[tuple]:
    """The rows of `build(*args)` (a values_list queryset, whose values need no conversion from
    the database's: ids, numbers, text), its SQL compiled only the first time for `key`, with a
    stand-in for each of `args` (ints) that every call replaces with its own."""
    if len(args) > len(STAND_INS):
        raise ValueError(f"at most {len(STAND_INS)} args")
    full_key = (connection.alias, connection.vendor, len(args), *key)
    with _lock:
        found = full_key in _compiled
        compiled = _compiled.get(full_key)
        if found:
            _compiled.move_to_end(full_key)
    if not found:
        compiled = _compile(build, len(args))
        with _lock:
            _compiled[full_key] = compiled
            while len(_compiled) > SIZE:
                _compiled.popitem(last=False)
    if compiled is None:
        return []
    sql, params, places = compiled
    if places:
        values = list(params)
        for position, arg in places:
            values[position] = int(args[arg])
        params = tuple(values)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _compile(build: Callable[..., QuerySet], count: int):
    stand_ins = STAND_INS[:count]
    try:
        sql, params = build(*stand_ins).query.sql_with_params()
    except EmptyResultSet:
        return None  # a query that can match nothing runs no SQL (as Django does)
    places = tuple(
        (position, stand_ins.index(value))
        for position, value in enumerate(params)
        if type(value) is int and value in stand_ins
    )
    missing = set(range(count)) - {arg for _position, arg in places}
    if missing or any(str(value) in sql for value in stand_ins):
        # A stand-in the SQL does not carry as a parameter cannot be replaced: a builder error.
        raise ValueError("every arg must reach the SQL as a parameter of its own")
    return sql, tuple(params), places


def clear() -> None:
    with _lock:
        _compiled.clear()
