"""core.sqlcache: compiled SQL kept per process and key, run again on every call."""

import pytest

from routearbeid.core import sqlcache
from routearbeid.organisations.constants import OrganisationKind
from routearbeid.organisations.models import Organisation, Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty(settings):
    # these tests count how often a query is built: without the suite's check (see the last test)
    settings.ROUTEARBEID_SQLCACHE_VERIFY = False
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
        sqlcache.rows(
            ("many",),
            lambda *ids: Region.objects.values_list("pk").filter(pk__in=ids),
            args=tuple(range(1, sqlcache.MAX_ARGS + 2)),
        )


def test_a_page_of_ids_is_one_query_kept_for_every_page_of_its_length(django_assert_num_queries):
    """A list's page read by its ids (`filter(pk__in=ids)`): compiled once for pages of the same
    length, each call with its own ids; another length is another query."""
    regions = [Region.objects.create(name=f"R{n}") for n in range(6)]
    built = []

    def build(*ids):
        built.append(ids)
        return Region.objects.values_list("name").filter(pk__in=ids).order_by("name")

    first = sqlcache.rows(("page",), build, args=tuple(r.pk for r in regions[:3]))
    again = sqlcache.rows(("page",), build, args=tuple(r.pk for r in regions[3:]))
    assert first == [("R0",), ("R1",), ("R2",)] and again == [("R3",), ("R4",), ("R5",)]
    assert built == [sqlcache.STAND_INS[:3]]  # built once, with stand-ins
    assert sqlcache.rows(("page",), build, args=(regions[0].pk,)) == [("R0",)]
    assert len(built) == 2


def test_objects_are_read_with_their_related_rows_and_annotations(django_assert_num_queries):
    """`objects` gives what `list(queryset)` gives (select_related objects, annotations, field
    values converted from the database's), each call with its own id, built once."""
    from django.db.models import Count

    north, south = Region.objects.create(name="North"), Region.objects.create(name="South")
    for region, names in ((north, ("Noorderpoort", "Alfa")), (south, ("Zuid",))):
        for name in names:
            Organisation.objects.create(region=region, kind=OrganisationKind.SCHOOL, name=name)
    built = []

    def build(pk):
        built.append(pk)
        return (
            Organisation.objects.filter(region_id=pk)
            .select_related("region")
            .annotate(peers=Count("region__organisations"))
            .order_by("name")
        )

    first = sqlcache.objects(("organisations of a region",), build, args=(north.pk,))
    with django_assert_num_queries(1):  # the related region comes with it
        second = sqlcache.objects(("organisations of a region",), build, args=(south.pk,))
        assert [(o.name, o.region.name, o.peers) for o in second] == [("Zuid", "South", 1)]
    assert [(o.name, o.region.name, o.peers) for o in first] == [
        ("Alfa", "North", 2),
        ("Noorderpoort", "North", 2),
    ]
    assert built == [sqlcache.STAND_INS[0]]  # built once, with the stand-in
    assert first == list(build(north.pk))


def test_objects_attach_the_object_they_belong_to(django_assert_num_queries):
    region = Region.objects.create(name="Attached")
    Organisation.objects.create(region=region, kind=OrganisationKind.SCHOOL, name="A")
    found = sqlcache.objects(
        ("attached",),
        lambda pk: Organisation.objects.filter(region_id=pk),
        args=(region.pk,),
        attach={"region": region},
    )
    with django_assert_num_queries(0):
        assert found[0].region is region


def test_objects_of_a_query_that_matches_nothing_run_no_sql(django_assert_num_queries):
    with django_assert_num_queries(0):
        for _ in range(2):
            assert sqlcache.objects(("none",), lambda: Region.objects.filter(pk__in=[])) == []


@pytest.mark.django_db(transaction=True)  # the other thread must see the committed region
def test_objects_are_read_on_the_calling_threads_connection():
    """The kept compiler was made on another thread's connection; a call from a new thread
    must run on its own (Django refuses to share a connection between threads)."""
    import threading

    from django.db import connection

    region = Region.objects.create(name="Threaded")
    build = lambda pk: Region.objects.filter(pk=pk)  # noqa: E731
    assert sqlcache.objects(("threaded",), build, args=(region.pk,)) == [region]
    answers = []

    def other():
        try:
            answers.append(sqlcache.objects(("threaded",), build, args=(region.pk + 999,)))
        except Exception as error:
            answers.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert answers == [[]]


def test_a_key_that_misses_what_the_query_is_built_from_fails_in_the_tests(settings):
    """In the test suite (ROUTEARBEID_SQLCACHE_VERIFY) every call builds its query again: a key
    that leaves out a value the query uses fails at once instead of answering with the value
    kept from the first call."""
    settings.ROUTEARBEID_SQLCACHE_VERIFY = True
    a = Region.objects.create(name="A")
    Region.objects.create(name="B")

    def by_name(name):
        return lambda: Region.objects.filter(name=name).values_list("pk")

    assert sqlcache.rows(("by name",), by_name("A")) == [(a.pk,)]
    with pytest.raises(AssertionError, match="does not name everything"):
        sqlcache.rows(("by name",), by_name("B"))
    settings.ROUTEARBEID_SQLCACHE_VERIFY = False
    # without the check the kept query answers for "A" (which is why the key must be complete)
    assert sqlcache.rows(("by name",), by_name("B")) == [(a.pk,)]
