"""The trace id of the request or task being served (W3C Trace Context when a client sends one)."""

import contextvars
import re
import secrets

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("trace_id", default=None)
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")


def new_trace_id() -> str:
    return secrets.token_hex(16)


def trace_id_from_header(header: str | None) -> str:
    match = _TRACEPARENT.match((header or "").strip().lower())
    if match and match.group(1) != "0" * 32:
        return match.group(1)
    return new_trace_id()


def current_trace_id() -> str:
    value = _current.get()
    if value is None:
        value = new_trace_id()
        _current.set(value)
    return value


def set_trace_id(value: str) -> contextvars.Token:
    return _current.set(value)


def reset_trace_id(token: contextvars.Token) -> None:
    _current.reset(token)


# How many processing-log records the current API call wrote (None outside an API call): the API
# writes one record of its own for a call that touched no youth, so that every call is logged.
_written: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "records_written", default=None
)


def count_records() -> contextvars.Token:
    return _written.set([0])


def records_written() -> int:
    holder = _written.get()
    return holder[0] if holder else 0


def note_records(n: int) -> None:
    holder = _written.get()
    if holder is not None:
        holder[0] += n


def stop_counting(token: contextvars.Token) -> None:
    _written.reset(token)
