"""core.sqlcache: compiled SQL kept per process and key, run again on every call."""

import pytest

from routearbeid.core import sqlcache
from routearbeid.organisations.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty():
    sqlcache.clear()
    yield
    sqlcache.clear()


def test_the_sql_is_built_once_and_the_rows_read_every_time(django_assert_num_queries):
    built = []

    def build():
        built.append(1)
        return Region.objects.filter(name__startswith="Kept").order_by("pk").values_list("name")

    assert sqlcache.rows(("regions",), build) == []
    Region.objects.create(name="Kept A")
    with django_assert_num_queries(1):
        assert sqlcache.rows(("regions",), build) == [("Kept A",)]
    assert len(built) == 1
    assert sqlcache.rows(("other key",), build) == [("Kept A",)]
    assert len(built) == 2


def test_a_query_that_matches_nothing_runs_no_sql(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert sqlcache.rows(("none",), lambda: Region.objects.none().values_list("pk")) == []
        assert sqlcache.rows(("none",), lambda: Region.objects.none().values_list("pk")) == []


def test_the_least_recently_used_key_goes_first(monkeypatch):
    monkeypatch.setattr(sqlcache, "SIZE", 2)
    built = []

    def builder(name):
        def build():
            built.append(name)
            return Region.objects.filter(name=name).values_list("pk")

        return build

    for name in ("a", "b", "a", "c", "a", "b"):
        sqlcache.rows((name,), builder(name))
    # "b" was dropped when "c" came (least recently used: "a" was used after "b"), so it is
    # built again at the end; "a" stayed
    assert built == ["a", "b", "c", "b"]
