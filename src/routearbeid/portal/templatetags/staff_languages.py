"""The staff screens offer Dutch and English only; the other languages are for the report page."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def staff_languages() -> list[tuple[str, str]]:
    return [(code, name) for code, name in settings.LANGUAGES if code in settings.STAFF_LANGUAGES]
