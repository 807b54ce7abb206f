"""The form renderer: widgets through Django's Jinja2 widget templates give the same markup as
Django's own template versions (core/renderers.py), for every kind of widget and for every field
of every form of the project. The differences allowed are those a browser does not see: a line
break between two tags (Jinja2 drops a template's final newline) and how a character is escaped
(&#34; for &quot;). Django's SelectDateWidget is left out: its two templates differ in the
spaces between its options (`{% spaceless %}` in one), and no form of ours uses it.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from html.parser import HTMLParser

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting, get_default_renderer
from django.utils.safestring import mark_safe

import routearbeid
from routearbeid.core.forms import DateInput
from routearbeid.core.renderers import FormRenderer

DJANGO = TemplatesSetting()
OURS = FormRenderer()

CHOICES = [
    ("", "—"),
    ("a", "Eén & twee"),
    ("b", "<b>niet vet</b>"),
    ('Groep "x"', [("c", "Cé"), ("d", mark_safe("<em>D</em>"))]),
]
ATTRS = {
    "class": "utrecht-textbox utrecht-textbox--html-input",
    "aria-invalid": "true",
    "aria-describedby": "id_x_error id_x_helptext",
    "required": True,
    "disabled": False,
    "data-note": 'a "quoted" <value> & more',
}


class StoredFile:
    """What a FileField gives its widget for a file already kept: a name and a url."""

    url = "/media/bestand%20één.pdf?x=1&y=2"

    def __str__(self):
        return "bestand één.pdf"


def widgets():
    yield forms.TextInput(), ["", "Amira", '<script>alert("x")</script> & Co']
    yield forms.TextInput(attrs=ATTRS), [None, "0", "tekst"]
    yield forms.EmailInput(), [None, "a@example.nl"]
    yield forms.NumberInput(attrs={"min": 0, "step": "0.5"}), [None, 3, 2.5]
    yield forms.PasswordInput(render_value=True), ["geheim&<>"]
    yield forms.PasswordInput(), ["wordt niet getoond"]
    yield forms.URLInput(), ["https://example.nl/?a=1&b=2"]
    yield forms.TelInput(), ["+31 6 1234 5678"]
    yield forms.SearchInput(), ["Yild"]
    yield forms.HiddenInput(), [None, 12, 'x"y']
    yield forms.MultipleHiddenInput(), [["1", "2"], []]
    yield DateInput(), [None, dt.date(2026, 11, 30), "30-11-2026"]
    yield DateInput(attrs={"aria-invalid": "true"}), ["geen datum"]
    yield forms.TimeInput(), [dt.time(9, 30)]
    yield forms.DateTimeInput(), [dt.datetime(2026, 11, 30, 9, 30)]
    yield forms.Textarea(attrs={"rows": 3}), [None, "", "regel 1\nregel 2 <b>&</b>"]
    yield forms.CheckboxInput(), [None, True, False, "on"]
    yield forms.CheckboxInput(attrs={"class": "utrecht-checkbox"}), [True]
    yield forms.Select(choices=CHOICES), [None, "", "a", "d", "onbekend"]
    yield forms.Select(choices=CHOICES, attrs=ATTRS), ["b"]
    yield forms.SelectMultiple(choices=CHOICES), [None, ["a", "c"]]
    yield forms.NullBooleanSelect(), [None, True, False]
    yield forms.RadioSelect(choices=CHOICES), [None, "a", "c"]
    yield forms.RadioSelect(choices=CHOICES[1:3], attrs={"class": "", "required": True}), ["b"]
    yield forms.CheckboxSelectMultiple(choices=CHOICES), [None, ["b", "d"]]
    yield forms.ClearableFileInput(), [None, StoredFile()]
    yield forms.FileInput(attrs={"accept": ".pdf"}), [None]
    yield forms.SplitDateTimeWidget(), [None, dt.datetime(2026, 11, 30, 9, 30)]


def cases():
    for widget, values in widgets():
        for value in values:
            yield pytest.param(widget, value, id=f"{type(widget).__name__}-{value!r}"[:60])


class Markup(HTMLParser):
    """What a browser reads from the markup: tags, attributes with their values and the text,
    with character references resolved (Jinja2 writes &#34; where Django writes &quot;) and
    without the line breaks between tags."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag, attrs))

    def handle_endtag(self, tag):
        self.events.append(("end", tag))

    def handle_data(self, data):
        if data.replace("\n", ""):
            self.events.append(("text", data.replace("\n", "")))


def same_markup(ours: str, django: str) -> bool:
    return Markup(ours).events == Markup(django).events


def test_the_project_uses_this_renderer():
    assert isinstance(get_default_renderer(), FormRenderer)


@pytest.mark.parametrize(("widget", "value"), list(cases()))
def test_a_widget_renders_as_with_djangos_templates(widget, value):
    attrs = {"id": "id_x"}
    django = widget.render("x", value, attrs=attrs, renderer=DJANGO)
    ours = widget.render("x", value, attrs=attrs, renderer=OURS)
    assert same_markup(ours, django), f"\nours:   {ours}\ndjango: {django}"
    assert "<script>" not in ours and "<b>niet" not in ours  # escaped as by Django


def test_a_difference_in_markup_is_seen():
    # The comparison is not blind: a changed attribute or escape is a difference.
    django = forms.TextInput().render("x", 'a"b & c', renderer=DJANGO)
    assert not same_markup(django.replace("&quot;", '"'), django)
    assert not same_markup(django.replace('name="x"', 'name="y"'), django)
    assert not same_markup(django.replace(">", "> ", 1), django)
    assert same_markup(django.replace("&amp;", "&#38;"), django)


def project_forms():
    for module in pkgutil.walk_packages(routearbeid.__path__, "routearbeid."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
            for _name, cls in inspect.getmembers(
                importlib.import_module(module.name), inspect.isclass
            ):
                if issubclass(cls, forms.BaseForm) and cls.__module__.startswith("routearbeid."):
                    yield cls


@pytest.mark.django_db
def test_every_field_of_every_form_renders_as_with_djangos_templates():
    seen = set()
    for cls in project_forms():
        for name, field in cls.base_fields.items():
            seen.add(type(field.widget))
            for value in (None, field.initial):
                value = value() if callable(value) else value
                django = field.widget.render(name, value, renderer=DJANGO)
                ours = field.widget.render(name, value, renderer=OURS)
                assert same_markup(ours, django), f"{cls.__name__}.{name}"
    assert {forms.RadioSelect, forms.Textarea, forms.Select, DateInput} <= seen


@pytest.mark.django_db
def test_a_form_renders_as_with_djangos_templates():
    from routearbeid.aftercare.forms import CheckinQuickForm

    form = CheckinQuickForm(prefix="c1", data={"c1-recorded_on": "morgen", "c1-notes": "<i>&</i>"})
    assert not form.is_valid()  # errors, aria-invalid and the bound values are in the markup
    form.renderer = DJANGO
    django = str(form)
    form.renderer = OURS
    ours = str(form)
    assert 'aria-invalid="true"' in ours
    assert same_markup(ours, django)
