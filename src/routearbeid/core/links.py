"""Addresses of pages about one object, without resolving the route for every row.

`reverse()` walks the URL configuration on every call: 18-25 µs here, and a list builds one or
more addresses per row (an outflow meeting of 20 youth: 60 of them, the worklist 25; issue #7).
`id_url` reverses a route once per URL configuration and script prefix with stand-in ids, and
puts each call's own ids in their places. The result is what `reverse(name, args=ids)` gives
(tests: core/tests/test_links.py)."""

from __future__ import annotations

import functools

from django.urls import get_script_prefix, get_urlconf, reverse

# Stand-in ids: larger than any id, each its own run of digits in the address.
STAND_INS = (9_876_543_210_123, 9_876_543_210_456, 9_876_543_210_789)


@functools.lru_cache(maxsize=256)
def _parts(name: str, count: int, prefix: str, urlconf) -> tuple[str | int, ...]:
    """The address of `name` for `count` ids, as its text between the ids and the ids' places.
    `prefix` is in the key only: reverse() itself puts the current script prefix in front."""
    address = reverse(name, args=STAND_INS[:count], urlconf=urlconf)
    parts: list[str | int] = []
    for place, stand_in in enumerate(STAND_INS[:count]):
        before, found, address = address.partition(str(stand_in))
        if not found:
            raise ValueError(f"{name}: an id does not appear in its address")
        parts += [before, place]
    parts.append(address)
    return tuple(parts)


def id_url(name: str, *ids) -> str:
    """reverse(name, args=ids) for a route whose arguments are ids (whole numbers)."""
    if not 1 <= len(ids) <= len(STAND_INS):
        return reverse(name, args=ids)
    values = [str(int(value)) for value in ids]
    return "".join(
        part if isinstance(part, str) else values[part]
        for part in _parts(name, len(ids), get_script_prefix(), get_urlconf())
    )
