"""Template helpers: labels of stored choices, Dutch dates."""

import datetime as dt

from django import template

from routearbeid.route.constants import Situation, Stage

register = template.Library()


@register.filter
def stage_label(value: str) -> str:
    try:
        return str(Stage(value).label)
    except ValueError:
        return value or ""


@register.filter
def situation_label(value: str) -> str:
    try:
        return str(Situation(value).label)
    except ValueError:
        return value or ""


@register.filter
def dmy(value: dt.date | dt.datetime | None) -> str:
    """dd-mm-jjjj, the way Dutch users read dates."""
    if value is None or value == "":
        return "–"
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        return timezone.localtime(value).strftime("%d-%m-%Y %H:%M")
    return value.strftime("%d-%m-%Y")
