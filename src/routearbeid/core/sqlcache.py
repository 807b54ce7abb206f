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
1834?"), or for the ids of a page of rows (the worklist's 25 signals by id), is kept once for
all of them: the builder gets a stand-in for each of `args` and each call puts its own values
in their places among the parameters. The builder must use a stand-in
only as a value to compare with (`filter(pk=...)`); the SQL is checked to carry each stand-in
as a parameter, never in its text.

`objects` does the same for a query of model instances (`select_related` and annotations
included): the compiler that Django built the first time is kept beside the SQL (it knows which
column goes to which object), and each call runs the SQL with its own ids through a copy of it,
on this thread's connection. A youth's page reads about ten such lists (issue #7: their
building and compiling was a quarter of the page's time).

With the setting `ROUTEARBEID_SQLCACHE_VERIFY` (on in the test suite) every call builds and
compiles its query again and checks that it is the one kept: a key that misses something the
query is built from then fails the test that reaches it, instead of answering from another
person's query in production.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import Model, QuerySet

# Queries kept per process (least recently used dropped first): a few per person and day.
SIZE = 4096

# Stand-ins for `args` while a query is compiled: ids no row has (ids are positive). A list's
# page of rows read by their ids (`filter(pk__in=args)`) takes one per id.
MAX_ARGS = 512
STAND_INS = tuple(-7_361_902_581_447 - n for n in range(MAX_ARGS))

# ids are 64-bit integers in the database
BIGINT = 2**63

_lock = threading.Lock()
# key -> (sql, params, where each arg goes among the params), or None for a query of nothing
# (for `objects`, also the queryset and its compiler)
_compiled: OrderedDict[tuple, tuple | None] = OrderedDict()


def rows(
    key: tuple[Hashable, ...], build: Callable[..., QuerySet], args: tuple[int, ...] = ()
) -> list[tuple]:
    """The rows of `build(*args)` (a values_list queryset, whose values need no conversion from
    the database's: ids, numbers, text), its SQL compiled only the first time for `key`, with a
    stand-in for each of `args` (ints) that every call replaces with its own."""
    compiled = _kept(("rows", *key), build, args, with_compiler=False)
    if compiled is None:
        return []
    sql, params = compiled[0], _params(compiled, args)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def objects(
    key: tuple[Hashable, ...],
    build: Callable[..., QuerySet],
    args: tuple[int, ...] = (),
    attach: Mapping[str, Model] | None = None,
) -> list[Any]:
    """The model instances of `build(*args)`, as `list(build(*args))` gives them, the query
    built and compiled only the first time for `key` (stand-ins for `args` as in `rows`).

    `attach` sets an object on each instance (`{"case": case}`), as a related manager
    (`case.checks.all()`) would: the builder filters by the stand-in's id, not the object."""
    compiled = _kept(("objects", *key), build, args, with_compiler=True)
    if compiled is None:
        return []
    sql, params = compiled[0], _params(compiled, args)
    queryset, template = compiled[3], compiled[4]
    compiler = copy.copy(template)
    # this thread's connection (the kept compiler's may be another thread's)
    compiler.connection = connections[connection.alias]

    def as_sql(*_args, **_kwargs):
        return sql, params

    compiler.as_sql = as_sql
    run = queryset._chain()
    run.query.get_compiler = lambda *_args, **_kwargs: compiler
    found = list(run)
    if attach:
        for obj in found:
            for name, value in attach.items():
                setattr(obj, name, value)
    return found


def _kept(key: tuple, build: Callable[..., QuerySet], args: tuple[int, ...], with_compiler: bool):
    if len(args) > len(STAND_INS):
        raise ValueError(f"at most {len(STAND_INS)} args")
    full_key = (connection.alias, connection.vendor, len(args), *key)
    with _lock:
        found = full_key in _compiled
        compiled = _compiled.get(full_key)
        if found:
            _compiled.move_to_end(full_key)
    if found and getattr(settings, "ROUTEARBEID_SQLCACHE_VERIFY", False):
        again = _compile(build, len(args), with_compiler)
        if (again and again[:3]) != (compiled and compiled[:3]):
            raise AssertionError(
                f"sqlcache key {key!r} does not name everything its query is built from: "
                "the query built now differs from the one kept"
            )
    if not found:
        compiled = _compile(build, len(args), with_compiler)
        with _lock:
            _compiled[full_key] = compiled
            while len(_compiled) > SIZE:
                _compiled.popitem(last=False)
    return compiled


def _params(compiled: tuple, args: tuple[int, ...]) -> tuple:
    params, places = compiled[1], compiled[2]
    if not places:
        return params
    values = list(params)
    for position, arg in places:
        value = int(args[arg])
        if not -BIGINT <= value < BIGINT:
            # Django's own lookups turn such an id into "no row"; the kept SQL cannot: the
            # caller answers it as an id that is not found (as for any id it is not given)
            raise OverflowError("an id out of the database's range")
        values[position] = value
    return tuple(values)


def _compile(build: Callable[..., QuerySet], count: int, with_compiler: bool):
    stand_ins = STAND_INS[:count]
    queryset = build(*stand_ins)
    compiler = queryset.query.get_compiler(using=connection.alias)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None  # a query that can match nothing runs no SQL (as Django does)
    if not sql:
        return None
    places = tuple(
        (position, stand_ins.index(value))
        for position, value in enumerate(params)
        if type(value) is int and value in stand_ins
    )
    missing = set(range(count)) - {arg for _position, arg in places}
    if missing or any(str(value) in sql for value in stand_ins):
        # A stand-in the SQL does not carry as a parameter cannot be replaced: a builder error.
        raise ValueError("every arg must reach the SQL as a parameter of its own")
    if with_compiler:
        return sql, tuple(params), places, queryset, compiler
    return sql, tuple(params), places


def clear() -> None:
    with _lock:
        _compiled.clear()
