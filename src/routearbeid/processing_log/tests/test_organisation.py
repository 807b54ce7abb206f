"""Which organisation a log record names, for people with memberships at several organisations.

The log must say through which organisation a person processed a youth's data: a privacy
officer answers for their own organisation's processing (privacy.selectors).
"""

from django.urls import reverse

from routearbeid.organisations.actors import Actor, Seat, actor_for
from routearbeid.organisations.constants import OrganisationKind, Role
from routearbeid.organisations.models import Membership
from routearbeid.processing_log.models import ProcessingLogRecord
from routearbeid.processing_log.services import (
    case_organisation_id,
    case_processing_log,
    processing_log_record,
)
from routearbeid.route.models import Case
from routearbeid.route.selectors import case_get
from routearbeid.route.services import case_open, involvement_request
from routearbeid.tests.people import make_user


def two_school_mentor(region1):
    """A mentor at school A (oldest membership) who also mentors at school B."""
    user = make_user("mentor-ab", region1.school, Role.MENTOR)
    Membership.objects.create(user=user, organisation=region1.other_school, role=Role.MENTOR)
    return user


def school_b_case(region1):
    student = region1.student(school=region1.other_school, first_name="Bea", last_name="Bschool")
    return case_open(actor=region1.other_coordinator, student_id=student.pk)


def test_primary_organisation_is_the_oldest_membership_whatever_the_seat_order():
    def seat(org, membership_id, role=Role.MENTOR):
        return Seat(org, OrganisationKind.SCHOOL, role, 1, "Alkmaar", membership_id=membership_id)

    seats = (seat(20, 9), seat(30, 4, Role.FUNCTIONAL_ADMIN), seat(10, 5))
    assert Actor(user=None, seats=seats).primary_organisation_id() == 10  # type: ignore[arg-type]
    reversed_ = Actor(user=None, seats=tuple(reversed(seats)))  # type: ignore[arg-type]
    assert reversed_.primary_organisation_id() == 10
    admin_only = Actor(user=None, seats=(seat(30, 4, Role.FUNCTIONAL_ADMIN),))  # type: ignore[arg-type]
    assert admin_only.primary_organisation_id() == 30


def test_a_mentor_at_two_schools_reading_a_school_b_youth_is_logged_under_school_b(client, region1):
    """Need to know: the record names school B, so school A's privacy officer does not answer
    for school B's youth (404), even after the mentor's list reads."""
    mentor = two_school_mentor(region1)
    case = school_b_case(region1)
    client.force_login(mentor)
    assert client.get(reverse("route:student", args=[case.student_id])).status_code == 200
    assert client.get(reverse("students:list")).status_code == 200
    case_get(actor=actor_for(mentor), case_id=case.pk)  # the case read
    reads = ProcessingLogRecord.objects.filter(subject_student_id=case.student_id, actor=mentor)
    assert set(reads.values_list("activity", "organisation_id")) == {
        ("students.student", region1.other_school.pk),  # the page and the list
        ("route.case", region1.other_school.pk),
    }

    client.force_login(region1.privacy_officer)  # school A's
    assert client.get(reverse("privacy:subject_log", args=[case.student_id])).status_code == 404


def test_a_person_at_a_school_and_the_work_service_is_logged_under_the_involved_one(region1):
    person = make_user("dubbel", region1.school, Role.MENTOR)
    Membership.objects.create(
        user=person, organisation=region1.work_service, role=Role.WORK_SERVICE_MANAGER
    )
    case = school_b_case(region1)
    involvement_request(
        actor=region1.other_coordinator, case_id=case.pk, organisation_id=region1.work_service.pk
    )
    case_processing_log(actor_for(person), case, "route.case", "read")
    record = ProcessingLogRecord.objects.get(subject_student_id=case.student_id, actor=person)
    assert record.organisation_id == region1.work_service.pk


def test_the_organisation_costs_no_query_for_a_school_case_and_one_for_a_partner(
    region1, django_assert_num_queries
):
    mentor = actor_for(two_school_mentor(region1))
    case = Case.objects.select_related("student").get(pk=school_b_case(region1).pk)
    with django_assert_num_queries(0):
        assert case_organisation_id(mentor, case, "route.case") == region1.other_school.pk
    single = actor_for(region1.work_service_manager)
    with django_assert_num_queries(0):
        assert case_organisation_id(single, case, "route.case") == region1.work_service.pk
    both = make_user("rmc-lp", region1.leerplicht, Role.LEERPLICHT_OFFICER)
    Membership.objects.create(user=both, organisation=region1.rmc, role=Role.RMC_OFFICER)
    partner = actor_for(both)
    with django_assert_num_queries(1):
        assert case_organisation_id(partner, case, "route.case") == region1.leerplicht.pk


def test_a_list_read_of_an_own_task_is_logged_under_that_organisation(region1):
    """A Leerplicht officer who is also the RMC reads the monitoring list: under the RMC."""
    both = make_user("lp-rmc", region1.leerplicht, Role.LEERPLICHT_OFFICER)
    Membership.objects.create(user=both, organisation=region1.rmc, role=Role.RMC_OFFICER)
    student = region1.student()
    actor = actor_for(both)
    processing_log_record(
        actor=actor, operation="read", activity="aftercare.monitoring", student_ids=[student.pk]
    )
    processing_log_record(
        actor=actor, operation="read", activity="students.student", student_ids=[student.pk]
    )
    by_activity = dict(
        ProcessingLogRecord.objects.filter(actor=both).values_list("activity", "organisation_id")
    )
    assert by_activity == {
        "aftercare.monitoring": region1.rmc.pk,
        "students.student": region1.leerplicht.pk,  # the oldest membership
    }
