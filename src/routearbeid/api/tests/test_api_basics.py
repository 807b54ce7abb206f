"""The API's contract: authentication, problem+json, the version header, scoping, logging."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from routearbeid.api.constants import API_VERSION
from routearbeid.api.models import ApiToken
from routearbeid.api.services import api_token_create, api_token_revoke
from routearbeid.core.dates import today
from routearbeid.core.errors import DomainError
from routearbeid.organisations.constants import OrganisationKind, Role
from routearbeid.organisations.models import Membership, Organisation
from routearbeid.processing_log.models import ProcessingLogRecord
from routearbeid.route.constants import Stage
from routearbeid.route.models import Involvement

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def other_school_case(region1):
    from routearbeid.route.services import case_open

    student = region1.student(school=region1.other_school)
    return case_open(actor=region1.other_coordinator, student_id=student.pk)


def paged_ids(client, url: str) -> list[int]:
    """The ids of every page of a list, following `next` from `url`."""
    ids: list[int] = []
    while url:
        body = client.get(url).json()
        ids += [c["id"] for c in body["results"]]
        url = body["next"]
    return ids


def problem_of(response) -> dict:
    assert response["Content-Type"].startswith(PROBLEM), response["Content-Type"]
    body = response.json()
    for member in ("type", "title", "status", "detail", "instance"):
        assert member in body, member
    assert body["status"] == response.status_code
    return body


def test_anonymous_call_gets_401_as_problem_json_with_version(region1):
    response = APIClient().get("/api/v1/cases")
    assert response.status_code == 401
    problem_of(response)
    assert response["API-Version"] == API_VERSION
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_token_lists_only_own_school_cases(region1, api):
    mine = region1.open_case()
    other = other_school_case(region1)
    response = api(region1.coordinator).get("/api/v1/cases")
    assert response.status_code == 200
    assert response["API-Version"] == API_VERSION
    ids = [c["id"] for c in response.json()["results"]]
    assert ids == [mine.pk]
    assert other.pk not in ids
    assert response.json()["count"] == 1


@pytest.mark.parametrize("who", ["coordinator", "work_service_manager"])
def test_the_case_list_is_in_id_order_page_after_page(region1, api, who):
    """The API lists cases by id, for a school (sorted as `id + 0`, route.selectors.case_list)
    as for a partner (the id walk), so that paging through it gives every case once."""
    from routearbeid.route.services import involvement_request

    names = ["Zwart", "Alberts", "Mulder", "Bakker", "Yilmaz", "de Jong", "Visser"]
    cases = [region1.open_case(region1.student(last_name=name)) for name in names]
    for case in cases:
        involvement_request(
            actor=region1.coordinator,
            case_id=case.pk,
            organisation_id=region1.work_service.pk,
        )
    client = api(getattr(region1, who))
    ids = paged_ids(client, "/api/v1/cases?pageSize=3")
    assert ids == sorted(c.pk for c in cases)


@pytest.mark.parametrize("cap", [100, 2])
def test_a_schools_case_list_is_read_as_ids_first_with_the_same_pages_and_count(
    region1, api, monkeypatch, cap
):
    """A school's case list is read as the ids of all its cases first, sorted in Python, which
    give the count and each page's ids (api.views.SchoolCases, issue #7): no ORDER BY and no
    COUNT in the database. With more cases than SCHOOL_IDS (cap 2 here) the list is the
    queryset's own ORDER BY and COUNT; both give the same count and pages, with the filters."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from routearbeid.api import views

    monkeypatch.setattr(views, "SCHOOL_IDS", cap)
    names = ["Zwart", "Alberts", "Mulder", "Bakker", "Yilmaz"]
    cases = [region1.open_case(region1.student(last_name=name)) for name in names]
    other_school_case(region1)
    client = api(region1.coordinator)
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/cases?pageSize=2&page=2").json()
    assert body["count"] == 5
    assert [c["id"] for c in body["results"]] == sorted(c.pk for c in cases)[2:4]
    case_queries = [q["sql"] for q in queries.captured_queries if '"route_case"' in q["sql"]]
    counted = any("COUNT(" in sql for sql in case_queries)
    sorted_in_sql = any("ORDER BY" in sql for sql in case_queries)
    assert (counted, sorted_in_sql) == ((False, False) if cap == 100 else (True, True))
    ids = paged_ids(client, "/api/v1/cases?pageSize=2")
    assert ids == sorted(c.pk for c in cases)
    assert client.get("/api/v1/cases?page=4&pageSize=2").status_code == 404
    # a filter narrows the ids read, the count with it
    from routearbeid.route.models import Case

    Case.objects.filter(pk=cases[1].pk).update(stage=Stage.WITHDRAWN)
    filtered = client.get("/api/v1/cases?stage=withdrawn").json()
    assert (filtered["count"], [c["id"] for c in filtered["results"]]) == (1, [cases[1].pk])


