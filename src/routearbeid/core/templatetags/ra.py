"""Template helpers: labels of stored choices, Dutch dates."""

import datetime as dt

from django import template

from routearbeid.core.links import id_url
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


@register.filter
def youth_url(student_id) -> str:
    """The address of a youth's page, as {% url 'route:student' id %} gives it, without
    resolving the route again for every row of a list (core.links; the worklist links each of
    its up to 100 rows; issue #7)."""
    return id_url("route:student", student_id)


@register.simple_tag(name="id_url")
def id_url_tag(name: str, *ids) -> str:
    """{% id_url 'meetings:advice' meeting.pk item.pk %}: {% url %} for a route whose arguments
    are ids, without resolving it again for every row (core.links.id_url)."""
    return id_url(name, *ids)
