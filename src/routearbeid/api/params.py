"""Query parameters of the lists: parsed strictly, refused with a 400 problem when wrong."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

MAX_ID = 2**62


def camel(name: str) -> str:
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), name)


def _empty(name: str) -> ValidationError:
    return ValidationError({name: [_("Leave the parameter out, or give a value.")]})


def int_param(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if raw == "":
        raise _empty(name)
    # isascii: "²".isdigit() is true, but int("²") fails
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19 or int(raw) > MAX_ID:
        raise ValidationError({name: [_("Give a whole number.")]})
    return int(raw)


def date_param(request, name: str) -> dt.date | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if raw == "":
        raise _empty(name)
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({name: [_("Give a date as YYYY-MM-DD.")]}) from None


def choice_param(request, name: str, choices) -> str | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if raw not in choices:
        raise ValidationError(
            {name: [_("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)}]}
        )
    return raw


def bool_param(request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if raw not in ("true", "false"):
        raise ValidationError({name: [_("Give true or false.")]})
    return raw == "true"


def text_param(request, name: str, max_length: int = 100) -> str:
    raw = (request.query_params.get(name) or "").strip()
    if len(raw) > max_length or "\x00" in raw:
        raise ValidationError({name: [_("Give at most %(n)s characters.") % {"n": max_length}]})
    return raw


def path_pk(value) -> int:
    """A row id from the path; one no database can hold reads as "not found"."""
    from routearbeid.core.errors import NotFound

    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise NotFound("not found") from None
    if pk > 2**62:
        raise NotFound("not found")
    return pk