def test_a_partners_case_count_is_counted_from_its_links(region1, api):
    """Unfiltered, a work service's cases are counted from its involvements and handovers alone
    (route.selectors.CaseAccess.link_count, issue #7): a case with both counts once, a link
    to a case of another region not at all; the count is that of the list, and that of the same
    list counted the general way (with a filter)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    both, asked = region1.work_service_links()
    handed_over = region1.open_case()  # handed over without being asked first
    region1.handover_row(handed_over)
    client = api(region1.work_service_manager)
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/cases?pageSize=1").json()
    assert body["count"] == 3
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    # the links' own rows, no case probed: one count per kind of link, or on PostgreSQL one
    # count of the ids of both kinds of link together (CaseAccess._link_count_merged)
    assert len(counts) == (1 if connection.vendor == "postgresql" else 2)
    assert all('"route_case"' not in count for count in counts)
    # the page too is read from the links in id order (CaseAccess.link_case_ids), not from
    # the UNION of every linked id
    assert not [
        q for q in queries.captured_queries if "UNION" in q["sql"] and "COUNT(" not in q["sql"]
    ]
    ids = paged_ids(client, "/api/v1/cases?pageSize=1")
    assert ids == sorted([both.pk, asked.pk, handed_over.pk])
    # the same pages as the general way gives them (a filter that keeps every case)
    general = client.get("/api/v1/cases?stage=consultation&pageSize=2&page=2").json()
    linked = client.get("/api/v1/cases?pageSize=2&page=2").json()
    assert [c["id"] for c in linked["results"]] == [c["id"] for c in general["results"]]
    assert linked["results"] == general["results"]
    assert client.get("/api/v1/cases?stage=consultation").json()["count"] == 3
    assert client.get("/api/v1/cases?page=4&pageSize=1").status_code == 404


def test_an_rmcs_case_count_and_pages_come_from_its_links_and_its_monitoring_list(region1, api):
    """Unfiltered, the RMC's cases are counted and paged from its involvements and its region's
    monitoring list (R-RMC-1), each by its own index (CaseAccess.link_count, link_case_ids,
    issue #7): a case both asked and monitored counts once; a youth whose monitoring ended and
    a youth of another region not at all; the same count and pages as the general way."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seen = sorted(case.pk for case in region1.rmc_cases())
    client = api(region1.rmc_officer)
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/cases?pageSize=2").json()
    assert body["count"] == 4
    assert [c["id"] for c in body["results"]] == seen[:2]
    assert not [
        q for q in queries.captured_queries if "UNION" in q["sql"] and "COUNT(" not in q["sql"]
    ]
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert counts and all('"students_student"' not in count for count in counts)
    assert len(counts) == (1 if connection.vendor == "postgresql" else 3)
    ids = paged_ids(client, "/api/v1/cases?pageSize=1")
    assert ids == seen
    # the general way (a filter that keeps every case) gives the same count and pages
    everything = "/api/v1/cases?updatedSince=2000-01-01&pageSize=3&page=2"
    general = client.get(everything).json()
    assert general["count"] == 4
    assert general["results"] == client.get("/api/v1/cases?pageSize=3&page=2").json()["results"]


def test_a_case_asked_of_two_of_ones_organisations_counts_once(region1, api):
    """A client manager of two work services of the region, both asked to take part in one
    case: the involvements are counted by distinct case (CaseAccess.link_count)."""
    second = Organisation.objects.create(
        region=region1.region, kind=OrganisationKind.WORK_SERVICE, name="Halte Werk Noord"
    )
    Membership.objects.create(
        user=region1.work_service_manager, organisation=second, role=Role.WORK_SERVICE_MANAGER
    )
    case, other = region1.open_case(), region1.open_case()
    for organisation in (region1.work_service, second):
        Involvement.objects.create(case=case, organisation=organisation, requested_on=today())
    Involvement.objects.create(case=other, organisation=second, requested_on=today())
    body = api(region1.work_service_manager).get("/api/v1/cases").json()
    assert body["count"] == 2
    assert sorted(c["id"] for c in body["results"]) == sorted([case.pk, other.pk])


def test_other_school_case_is_404_not_403(region1, api):
    other = other_school_case(region1)
    response = api(region1.coordinator).get(f"/api/v1/cases/{other.pk}")
    assert response.status_code == 404
    problem_of(response)


def test_members_are_camel_case_and_dates_iso(region1, api):
    case = region1.open_case()
    body = api(region1.coordinator).get(f"/api/v1/cases/{case.pk}").json()
    assert body["openedOn"] == case.opened_on.isoformat()
    assert body["student"]["dateOfBirth"] == case.student.date_of_birth.isoformat()
    assert "opened_on" not in body


def test_pgn_only_for_school_and_work_service(region1, api):
    student = region1.student(pgn="123456789")
    case = region1.open_case(student)
    region1.involve(case)
    assert api(region1.coordinator).get(f"/api/v1/students/{student.pk}").json()["pgn"] == (
        "123456789"
    )
    # the RMC is involved and sees the student, but not the PGN
    response = api(region1.rmc_officer).get(f"/api/v1/students/{student.pk}")
    assert response.status_code == 200
    assert response.json()["pgn"] is None


def test_read_only_token_may_not_write(region1, api):
    student = region1.student()
    response = api(region1.coordinator, scope="read").post(
        "/api/v1/cases", {"student": student.pk, "openedOn": today().isoformat()}, format="json"
    )
    assert response.status_code == 403
    assert "read" in problem_of(response)["detail"].lower() or "lezen" in response.json()["detail"]
    assert not student.cases.exists()


def test_open_case_through_the_api(region1, api):
    student = region1.student()
    response = api(region1.coordinator).post(
        "/api/v1/cases", {"student": student.pk, "openedOn": today().isoformat()}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["stage"] == Stage.CONSULTATION
    assert student.cases.count() == 1


def test_blocked_transition_is_422_with_rule_ids(region1, api):
    case = region1.open_case()
    response = api(region1.coordinator).post(
        f"/api/v1/cases/{case.pk}/outflow",
        {"outflowOn": today().isoformat(), "deregisteredOn": today().isoformat()},
        format="json",
    )
    assert response.status_code == 422, response.content
    body = problem_of(response)
    ids = [rule["id"] for rule in body["rules"]]
    assert ids and all(rule_id.startswith("R-") for rule_id in ids)
    assert all(rule["message"] for rule in body["rules"])
    for rule_id in ids:
        assert rule_id in body["detail"]
    case.refresh_from_db()
    assert case.stage == Stage.CONSULTATION


def test_invalid_body_is_400_with_invalid_params(region1, api):
    case = region1.open_case()
    response = api(region1.coordinator).post(
        f"/api/v1/cases/{case.pk}/outflow", {"outflowOn": "31-02-2026"}, format="json"
    )
    assert response.status_code == 400
    names = {p["name"] for p in problem_of(response)["invalidParams"]}
    assert names == {"outflowOn", "deregisteredOn"}


def test_step_in_wrong_stage_is_422_for_school_and_403_for_others(region1, api):
    case = region1.ready_for_outflow()
    region1.outflow(case)
    # the school may record outflow, but not now: the stage blocks it
    response = api(region1.coordinator).post(
        f"/api/v1/cases/{case.pk}/withdrawal", {"reason": "x"}, format="json"
    )
    assert response.status_code == 422
    assert [r["id"] for r in response.json()["rules"]] == ["R-STAGE"]
    # the work service sees the case but never withdraws it
    response = api(region1.work_service_manager).post(
        f"/api/v1/cases/{case.pk}/withdrawal", {"reason": "x"}, format="json"
    )
    assert response.status_code == 403
    problem_of(response)


def test_trailing_slash_is_a_404_problem(region1, api):
    response = api(region1.coordinator).get("/api/v1/cases/")
    assert response.status_code == 404
    assert (
        "slash" in problem_of(response)["detail"].lower() or "schuine" in response.json()["detail"]
    )


def test_bad_query_parameter_is_400(region1, api):
    response = api(region1.coordinator).get("/api/v1/cases?stage=nonsense&school=abc")
    assert response.status_code == 400
    names = {p["name"] for p in problem_of(response)["invalidParams"]}
    assert "stage" in names


def test_every_call_is_in_the_processing_log(region1, api):
    case = region1.open_case()
    client = api(region1.coordinator)
    before = ProcessingLogRecord.objects.count()
    client.get("/api/v1/cases")
    read = ProcessingLogRecord.objects.order_by("-id").first()
    assert read.subject_student_id == case.student_id
    assert read.activity == "route.case"
    # a call that touches no youth still leaves a record, without a data subject
    client.get("/api/v1/organisations")
    record = ProcessingLogRecord.objects.order_by("-id").first()
    assert record.activity == "api.call"
    assert record.subject_student_id is None
    assert record.actor == region1.coordinator
    # a refused call too
    APIClient().get("/api/v1/cases")
    refused = ProcessingLogRecord.objects.order_by("-id").first()
    assert refused.status == "denied" and refused.actor is None
    assert ProcessingLogRecord.objects.count() == before + 3


def test_revoked_and_expired_tokens_are_refused(region1):
    new = api_token_create(
        actor=region1.coordinator,
        name="x",
        scope="read",
        expires_on=today() + dt.timedelta(days=1),
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {new.secret}")
    assert client.get("/api/v1/cases").status_code == 200
    ApiToken.objects.filter(pk=new.token.pk).update(expires_at=timezone.now())
    assert client.get("/api/v1/cases").status_code == 401
    ApiToken.objects.filter(pk=new.token.pk).update(
        expires_at=timezone.now() + dt.timedelta(days=1)
    )
    api_token_revoke(actor=region1.coordinator, token_id=new.token.pk)
    assert client.get("/api/v1/cases").status_code == 401


def test_token_is_stored_hashed(region1):
    new = api_token_create(
        actor=region1.coordinator,
        name="x",
        scope="read",
        expires_on=today() + dt.timedelta(days=1),
    )
    stored = ApiToken.objects.get(pk=new.token.pk)
    assert new.secret not in (stored.token_hash, stored.prefix)
    assert len(stored.token_hash) == 64


@pytest.mark.parametrize("days", [0, -1, 400])
def test_token_expiry_must_be_in_the_future_and_within_a_year(region1, days):
    with pytest.raises(DomainError):
        api_token_create(
            actor=region1.coordinator,
            name="x",
            scope="read",
            expires_on=today() + dt.timedelta(days=days),
        )
    assert not ApiToken.objects.exists()


def test_someone_elses_token_cannot_be_revoked(region1):
    new = api_token_create(
        actor=region1.coordinator,
        name="x",
        scope="read",
        expires_on=today() + dt.timedelta(days=1),
    )
    with pytest.raises(DomainError):
        api_token_revoke(actor=region1.other_coordinator, token_id=new.token.pk)
    assert ApiToken.objects.get(pk=new.token.pk).revoked_at is None


def test_session_works_too(region1, client):
    case = region1.open_case()
    client.force_login(region1.coordinator)
    response = client.get("/api/v1/cases")
    assert response.status_code == 200
    assert response.json()["results"][0]["id"] == case.pk


def test_list_query_count_does_not_grow(region1, api, django_assert_max_num_queries):
    client = api(region1.coordinator)
    for _ in range(3):
        region1.open_case()
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/cases").status_code == 200
    for _ in range(20):
        region1.open_case()
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/cases?pageSize=50").json()["results"]) == 23


@pytest.mark.parametrize(
    "query",
    ["school=%C2%B2", "student=%C2%B2", "page=%C2%B2", "pageSize=%C2%B2", "pageSize=101", "page=0"],
)
def test_odd_numbers_in_the_query_are_400_not_500(region1, api, query):
    """'²'.isdigit() is true but int('²') fails: such input is refused as invalid."""
    response = api(region1.coordinator).get(f"/api/v1/cases?{query}")
    assert response.status_code == 400, response.content
    problem_of(response)


def test_unicode_digits_in_the_youth_list_filters_are_ignored(region1, client):
    client.force_login(region1.coordinator)
    for path in ("/jongeren/?mentor=%C2%B2&school=%C2%B2", "/jongeren/export.csv?mentor=%C2%B2"):
        assert client.get(path).status_code == 200
