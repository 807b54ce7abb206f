"""Phone numbers as the youth or the school gives them: a Dutch or an international number."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-().]")
_DUTCH = re.compile(r"^0[1-9]\d{8}$")  # 06 12345678, 072 1234567
_INTERNATIONAL = re.compile(r"^\+[1-9]\d{7,14}$")  # E.164: +31 6 12345678, +49 …


def phone_clean(value: str) -> str:
    """A Dutch or international number without spaces; '' when empty; ValueError when wrong."""
    number = _SEPARATORS.sub("", value or "")
    if not number:
        return ""
    if number.startswith("00"):
        number = "+" + number[2:]
    if _DUTCH.match(number) or _INTERNATIONAL.match(number):
        return number
    raise ValueError(number)
