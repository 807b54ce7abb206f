"""core.templatetags.ra: the youth page's address put together per row."""

import pytest
from django.template import engines
from django.urls import reverse, set_script_prefix

from routearbeid.core.templatetags.ra import youth_url


@pytest.mark.parametrize("student_id", [1, 42, 1834, 9_876_543_210_124, "77"])
def test_youth_url_is_the_address_the_url_tag_gives(student_id):
    assert youth_url(student_id) == reverse("route:student", args=[student_id])


def test_youth_url_follows_the_script_prefix_the_site_is_served_under():
    try:
        set_script_prefix("/route-arbeid/")
        assert youth_url(5) == "/route-arbeid/jongeren/5/" == reverse("route:student", args=[5])
    finally:
        set_script_prefix("/")
    assert youth_url(5) == "/jongeren/5/"


def test_youth_url_in_a_template():
    template = engines["django"].from_string(
        '{% load ra %}{% for pk in ids %}<a href="{{ pk|youth_url }}#x">{% endfor %}'
    )
    assert (
        template.render({"ids": [3, 14]}) == '<a href="/jongeren/3/#x"><a href="/jongeren/14/#x">'
    )


def test_youth_url_refuses_what_is_not_an_id():
    with pytest.raises((TypeError, ValueError)):
        youth_url("1/../../beheer")
