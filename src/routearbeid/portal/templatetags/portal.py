"""Filters of the report page: names and dates isolated from the text around them, so that a
Dutch name or a date stays whole and in order inside Arabic or Dari (right-to-left) sentences."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def bdi(value) -> SafeString:
    return format_html("<bdi>{}</bdi>", value)


@register.filter
def day(value: dt.date | dt.datetime | None) -> SafeString:
    """dd-mm-jjjj (digits read the same in every language here), never broken over two lines."""
    if value is None:
        return format_html("{}", "–")
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return format_html('<bdi class="portal-date">{}</bdi>', value.strftime("%d-%m-%Y"))
