"""Issue #7: the shapes of the list queries and the bounded employer choice (the access matrix
tests keep who sees what; these keep how)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from routearbeid.core.dates import today
from routearbeid.employment.models import Employer
from routearbeid.route.forms import EmploymentForm
from routearbeid.route.models import Involvement
from routearbeid.route.selectors import case_list
from routearbeid.students.selectors import student_list, visible_students

pytestmark = pytest.mark.django_db


def _sql(qs) -> str:
    return str(qs.query).upper()


def test_school_role_lists_by_school_only(region1):
    region1.open_case()
    sql = _sql(visible_students(region1.coordinator))
    # no EXISTS over the school's cases: they add nobody to the school's own students
    assert "EXISTS" not in sql and "ROUTE_CASE" not in sql
    assert visible_students(region1.coordinator).count() == 1


@pytest.mark.parametrize("who", ["work_service_manager", "rmc_officer", "leerplicht_officer"])
def test_partner_list_is_an_id_set_not_an_exists_per_student(region1, who):
    case = region1.open_case(age=16)
    user = getattr(region1, who)
    assert not visible_students(user).exists()
    region1.involve(case)
    from routearbeid.route.services import involvement_request

    involvement_request(
        actor=region1.coordinator,
        case_id=case.pk,
        organisation_id=region1.work_service.pk,
        on=case.opened_on,
    )
    students = visible_students(user)
    assert "EXISTS" not in _sql(students)
    assert list(students) == [case.student]
    assert list(case_list(actor=user)) == [case]
    assert "EXISTS" not in _sql(case_list(actor=user))


def test_search_keeps_every_word_in_first_or_last_name(region1):
    region1.student(first_name="Anouk", last_name="de Vries")
    region1.student(first_name="Vries", last_name="Bakker")
    region1.student(first_name="Sem", last_name="Jansen")
    names = lambda q: [s.first_name for s in student_list(actor=region1.coordinator, search=q)]  # noqa: E731
    assert names("vries") == ["Vries", "Anouk"]
    assert names("VRIES anouk") == ["Anouk"]
    assert names("zzz") == []


def test_a_word_of_one_or_two_letters_matches_the_start_of_a_name(region1):
    """Three letters or more: anywhere in the first or the last name. One or two: at the start
    of either (a short word anywhere matches a tenth of all youth, and no index finds it)."""
    region1.student(first_name="Elif", last_name="Kaya")
    region1.student(first_name="Yusuf", last_name="El Amrani")
    region1.student(first_name="Michel", last_name="Bakker")
    names = lambda q: [s.first_name for s in student_list(actor=region1.coordinator, search=q)]  # noqa: E731
    assert sorted(names("el")) == ["Elif", "Yusuf"]
    assert sorted(names("EL")) == ["Elif", "Yusuf"]
    assert names("e") == ["Yusuf", "Elif"]  # by last name
    assert names("hel") == ["Michel"]
    assert names("el k") == ["Elif"]


@pytest.mark.parametrize("who", ["work_service_manager", "rmc_officer"])
def test_a_partners_search_names_its_regions_schools_by_id(region1, who):
    """A partner's name search tests the region's schools by their ids (one small query
    first), so that PostgreSQL intersects the name's index with the school index once instead
    of once per school (issue #7); it finds the youth it may see at every school of its region
    and nobody else."""
    from routearbeid.route.services import involvement_request
    from routearbeid.tests.people import Region1

    user = getattr(region1, who)
    at_a = region1.open_case(region1.student(first_name="Noor", last_name="Vermeulen"))
    from routearbeid.route.services import case_open

    at_b = case_open(
        actor=region1.other_coordinator,
        student_id=region1.student(
            first_name="Noah", last_name="Vermeer", school=region1.other_school
        ).pk,
    )
    region1.open_case(region1.student(first_name="Nina", last_name="Vermaat"))  # not asked
    elsewhere = Region1.build("Regio Elders")
    stray = elsewhere.open_case(elsewhere.student(first_name="Nora", last_name="Verhoeven"))
    organisation = region1.work_service if who == "work_service_manager" else region1.rmc
    for case, coordinator in ((at_a, region1.coordinator), (at_b, region1.other_coordinator)):
        involvement_request(actor=coordinator, case_id=case.pk, organisation_id=organisation.pk)
    Involvement.objects.create(case=stray, organisation=organisation, requested_on=today())

    found = student_list(actor=user, search="verm")
    with CaptureQueriesContext(connection) as queries:
        names = [s.first_name for s in found]
    assert names == ["Noah", "Noor"]  # Vermeer, Vermeulen
    sql = queries.captured_queries[-1]["sql"]
    assert '"organisations_organisation"."region_id" IN' not in sql  # no join to test a region
    schools = sorted([region1.school.pk, region1.other_school.pk])
    assert f'"students_student"."school_id" IN ({", ".join(map(str, schools))})' in sql
    assert [s.first_name for s in student_list(actor=user, search="verh")] == []


@pytest.mark.parametrize("sort", ["name", "-name"])
def test_a_search_keeps_the_lists_name_order(client, region1, sort):
    """A search sorts on `last_name || ''` (searched_order: no index walk, issue #7); that is
    the same order as the list without a search, in both directions, on both databases."""
    names = [("Ömer", "Yıldız"), ("Anna", "van Dijk"), ("Ana", "Van Dijk"), ("Bo", "Àlvarez")]
    names += [("Mo", "de Vries"), ("Mo", "De Vries"), ("Ab", "Zwart"), ("Ab", "al-Amin")]
    for first, last in [*names, ("Ab", "de Vries")]:  # a repeated name: the id decides
        region1.student(first_name=first, last_name=last)
    client.force_login(region1.coordinator)

    def listed(q):
        rows = client.get("/jongeren/", {"q": q, "sort": sort}).context["page"].object_list
        return [s.pk for s in rows]

    everyone = listed("")
    assert len(everyone) == len(names) + 1
    for word in ("ries", "de", "a"):  # anywhere in a name, and at the start of one
        found = listed(word)
        assert len(found) >= 3, word
        # the same rows in the same order as in the list without a search
        assert found == [pk for pk in everyone if pk in set(found)], word
    if sort == "name":  # the API's search (student_list) has the name order only
        found = [s.pk for s in student_list(actor=region1.coordinator, search="a")]
        assert len(found) >= 3 and found == [pk for pk in everyone if pk in set(found)]


@pytest.mark.parametrize("who", ["coordinator", "work_service_manager"])
def test_a_search_reads_its_matches_ids_once_and_shows_the_same_pages(
    client, region1, monkeypatch, who
):
    """A name search takes the ids of its matches in order once, and its count and page from
    them (students.views._searched_page, issue #7), instead of searching for the count and again
    for the page: one query fewer, the same count and pages as the usual way (with more than
    SEARCHED_IDS matches), for a school and for a partner; nobody the partner may not see."""
    from routearbeid.route.services import involvement_request
    from routearbeid.students import views

    for n in range(7):
        case = region1.open_case(region1.student(first_name=f"Sara{n}", last_name=f"Haddad{n % 3}"))
        if n % 2 == 0:  # the work service is asked for four of them
            involvement_request(
                actor=region1.coordinator, case_id=case.pk, organisation_id=region1.work_service.pk
            )
    client.force_login(getattr(region1, who))
    client.get("/werkvoorraad/")  # the badge is kept in the session from here on
    monkeypatch.setattr(views, "PAGE_SIZE", 3)

    def pages(searched_ids):
        monkeypatch.setattr(views, "SEARCHED_IDS", searched_ids)
        seen = []
        for number in (1, 2, 3):
            with CaptureQueriesContext(connection) as queries:
                page = client.get("/jongeren/", {"q": "sara", "page": number}).context["page"]
            seen.append(([s.pk for s in page.object_list], page.paginator.count, len(queries)))
        return seen

    once, usual = pages(100), pages(1)
    assert [(rows, count) for rows, count, _n in once] == [(r, c) for r, c, _n in usual]
    assert [n + 1 for _r, _c, n in once] == [n for _r, _c, n in usual]
    expected = 7 if who == "coordinator" else 4
    seen = [pk for rows, _c, _n in once for pk in rows]  # (a page past the last is the last)
    assert once[0][1] == expected and len(set(seen)) == expected


@pytest.mark.parametrize("sort", ["name", "-name"])
def test_a_large_partner_list_read_along_the_name_index_shows_the_same_pages(
    client, region1, monkeypatch, sort
):
    """From WALK_FROM youth on, the youth list reads a page in the name index's order
    (visible_students(in_order=True), issue #7), the first pages looking each youth up in the
    access indexes (`probed`), the pages after PROBED_ROWS with the access sets hashed. The
    pages, the count and the number of queries are those of the id set's shape; here with a
    threshold of 1 and pages of 3, probed up to the second page or not at all."""
    from routearbeid.route.services import involvement_request
    from routearbeid.students import views

    names = ["Zwart", "Alberts", "Mulder", "Bakker", "Yilmaz", "de Jong", "Visser", "Mulder"]
    for name in names:
        case = region1.open_case(region1.student(last_name=name))
        involvement_request(
            actor=region1.coordinator, case_id=case.pk, organisation_id=region1.work_service.pk
        )
    region1.open_case(region1.student(last_name="Niet Gevraagd"))  # not the work service's
    client.force_login(region1.work_service_manager)
    client.get("/werkvoorraad/")  # the badge is kept in the session from here on
    monkeypatch.setattr(views, "PAGE_SIZE", 3)

    def pages(walk_from, probed_rows=3):
        monkeypatch.setattr(views, "WALK_FROM", walk_from)
        monkeypatch.setattr(views, "PROBED_ROWS", probed_rows)
        seen = []
        for number in (1, 2, 3):
            with CaptureQueriesContext(connection) as queries:
                page = client.get("/jongeren/", {"sort": sort, "page": number}).context["page"]
            seen.append(([s.pk for s in page.object_list], page.paginator.count, len(queries)))
        return seen

    def shown(seen):
        return [(rows, count) for rows, count, _queries in seen]

    walked, sorted_set = pages(1), pages(10**9)
    assert shown(walked) == shown(sorted_set) == shown(pages(1, probed_rows=0))
    assert [len(rows) for rows, _count, _queries in walked] == [3, 3, 2]
    assert walked[0][1] == len(names)
    # the walk reads the page's ids (SQL kept per person, day, order and page) and then their
    # rows by id: one query more than reading the rows at once, never more
    assert [q for *_shown, q in walked] == [q + 1 for *_shown, q in sorted_set]


def test_a_large_partner_lists_kept_page_query_reads_the_links_of_now(client, region1, monkeypatch):
    """The whole list's page, read along the name index from SQL compiled once (core.sqlcache),
    shows a youth the work service was asked about a moment ago, with nothing compiled again
    (the bench's unfiltered twin: core/tests/test_bench_views.py)."""
    from routearbeid.core import sqlcache
    from routearbeid.route.services import involvement_request
    from routearbeid.students import views

    sqlcache.clear()
    monkeypatch.setattr(views, "WALK_FROM", 1)
    asked = [region1.open_case(region1.student(last_name=f"Gevraagd{i}")) for i in range(2)]
    later = region1.open_case(region1.student(last_name="Later"))
    region1.open_case(region1.student(last_name="Nooit"))
    for case in asked:
        involvement_request(
            actor=region1.coordinator, case_id=case.pk, organisation_id=region1.work_service.pk
        )
    client.force_login(region1.work_service_manager)

    def names(path="/jongeren/"):
        page = client.get(path).context["page"]
        return [s.last_name for s in page.object_list]

    assert names() == ["Gevraagd0", "Gevraagd1"]
    kept = set(sqlcache._compiled)
    involvement_request(
        actor=region1.coordinator, case_id=later.pk, organisation_id=region1.work_service.pk
    )
    assert names() == ["Gevraagd0", "Gevraagd1", "Later"]
    assert set(sqlcache._compiled) == kept


def _data(**extra):
    data = {
        "e-kind": "permanent",
        "e-starts_on": "2026-01-05",
        "e-hours_per_week": "32",
    }
    data.update({f"e-{k}": v for k, v in extra.items()})
    return data


def test_employer_list_is_bounded(region1):
    Employer.objects.bulk_create(
        Employer(name=f"Werkgever {n:03}", kvk_number=f"{20000000 + n}")
        for n in range(EmploymentForm.OFFERED + 5)
    )
    case = region1.open_case()
    assert EmploymentForm.employer_options(case) == []
    from routearbeid.employment.models import Employment

    Employment.objects.create(
        case=case,
        employer=Employer.objects.get(name="Werkgever 007"),
        kind="permanent",
        starts_on=case.opened_on,
        hours_per_week=32,
    )
    offered = EmploymentForm.employer_options(case)
    assert [e.name for e in offered] == ["Werkgever 007"]


def test_employer_by_kvk_number(region1):
    employer = Employer.objects.create(name="Bakkerij", kvk_number="12345678")
    other = Employer.objects.create(name="Garage", kvk_number="87654321")
    form = EmploymentForm(_data(kvk_number="12345678"), prefix="e", employers=[other])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["employer"] == employer.pk
    form = EmploymentForm(_data(employer=str(other.pk)), prefix="e", employers=[other])
    assert form.is_valid() and form.cleaned_data["employer"] == other.pk
    for bad, field in [
        ({}, "employer"),
        ({"kvk_number": "1234"}, "kvk_number"),
        ({"kvk_number": "11111111"}, "kvk_number"),
        ({"kvk_number": "12345678", "employer": str(other.pk)}, "kvk_number"),
    ]:
        form = EmploymentForm(_data(**bad), prefix="e", employers=[other])
        assert not form.is_valid() and field in form.errors, bad


def test_an_rmcs_whole_list_is_counted_from_its_links_and_its_monitoring_list(client, region1):
    """Unfiltered, the RMC's youth are counted from its involvements and its region's
    monitoring list (R-RMC-1) alone (CaseAccess.link_count, issue #7): a youth asked and
    monitored counts once, a youth with two monitored cases once; the same as the rows and as
    the visible set counted the general way."""
    both, asked, monitored, _earlier = region1.rmc_cases()
    expected = sorted({both.student_id, asked.student_id, monitored.student_id})
    client.force_login(region1.rmc_officer)
    client.get("/werkvoorraad/")  # the badge's counts are kept in the session from here on
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/jongeren/").context["page"]
    assert page.paginator.count == 3
    assert sorted(s.pk for s in page.object_list) == expected
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(")]
    assert counts and all('"students_student"' not in sql for sql in counts)
    # the general way: the ids of the visible set, counted by the database
    assert sorted(s.pk for s in visible_students(region1.rmc_officer)) == expected
    assert visible_students(region1.rmc_officer).count() == 3


def test_a_partners_whole_list_is_counted_from_its_links(client, region1):
    """Unfiltered, a work service's youth are counted from its involvements and handovers alone
    (route.selectors.CaseAccess.link_count, issue #7): a youth with both counts once, a link to a
    youth of another region not at all; the count is that of the rows, and that of the same list
    counted the general way (with a filter)."""
    both, asked = region1.work_service_links()
    client.force_login(region1.work_service_manager)
    client.get("/werkvoorraad/")  # the badge's counts are kept in the session from here on
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/jongeren/").context["page"]
    assert page.paginator.count == 2
    assert sorted(s.pk for s in page.object_list) == sorted([both.student_id, asked.student_id])
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(")]
    assert counts and all('"students_student"' not in sql for sql in counts)
    filtered = client.get("/jongeren/", {"stage": "consultation"}).context["page"]
    assert filtered.paginator.count == 2
