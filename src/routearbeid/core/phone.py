"""Phone numbers as the youth or the school gives them: a Dutch or an international number."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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


# The one message for a number that is not one: the youth's report page (in their language), the
# school's record of a report, the service behind both.
WRONG_NUMBER = _(
    "This phone number is not right. Use only numbers, like 06 12345678 or +31 6 12345678."
)


def phone_field(value: str) -> str:
    """phone_clean for a form's clean_<field>: a ValidationError with WRONG_NUMBER when wrong."""
    try:
        return phone_clean(value)
    except ValueError:
        raise ValidationError(WRONG_NUMBER, code="phone") from None
