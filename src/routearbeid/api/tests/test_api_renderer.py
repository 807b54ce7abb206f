"""The API's answers are what DRF and djangorestframework_camel_case would write, made faster
(api.renderers, api.serializers.ReadOnlyModelSerializer; issue #7)."""

import datetime as dt
import decimal
import inspect
import json
import uuid

import pytest
from django.db import models
from django.utils.translation import gettext_lazy
from djangorestframework_camel_case.util import camelize as library_camelize
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory

from routearbeid.api import serializers as api_serializers
from routearbeid.api.renderers import JsonRenderer, camelize
from routearbeid.route.models import Stage
from routearbeid.tests.people import Region1


class Colour(models.TextChoices):
    DARK_RED = "dark_red", "Dark red"


def written(data) -> bytes:
    return JSONRenderer().render(data)


SAMPLES = [
    {"id": 1, "opened_on": dt.date(2026, 1, 2), "student": {"first_name": "A", "school": 3}},
    {
        "line_2_text": "x",
        "a__b": 1,
        "_private": 2,
        "trailing_": 3,
        "already_camelCase": 4,
        "with_9_digits_0": 5,
        "UPPER_case": 6,
        "ÄB_c": 7,
        4: "int key",
        None: "none key",
    },
    {gettext_lazy("Lazy key_name"): gettext_lazy("lazy value"), "list_of": [gettext_lazy("x")]},
    {
        "count": 3,
        "next": None,
        "results": [
            {"stage": Stage.AFTERCARE, "colour": Colour.DARK_RED, "done_on": None},
            {"when_at": dt.datetime(2026, 5, 1, 9, 30, tzinfo=dt.UTC), "ok": True},
            {"amount_eur": decimal.Decimal("12.50"), "uid_value": uuid.UUID(int=7)},
            {"nested_tuple": (1, {"inner_key": 2}), "nested_list": [[{"deep_key": None}]]},
            {"plain_set": {1}, "empty_dict": {}, "empty_list": [], "float_v": 1.5},
            {"raw_bytes": b"ab", "time_of": dt.time(9, 30), "span_of": dt.timedelta(days=1)},
        ],
    },
    "just_a_string",
    ["top_level", {"in_list": 1}],
    gettext_lazy("lazy_alone"),
    12,
    None,
]


@pytest.mark.parametrize("data", SAMPLES)
def test_member_names_are_the_camel_case_librarys(data):
    assert written(camelize(data)) == written(library_camelize(data))


def test_a_member_name_is_kept_once_converted():
    from routearbeid.api import renderers

    camelize({"kept_name_once": 1})
    assert renderers._NAMES["kept_name_once"] == "keptNameOnce"


def test_the_renderer_writes_camel_case_json():
    body = JsonRenderer().render(
        {"opened_on": dt.date(2026, 1, 2), "results": [{"first_name": "É"}]}
    )
    assert json.loads(body) == {"openedOn": "2026-01-02", "results": [{"firstName": "É"}]}
    assert "É".encode() in body  # utf-8, not \\u escapes


def _serializer_classes():
    return [
        cls
        for _name, cls in inspect.getmembers(api_serializers, inspect.isclass)
        if issubclass(cls, api_serializers.ReadOnlyModelSerializer)
        and cls is not api_serializers.ReadOnlyModelSerializer
    ]


@pytest.fixture
def every_row(db):
    """Region 1 with a youth in aftercare (every step of the route recorded) and one just
    opened, as the API's fuzz test uses."""
    region = Region1.build()
    case = region.ready_for_outflow(age=19)
    region.outflow(case)
    region.open_case()
    return region


def test_each_serializer_shows_what_drf_shows(every_row):
    """For every serializer of the API and every row of its model: the fast reading gives
    exactly DRF's own output, also for a request of a person with and without the right to
    see the youth's number."""
    factory = APIRequestFactory()
    compared = set()
    for user in (every_row.coordinator, every_row.rmc_officer):
        request = factory.get("/api/v1/cases")
        request.user = user
        for cls in _serializer_classes():
            model = cls.Meta.model
            rows = list(model.objects.all()[:50])
            for row in rows:
                serializer = cls(row, context={"request": request})
                drf = serializers.ModelSerializer.to_representation(serializer, row)
                assert serializer.data == drf, (cls.__name__, row.pk)
                compared.add(cls.__name__)
            # a list's child serializer is one object for all rows
            many = cls(rows, many=True, context={"request": request})
            assert [dict(r) for r in many.data] == [
                serializers.ModelSerializer.to_representation(
                    cls(row, context={"request": request}), row
                )
                for row in rows
            ]
    # the route recorded rows for nearly every resource; these must be among them
    assert {
        "CaseSerializer",
        "StudentSerializer",
        "StudentBriefSerializer",
        "InvolvementSerializer",
        "HandoverSerializer",
        "EmploymentSerializer",
        "CheckInSerializer",
        "SignalSerializer",
        "TimelineEventSerializer",
        "OrganisationSerializer",
    } <= compared


def test_a_column_a_key_and_a_nested_object_are_read_the_fast_way(every_row):
    reading = {
        name: how for name, _field, how, _column in api_serializers.CaseSerializer()._reading
    }
    assert reading["opened_on"] == api_serializers._COLUMN
    assert reading["student"] == api_serializers._DRF  # a nested serializer, DRF's way
    brief = {n: how for n, _f, how, _c in api_serializers.StudentBriefSerializer()._reading}
    assert brief["school"] == api_serializers._KEY


def test_an_object_of_another_kind_is_shown_the_drf_way():
    class Row:
        id = 5
        first_name = "A"
        last_name = "B"
        date_of_birth = dt.date(2008, 1, 1)
        school = None

    shown = api_serializers.StudentBriefSerializer(Row()).data
    assert shown == {
        "id": 5,
        "first_name": "A",
        "last_name": "B",
        "date_of_birth": "2008-01-01",
        "school": None,
    }
