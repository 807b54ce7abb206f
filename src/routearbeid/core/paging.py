"""Page numbers from the address (?page=): what a list's Paginator.get_page is given."""

from __future__ import annotations

import re
import sys

_DIGITS = re.compile(r"\+?[0-9]+")


def page_number(raw: str | None) -> int:
    """The page asked for, as a number get_page takes safely: 1 for nothing, text, 0 or a negative
    number (get_page itself turns 0 and -1 into the last page), the number itself otherwise (one
    past the last page gives the last page). A number too long for int() is past any last page."""
    text = (raw or "").strip()
    try:
        number = int(text)
    except ValueError:
        # int() refuses more than sys.get_int_max_str_digits() digits
        return sys.maxsize if _DIGITS.fullmatch(text) else 1
    return max(number, 1)
