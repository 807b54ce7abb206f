"""Who opens the privacy officer's screens, and which youth they answer for (need to know)."""

import pytest
from django.urls import reverse

from routearbeid.organisations.actors import actor_for
from routearbeid.organisations.constants import Role
from routearbeid.privacy.selectors import privacy_subjects
from routearbeid.processing_log.models import ProcessingLogRecord, Status
from routearbeid.processing_log.services import processing_log_record
from routearbeid.route.selectors import visible_cases_q
from routearbeid.tests.people import make_user

NON_OFFICERS = [
    "coordinator",
    "mentor",
    "other_coordinator",
    "work_service_manager",
    "rmc_officer",
    "leerplicht_officer",
    "swv_officer",
    "route_coordinator",
    "admin",
]


def urls(student_id):
    return [
        reverse("privacy:search"),
        reverse("privacy:activities"),
        reverse("privacy:subject_log", args=[student_id]),
        reverse("privacy:inzage_json", args=[student_id]),
        reverse("privacy:inzage_pdf", args=[student_id]),
    ]


@pytest.mark.parametrize("person", NON_OFFICERS)
def test_only_privacy_officers_open_the_privacy_screens(client, region1, person):
    student = region1.student()
    client.force_login(getattr(region1, person))
    for url in urls(student.pk)[:3]:
        assert client.get(url).status_code == 404, url


def test_anonymous_visitors_go_to_the_login(client, region1):
    student = region1.student()
    for url in urls(student.pk):
        response = client.get(url)
        assert response.status_code == 302
        assert "/inloggen/" in response["Location"]


def test_the_privacy_officer_opens_the_register_of_activities(client, region1):
    client.force_login(region1.privacy_officer)
    page = client.get(reverse("privacy:activities")).content.decode()
    assert "privacy.access_request" in page
    assert "route.handover" in page


def test_school_a_officer_gets_own_youth_and_404_for_school_b(client, region1):
    own = region1.student(first_name="Eigen", last_name="Leerling")
    other = region1.student(school=region1.other_school, first_name="Andere", last_name="School")
    client.force_login(region1.privacy_officer)
    assert client.get(reverse("privacy:subject_log", args=[own.pk])).status_code == 200
    for url in urls(other.pk)[2:]:
        assert client.get(url).status_code == 404, url
    # the refused request is logged as such, with the officer as actor
    denied = ProcessingLogRecord.objects.filter(
        subject_student_id=other.pk, actor=region1.privacy_officer, status=Status.DENIED
    )
    assert denied.count() == 3
    # …and it does not widen the officer's view
    assert client.get(reverse("privacy:subject_log", args=[other.pk])).status_code == 404
    page = client.get(reverse("privacy:search"), {"q": "School"}).content.decode()
    assert "Andere" not in page
    page = client.get(reverse("privacy:search"), {"q": "Leerling"}).content.decode()
    assert "Eigen" in page


def test_a_nonexistent_youth_is_404_without_a_log_record(client, region1):
    client.force_login(region1.privacy_officer)
    assert client.get(reverse("privacy:subject_log", args=[999999])).status_code == 404
    assert not ProcessingLogRecord.objects.filter(subject_student_id=999999).exists()


def test_the_privacy_officer_does_no_case_work(client, region1):
    """No youth page, no youth list, no cases: visible_cases_q gives nothing."""
    case = region1.open_case()
    actor = actor_for(region1.privacy_officer)
    assert visible_cases_q(actor) is None
    client.force_login(region1.privacy_officer)
    assert client.get(reverse("route:student", args=[case.student_id])).status_code == 404
    page = client.get(reverse("students:list")).content.decode()
    assert case.student.last_name not in page


def test_work_service_officer_answers_for_youth_handed_over_or_involved(region1):
    officer = make_user("fg-halte", region1.work_service, Role.PRIVACY_OFFICER)
    handed = region1.open_case()
    region1.involve(handed)
    region1.decide_work(handed)
    region1.skip_aba(handed)
    region1.hand_over(handed)
    involved = region1.open_case()
    from routearbeid.route.services import involvement_request

    involvement_request(
        actor=region1.coordinator, case_id=involved.pk, organisation_id=region1.work_service.pk
    )
    untouched = region1.open_case()
    subjects = set(privacy_subjects(officer).values_list("pk", flat=True))
    assert handed.student_id in subjects
    assert involved.student_id in subjects
    assert untouched.student_id not in subjects


def test_rmc_officer_answers_for_involved_youth_and_those_the_rmc_processed(region1):
    """R-RMC-1: the RMC answers for the youth on its monitoring list it read, without an
    involvement; a log record of another activity under the RMC does not count."""
    officer = make_user("fg-rmc", region1.rmc, Role.PRIVACY_OFFICER)
    involved = region1.open_case()
    region1.involve(involved, leerplicht=False)
    monitored = region1.student()
    rmc = actor_for(region1.rmc_officer)
    processing_log_record(
        actor=rmc, operation="read", activity="aftercare.monitoring", student_ids=[monitored.pk]
    )
    only_read = region1.student()
    processing_log_record(
        actor=rmc, operation="read", activity="students.student", student_ids=[only_read.pk]
    )
    other = region1.open_case()
    subjects = set(privacy_subjects(officer).values_list("pk", flat=True))
    assert involved.student_id in subjects
    assert monitored.pk in subjects
    assert only_read.pk not in subjects
    assert other.student_id not in subjects


