"""core.links.id_url gives what reverse() gives, for every route whose arguments are ids."""

import pytest
from django.template import Context, Template
from django.urls import URLPattern, URLResolver, get_resolver, reverse, set_script_prefix
from django.urls.converters import IntConverter

from routearbeid.core.links import id_url


def _id_routes(resolver=None, namespace=""):
    """(name, number of arguments) of every named route whose arguments are all <int:…>."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if not entry.pattern.converters:
                yield from _id_routes(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = entry.pattern.converters
            if converters and all(isinstance(c, IntConverter) for c in converters.values()):
                yield f"{namespace}{entry.name}", len(converters)


ROUTES = sorted(set(_id_routes()))


def test_the_routes_of_a_meeting_and_the_worklist_are_among_those_checked():
    names = {name for name, _count in ROUTES}
    assert {
        "route:student",
        "meetings:advice",
        "meetings:action_done",
        "worklist_checkin",
        "worklist_involvement",
    } <= names


@pytest.mark.parametrize("prefix", ["/", "/route-arbeid/"])
@pytest.mark.parametrize(("name", "count"), ROUTES)
def test_id_url_is_reverse(name, count, prefix):
    set_script_prefix(prefix)
    try:
        for ids in ([1, 22, 333][:count], [9_876_543_210_456, 7, 8][:count], [40, 40, 40][:count]):
            assert id_url(name, *ids) == reverse(name, args=ids)
            # ids given as text, as a template may have them
            assert id_url(name, *map(str, ids)) == reverse(name, args=ids)
    finally:
        set_script_prefix("/")


def test_the_template_tag_and_the_youth_filter_give_what_url_gives():
    page = Template(
        "{% load ra %}{% id_url 'meetings:advice' m i as u %}{{ u }}|{% id_url 'meetings:action_done' m i %}|{{ s|youth_url }}"
    ).render(Context({"m": 5, "i": 77, "s": 1234}))
    assert page == "|".join(
        [
            reverse("meetings:advice", args=[5, 77]),
            reverse("meetings:action_done", args=[5, 77]),
            reverse("route:student", args=[1234]),
        ]
    )


def test_an_id_that_is_not_a_number_is_refused_as_reverse_refuses_it():
    with pytest.raises(ValueError):
        id_url("route:student", "12abc")
