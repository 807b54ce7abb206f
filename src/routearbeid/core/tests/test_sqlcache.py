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


def test_a_query_kept_for_all_ids_reads_each_call_with_its_own(django_assert_num_queries):
    """One compiled query for every youth of a person: each call's id takes the stand-in's
    place, so a call never reads another's rows."""
    a, b = Region.objects.create(name="A"), Region.objects.create(name="B")
    built = []

    def build(pk):
        built.append(pk)
        return Region.objects.filter(pk=pk).values_list("name")

    assert sqlcache.rows(("by id",), build, args=(a.pk,)) == [("A",)]
    with django_assert_num_queries(1):
        assert sqlcache.rows(("by id",), build, args=(b.pk,)) == [("B",)]
    assert sqlcache.rows(("by id",), build, args=(b.pk + 1000,)) == []
    assert built == [sqlcache.STAND_INS[0]]  # built once, with the stand-in, never with an id


def test_two_ids_each_in_its_own_place():
    a, b, c = (Region.objects.create(name=n) for n in "ABC")

    def build(low, high):
        return Region.objects.filter(pk__gte=low, pk__lte=high).order_by("pk").values_list("name")

    assert sqlcache.rows(("range",), build, args=(a.pk, b.pk)) == [("A",), ("B",)]
    assert sqlcache.rows(("range",), build, args=(b.pk, c.pk)) == [("B",), ("C",)]
    assert sqlcache.rows(("range",), build, args=(c.pk, a.pk)) == []


def test_a_builder_that_does_not_pass_its_id_as_a_parameter_is_refused():
    """A stand-in the SQL does not carry as a parameter could not be replaced: refused at once
    rather than answering every caller for the stand-in."""
    with pytest.raises(ValueError, match="parameter"):
        sqlcache.rows(("ignored",), lambda pk: Region.objects.values_list("pk"), args=(1,))
    with pytest.raises(ValueError, match="at most"):
        sqlcache.rows(("many",), lambda *ids: Region.objects.values_list("pk"), args=(1, 2, 3, 4))