def test_the_log_widens_only_within_the_organisations_region(region1):
    """A monitoring record of region 1's RMC about another region's youth does not count."""
    from routearbeid.tests.people import Region1

    elsewhere = Region1.build("Regio Elders")
    officer = make_user("fg-rmc", region1.rmc, Role.PRIVACY_OFFICER)
    stranger = elsewhere.student()
    processing_log_record(
        actor=actor_for(region1.rmc_officer),
        operation="read",
        activity="aftercare.monitoring",
        student_ids=[stranger.pk],
    )
    assert not privacy_subjects(officer).filter(pk=stranger.pk).exists()


def test_a_school_does_not_answer_for_another_schools_youth_it_read(region1):
    """A list read logged under school A (a person's oldest membership) about school B's youth
    does not make school A's privacy officer answer for them."""
    other = region1.student(school=region1.other_school)
    processing_log_record(
        actor=actor_for(region1.coordinator),
        operation="read",
        activity="students.student",
        student_ids=[other.pk],
        organisation_id=region1.school.pk,
    )
    assert not privacy_subjects(region1.privacy_officer).filter(pk=other.pk).exists()


def test_the_log_shows_every_organisation_and_filters(client, region1):
    case = region1.open_case()
    region1.involve(case)
    student = case.student
    client.force_login(region1.rmc_officer)
    client.get(reverse("route:student", args=[student.pk]))
    client.force_login(region1.privacy_officer)
    url = reverse("privacy:subject_log", args=[student.pk])
    page = client.get(url).content.decode()
    assert region1.rmc.name in page
    assert region1.school.name in page
    # filter on one organisation: only its records
    page = client.get(url, {"organisation": region1.rmc.pk}).content.decode()
    rows = page.split("<tbody", 1)[1]
    assert region1.rmc.name in rows
    assert region1.school.name not in rows.split("</tbody>")[0]
    # filter on operation "create": the opening and the involvement requests, no reads
    page = client.get(url, {"operation": "create"}).content.decode()
    tbody = page.split("<tbody", 1)[1].split("</tbody>")[0]
    assert "Lezen" not in tbody and "Read" not in tbody
    # a period in the past: nothing
    page = client.get(url, {"since": "2001-01-01", "until": "2001-12-31"}).content.decode()
    assert "<tbody" not in page
    # a period the wrong way round: a message, no crash
    response = client.get(url, {"since": "2030-01-02", "until": "2030-01-01"})
    assert response.status_code == 200
    assert "utrecht-form-field-error-message" in response.content.decode()


def test_the_log_tells_the_youths_own_reads_from_the_systems(client, region1):
    """Records without a person: the youth on their report page, or a scheduled task."""
    from routearbeid.processing_log.services import processing_log_record

    case = region1.open_case()
    processing_log_record(
        actor=None, operation="read", activity="portal.self_report", student_ids=[case.student_id]
    )
    processing_log_record(
        actor=None, operation="update", activity="aftercare.signal", student_ids=[case.student_id]
    )
    client.force_login(region1.privacy_officer)
    page = client.get(reverse("privacy:subject_log", args=[case.student_id])).content.decode()
    assert page.count("De jongere (eigen meldpagina)") == 1
    assert page.count("Het systeem (geplande taak)") == 1


def test_viewing_the_log_and_searching_are_logged(client, region1):
    student = region1.student(last_name="Gezocht")
    client.force_login(region1.privacy_officer)
    client.get(reverse("privacy:search"), {"q": "Gezocht"})
    client.get(reverse("privacy:subject_log", args=[student.pk]))
    reviews = ProcessingLogRecord.objects.filter(
        subject_student_id=student.pk,
        actor=region1.privacy_officer,
        activity="privacy.log_review",
        operation="read",
        status=Status.OK,
    )
    assert reviews.count() == 2
    assert set(reviews.values_list("organisation_id", flat=True)) == {region1.school.pk}


def _log_records(student, n, actor):
    for _ in range(n):
        processing_log_record(
            actor=actor, operation="read", activity="route.case", student_ids=[student.pk]
        )


def test_log_page_query_count_does_not_grow_with_rows(client, region1, django_assert_num_queries):
    """Conventions §5: the same number of queries with 1 and with 20 rows (and pages)."""
    one = region1.student()
    many = region1.student()
    actor = actor_for(region1.coordinator)
    _log_records(one, 1, actor)
    _log_records(many, 120, actor)
    client.force_login(region1.privacy_officer)
    client.get(reverse("privacy:subject_log", args=[one.pk]))  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(reverse("privacy:subject_log", args=[one.pk]))
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(reverse("privacy:subject_log", args=[many.pk]), {"page": 2})
    page = response.content.decode()
    assert "2 / 3" in page or "2 van 3" in page or "Page 2 of 3" in page


def swv_officer_and_youth(region1):
    """An SWV privacy officer, and a youth with a PGN whose case the SWV is involved in."""
    from routearbeid.route.services import involvement_request

    officer = make_user("fg-swv", region1.swv, Role.PRIVACY_OFFICER)
    case = region1.open_case(first_name="Pim", last_name="Pgn", pgn="123456789")
    involvement_request(actor=region1.coordinator, case_id=case.pk, organisation_id=region1.swv.pk)
    return officer, case.student


def test_an_swv_officer_cannot_search_by_pgn_but_a_school_officer_can(client, region1):
    """The PGN is for school and work-service roles only; the SWV may not use it by law."""
    officer, student = swv_officer_and_youth(region1)
    assert privacy_subjects(officer).filter(pk=student.pk).exists()  # the SWV answers for them
    client.force_login(officer)
    assert "Pim" not in client.get(reverse("privacy:search"), {"q": "123456789"}).content.decode()
    assert "Pim" in client.get(reverse("privacy:search"), {"q": "Pgn"}).content.decode()
    client.force_login(region1.privacy_officer)  # the youth's school
    assert "Pim" in client.get(reverse("privacy:search"), {"q": "123456789"}).content.decode()
