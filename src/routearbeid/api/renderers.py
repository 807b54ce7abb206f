"""JSON with camelCase member names (the names djangorestframework_camel_case's renderer writes,
by its own pattern); problem answers keep their own media type.

The library walks every value of the answer and converts every member name with a regular
expression each time: a list of 25 cases is 650 names and 650 leaves, each leaf tested for being
iterable by raising a TypeError (3 ms of a 21 ms list at 1,000,000 cases, issue #7). Here a
name is converted once per process (a dictionary of the names seen, bounded) and plain values
are recognised by their type; the output is the library's (tests: test_api_renderer.py)."""

from __future__ import annotations

import datetime as dt
import decimal
import re
import uuid

from django.utils.encoding import force_str
from django.utils.functional import Promise
from rest_framework.renderers import JSONRenderer

# djangorestframework_camel_case.util.camelize_re and underscore_to_camel
_CAMEL = re.compile(r"[a-z0-9]?_[a-z0-9]")


def _upper(match: re.Match) -> str:
    group = match.group()
    return group[0] + group[2].upper() if len(group) == 3 else group[1].upper()


# member names are the API's own (a few hundred) and the keys of stored JSON; bounded all the same
_NAMES: dict[str, str] = {}
_NAMES_MAX = 10_000


def camel_name(key: str) -> str:
    name = _NAMES.get(key)
    if name is None:
        name = _CAMEL.sub(_upper, key) if "_" in key else key
        if len(_NAMES) < _NAMES_MAX:
            _NAMES[key] = name
    return name


# values that are written as they are (none of them iterable but str, which stays whole)
_LEAVES = frozenset(
    {str, int, float, bool, type(None), dt.date, dt.datetime, dt.time, dt.timedelta}
    | {decimal.Decimal, uuid.UUID}
)


def camelize(data):
    """djangorestframework_camel_case.util.camelize with its default options."""
    kind = type(data)
    if kind in _LEAVES:
        return data
    if isinstance(data, dict):
        new = {}
        for key, value in data.items():
            if isinstance(key, Promise):
                key = force_str(key)
            new[camel_name(key) if isinstance(key, str) else key] = camelize(value)
        return new
    if isinstance(data, list | tuple):
        return [camelize(item) for item in data]
    if isinstance(data, Promise):
        return force_str(data)
    if isinstance(data, str):
        return data
    try:
        items = iter(data)
    except TypeError:
        return data
    return [camelize(item) for item in items]


class JsonRenderer(JSONRenderer):
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return super().render(camelize(data), accepted_media_type, renderer_context)
