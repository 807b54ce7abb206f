"""Who sees what and who may change what (domain.md, "Who sees what (need to know)").

Every test has a control that must pass and a case that must fail: a case another person must
not see reads as "not found", exactly like a case that does not exist.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from routearbeid.aftercare import services as aftercare_services
from routearbeid.aftercare.models import Signal
from routearbeid.core import sqlcache
from routearbeid.core.dates import add_years, birthday, today
from routearbeid.core.errors import NotFound, PermissionDenied
from routearbeid.employment import services as employment_services
from routearbeid.employment.models import Employer
from routearbeid.meetings import services as meeting_services
from routearbeid.organisations.actors import actor_for
from routearbeid.organisations.constants import OrganisationKind, Role
from routearbeid.organisations.models import Organisation, User
from routearbeid.route import services
from routearbeid.route.constants import HandoverForm, LegalBasis, Stage
from routearbeid.route.models import Case, Handover, Involvement, TimelineEvent
from routearbeid.route.selectors import case_get, case_list, case_timeline
from routearbeid.students.models import Student
from routearbeid.students.selectors import student_get, student_list, visible_students
from routearbeid.tests.people import Region1, make_user

MISSING_ID = 987_654_321


def sees(user, case) -> bool:
    """True when case_get returns the case; False on NotFound (anything else is an error)."""
    try:
        found = case_get(actor=user, case_id=case.pk)
    except NotFound:
        return False
    assert found.pk == case.pk
    return True


def listed(user, case) -> bool:
    return case_list(actor=user).filter(pk=case.pk).exists()


def assert_sees(user, case) -> None:
    assert sees(user, case), f"{user} must see case {case.pk}"
    assert listed(user, case), f"case {case.pk} must be in the list of {user}"
    assert visible_students(user).filter(pk=case.student_id).exists()
    assert student_get(actor=user, student_id=case.student_id).pk == case.student_id


def assert_not_sees(user, case) -> None:
    assert not sees(user, case), f"{user} must not see case {case.pk}"
    assert not listed(user, case), f"case {case.pk} must not be in the list of {user}"
    assert not visible_students(user).filter(pk=case.student_id).exists()
    with pytest.raises(NotFound):
        student_get(actor=user, student_id=case.student_id)


def ask(r: Region1, case: Case, org: Organisation) -> None:
    """The school asks the organisation to take part in the case (an involvement request)."""
    services.involvement_request(actor=r.coordinator, case_id=case.pk, organisation_id=org.pk)


def open_at_school_b(r: Region1, **student_kwargs) -> Case:
    student = r.student(school=r.other_school, **student_kwargs)
    return services.case_open(actor=r.other_coordinator, student_id=student.pk)


def in_aftercare(r: Region1, **student_kwargs) -> Case:
    case = r.ready_for_outflow(**student_kwargs)
    return r.outflow(case)


def travel_to(day: dt.date):
    """Travel to noon of `day` in the project's time zone (today() follows)."""
    return time_machine.travel(
        dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_default_timezone()), tick=False
    )


# --- not found reads the same as missing ---------------------------------------------------


def test_not_visible_case_reads_exactly_like_a_missing_case(region1):
    case = region1.open_case()
    with pytest.raises(NotFound) as hidden:
        case_get(actor=region1.other_coordinator, case_id=case.pk)
    with pytest.raises(NotFound) as missing:
        case_get(actor=region1.other_coordinator, case_id=MISSING_ID)
    assert type(hidden.value) is type(missing.value)
    assert str(hidden.value) == str(missing.value)
    assert hidden.value.rule_ids == missing.value.rule_ids
    # the control: the same call by the student's own school finds it
    assert case_get(actor=region1.coordinator, case_id=case.pk).pk == case.pk


def test_bad_ids_are_not_found_not_a_crash(region1, client):
    for bad in ("abc", None, -1, 2**70):
        with pytest.raises(NotFound):
            case_get(actor=region1.coordinator, case_id=bad)
        for person in (region1.coordinator, region1.work_service_manager):
            with pytest.raises(NotFound):
                student_get(actor=person, student_id=bad)
    # the youth page takes any number of digits
    for person in (region1.coordinator, region1.work_service_manager, region1.rmc_officer):
        client.force_login(person)
        assert client.get(f"/jongeren/{2**70}/").status_code == 404


def test_case_timeline_is_scoped_like_the_case(region1):
    case = region1.open_case()
    assert case_timeline(actor=region1.coordinator, case_id=case.pk).exists()
    with pytest.raises(NotFound):
        case_timeline(actor=region1.other_coordinator, case_id=case.pk)


# --- school ---------------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["coordinator", "mentor"])
def test_school_roles_see_own_school_cases_not_another_schools(region1, person):
    user = getattr(region1, person)
    own = region1.open_case()
    other = open_at_school_b(region1)
    assert_sees(user, own)
    assert_not_sees(user, other)


def test_other_school_sees_its_own_case_not_school_a(region1):
    own = region1.open_case()
    other = open_at_school_b(region1)
    assert_sees(region1.other_coordinator, other)
    assert_not_sees(region1.other_coordinator, own)


def test_school_keeps_seeing_its_case_after_outflow_and_after_withdrawal(region1):
    after = in_aftercare(region1)
    withdrawn = region1.open_case()
    services.case_withdraw(
        actor=region1.coordinator, case_id=withdrawn.pk, reason="Kiest toch mbo."
    )
    for case in (after, withdrawn):
        assert_sees(region1.coordinator, case)
        assert_sees(region1.mentor, case)
        assert_not_sees(region1.other_coordinator, case)


def test_school_sees_own_students_without_a_case_but_not_another_schools(region1):
    own = region1.student()
    other = region1.student(school=region1.other_school)
    assert student_get(actor=region1.mentor, student_id=own.pk).pk == own.pk
    assert list(student_list(actor=region1.coordinator)) == [own]
    with pytest.raises(NotFound):
        student_get(actor=region1.coordinator, student_id=other.pk)
    assert list(student_list(actor=region1.other_coordinator)) == [other]


# --- work service (R-HO-1) ------------------------------------------------------------------


def test_work_service_sees_a_case_once_asked_to_be_involved(region1):
    case = region1.open_case()
    untouched = region1.open_case()
    assert_not_sees(region1.work_service_manager, case)
    ask(region1, case, region1.work_service)
    assert_sees(region1.work_service_manager, case)
    assert_not_sees(region1.work_service_manager, untouched)


def test_a_partners_youth_pages_share_one_kept_query_that_asks_for_each_youth(client, region1):
    """For partner seats, whether a youth's page may open is asked from SQL compiled once per
    person and day (core.sqlcache; issue #7), with each youth's id put in: one youth's answer
    never opens another's page, a new link counts from the next request on, and another
    person's seats have their own query."""
    sqlcache.clear()
    seen, unseen = region1.open_case(), region1.open_case()
    ask(region1, seen, region1.work_service)
    pages = {case: reverse("route:student", args=[case.student_id]) for case in (seen, unseen)}
    client.force_login(region1.work_service_manager)
    assert client.get(pages[seen]).status_code == 200
    kept = set(sqlcache._compiled)
    assert client.get(pages[unseen]).status_code == 404
    ask(region1, unseen, region1.work_service)
    assert client.get(pages[unseen]).status_code == 200
    assert set(sqlcache._compiled) == kept  # the same two queries, not compiled again
    client.force_login(region1.rmc_officer)
    assert client.get(pages[seen]).status_code == 404
    assert len(sqlcache._compiled) > len(kept)


def test_r_ho_1_work_service_sees_the_case_from_the_handover_on(region1):
    """R-HO-1: from the handover on, the receiving organisation can see the case."""
    case = region1.open_case()
    control = region1.open_case()
    ask(region1, case, region1.rmc)  # another organisation's involvement does not count
    assert_not_sees(region1.work_service_manager, case)
    region1.hand_over(case)
    assert not Involvement.objects.filter(case=case, organisation=region1.work_service).exists()
    assert_sees(region1.work_service_manager, case)
    assert_not_sees(region1.work_service_manager, control)


def test_r_ho_1_handover_to_another_party_lets_that_party_see_the_case(region1):
    """R-HO-1: the receiving organisation may be another party than the work service."""
    case = region1.open_case()
    assert_not_sees(region1.swv_officer, case)
    services.handover_record(
        actor=region1.coordinator,
        case_id=case.pk,
        receiving_organisation_id=region1.swv.pk,
        receiving_person="S. Verband",
        handed_over_on=today(),
        form=HandoverForm.MEETING,
        legal_basis=LegalBasis.LEGAL_TASK,
    )
    assert_sees(region1.swv_officer, case)
    # the work service did not receive this handover and is not involved
    assert_not_sees(region1.work_service_manager, case)


def test_r_ho_1_only_the_receiving_organisation_accepts_the_handover(region1):
    """R-HO-1: the receiving party (here the SWV) accepts; the work service cannot."""
    case = region1.open_case()
    ask(region1, case, region1.work_service)
    services.handover_record(
        actor=region1.coordinator,
        case_id=case.pk,
        receiving_organisation_id=region1.swv.pk,
        receiving_person="S. Verband",
        handed_over_on=today(),
        form=HandoverForm.PHONE,
        legal_basis=LegalBasis.LEGAL_TASK,
    )
    with pytest.raises(PermissionDenied):
        services.handover_accept(actor=region1.work_service_manager, case_id=case.pk)
    accepted = services.handover_accept(actor=region1.swv_officer, case_id=case.pk)
    assert accepted.accepted_by == region1.swv_officer


def test_handover_does_not_open_the_case_to_the_receiving_organisations_administrator(region1):
    ws_admin = make_user("hw-beheer", region1.work_service, Role.FUNCTIONAL_ADMIN)
    case = region1.open_case()
    region1.hand_over(case)
    ask(region1, case, region1.work_service)
    assert_sees(region1.work_service_manager, case)
    assert_not_sees(ws_admin, case)


# --- RMC (R-RMC-1) --------------------------------------------------------------------------


def test_rmc_sees_cases_where_it_is_involved(region1):
    case = region1.open_case()
    control = region1.open_case()
    ask(region1, case, region1.rmc)
    assert_sees(region1.rmc_officer, case)
    assert_not_sees(region1.rmc_officer, control)


@pytest.fixture
def second_rmc(region1):
    """A second RMC office in the region that is involved in no case: it sees only the monitoring list."""
    rmc = Organisation.objects.create(
        region=region1.region, kind=OrganisationKind.RMC, name="RMC Noord", municipality="Heiloo"
    )
    return make_user("rmc-noord", rmc, Role.RMC_OFFICER)


def test_r_rmc_1_rmc_sees_the_monitoring_list_of_its_own_region_not_another(region1, second_rmc):
    """R-RMC-1: a youth without startkwalificatie is on the RMC's list from outflow to age 23."""
    region2 = Region1.build(name="Regio Twee")
    before_outflow = region1.ready_for_outflow()
    monitored = in_aftercare(region1, age=19)
    qualified = in_aftercare(region1, age=19, qualified=True)
    assert monitored.rmc_monitoring_ends_on is not None
    assert_sees(second_rmc, monitored)
    assert_not_sees(second_rmc, before_outflow)  # not yet outflowed
    assert_not_sees(second_rmc, qualified)  # has a startkwalificatie
    assert_not_sees(region2.rmc_officer, monitored)  # another region's RMC
    # the involved RMC of the region sees all three
    for case in (before_outflow, monitored, qualified):
        assert_sees(region1.rmc_officer, case)


def test_r_rmc_1_monitoring_ends_on_the_23rd_birthday(region1, second_rmc):
    """R-RMC-1: the youth leaves the monitoring list on the 23rd birthday (setting)."""
    case = in_aftercare(region1, age=22)
    ends = birthday(case.student.date_of_birth, region1.region.rmc_age_limit)
    assert case.rmc_monitoring_ends_on == ends
    with travel_to(ends - dt.timedelta(days=1)):
        assert_sees(second_rmc, case)
    with travel_to(ends):
        assert_not_sees(second_rmc, case)
        assert_sees(region1.rmc_officer, case)  # still involved
        assert_sees(region1.coordinator, case)


def test_r_rmc_1_monitoring_list_follows_the_region_setting(region1, second_rmc):
    """R-RMC-1: the age limit is a setting of the region (the law may raise it to 27)."""
    region1.region.rmc_age_limit = 27
    region1.region.save(update_fields=["rmc_age_limit"])
    case = in_aftercare(region1, age=24)
    assert case.rmc_monitoring_ends_on == birthday(case.student.date_of_birth, 27)
    assert_sees(second_rmc, case)


@pytest.mark.parametrize("obtained_days_ago", [0, 1, 400])
def test_r_rmc_1_monitoring_stops_once_a_startkwalificatie_is_recorded(
    region1, second_rmc, obtained_days_ago
):
    """R-RMC-1: ... or until a startkwalificatie is recorded: from the day it is recorded,
    whenever it was obtained (before or after the outflow). The RMC's part reads the case's own
    monitoring end (its index, issue #7), which recording moves to that day at the latest."""
    case = in_aftercare(region1, age=19)
    other = in_aftercare(region1, age=19)
    assert_sees(second_rmc, case)
    services.basic_qualification_record(
        actor=region1.coordinator,
        student_id=case.student_id,
        on=today() - dt.timedelta(days=obtained_days_ago),
    )
    case.refresh_from_db()
    assert case.rmc_monitoring_ends_on <= today()
    assert_not_sees(second_rmc, case)
    assert_sees(second_rmc, other)  # the control: another youth stays on the list


def test_r_rmc_1_a_youth_with_a_startkwalificatie_at_outflow_is_never_monitored(
    region1, second_rmc
):
    case = region1.ready_for_outflow(age=19)
    services.basic_qualification_record(
        actor=region1.coordinator, student_id=case.student_id, on=today() - dt.timedelta(days=30)
    )
    case = region1.outflow(case)
    assert case.stage == Stage.AFTERCARE and case.rmc_monitoring_ends_on is None
    assert_not_sees(second_rmc, case)


# --- Leerplicht -----------------------------------------------------------------------------


def test_leerplicht_sees_involved_under_18_students_of_its_municipality(region1):
    involved = region1.open_case(age=16)
    not_involved = region1.open_case(age=16)
    elsewhere = region1.open_case(age=16, municipality="Bergen")
    adult = region1.open_case(age=19)
    for case in (involved, elsewhere, adult):
        ask(region1, case, region1.leerplicht)
    assert_sees(region1.leerplicht_officer, involved)
    assert_not_sees(region1.leerplicht_officer, not_involved)
    assert_not_sees(region1.leerplicht_officer, elsewhere)
    assert_not_sees(region1.leerplicht_officer, adult)


def test_leerplicht_loses_sight_of_a_student_who_turns_18(region1):
    case = region1.open_case(age=17)
    ask(region1, case, region1.leerplicht)
    turns_18 = birthday(case.student.date_of_birth, 18)
    with travel_to(turns_18 - dt.timedelta(days=1)):
        assert_sees(region1.leerplicht_officer, case)
    with travel_to(turns_18):
        assert_not_sees(region1.leerplicht_officer, case)
        assert_sees(region1.coordinator, case)


def test_leerplicht_sight_of_a_29_february_child_ends_on_28_february(region1):
    """The 18th birthday of a child born on 29 February falls on 28 February (core.dates.age_on)."""
    student = Student.objects.create(
        school=region1.school,
        first_name="Schrikkel",
        last_name="Kind",
        date_of_birth=dt.date(2012, 2, 29),
        municipality="Alkmaar",
    )
    with travel_to(dt.date(2029, 6, 1)):
        case = services.case_open(actor=region1.coordinator, student_id=student.pk)
        ask(region1, case, region1.leerplicht)
    with travel_to(dt.date(2030, 2, 27)):
        assert student.age_on(today()) == 17
        assert_sees(region1.leerplicht_officer, case)
    with travel_to(dt.date(2030, 2, 28)):
        assert student.age_on(today()) == 18
        assert_not_sees(region1.leerplicht_officer, case)


def test_leerplicht_office_is_scoped_to_its_own_municipality_per_office(region1):
    """An officer of two offices sees, per office, only that office's involved municipality."""
    heiloo = Organisation.objects.create(
        region=region1.region,
        kind=OrganisationKind.LEERPLICHT,
        name="Leerplicht Heiloo",
        municipality="Heiloo",
    )
    officer = make_user("lp-twee", region1.leerplicht, Role.LEERPLICHT_OFFICER)
    officer.memberships.create(organisation=heiloo, role=Role.LEERPLICHT_OFFICER)
    # Heiloo's office is involved, but the student lives in Alkmaar: Alkmaar's office is not involved.
    crossed = region1.open_case(age=16)
    ask(region1, crossed, heiloo)
    own = region1.open_case(age=16, municipality="Heiloo")
    ask(region1, own, heiloo)
    assert_sees(officer, own)
    assert_not_sees(officer, crossed)


# --- SWV ------------------------------------------------------------------------------------


def test_swv_sees_only_cases_where_it_is_involved(region1):
    case = region1.open_case()
    control = region1.open_case()
    ask(region1, control, region1.rmc)
    ask(region1, case, region1.swv)
    assert_sees(region1.swv_officer, case)
    assert_not_sees(region1.swv_officer, control)


# --- route coordinator ----------------------------------------------------------------------


def test_route_coordinator_sees_students_on_agendas_of_its_regions_meetings(region1):
    region2 = Region1.build(name="Regio Twee")
    on_agenda = region1.open_case()
    control = region1.open_case()
    assert_not_sees(region1.route_coordinator, on_agenda)
    meeting = meeting_services.meeting_plan(
        actor=region1.route_coordinator, region_id=region1.region.pk, scheduled_on=today()
    )
    meeting_services.agenda_item_add(
        actor=region1.coordinator, meeting_id=meeting.pk, case_id=on_agenda.pk
    )
    assert_sees(region1.route_coordinator, on_agenda)
    assert_not_sees(region1.route_coordinator, control)
    assert_not_sees(region2.route_coordinator, on_agenda)


# --- functional administrator and other regions ---------------------------------------------


@pytest.fixture
def everything(region1):
    """Region 1 with a case linked to every organisation: on an agenda, involved, handed over,
    in aftercare and on the monitoring list; and an under-18 case Leerplicht is involved in."""
    full = in_aftercare(region1, age=19)
    ask(region1, full, region1.work_service)
    ask(region1, full, region1.swv)
    young = region1.open_case(age=16)
    for org in (region1.leerplicht, region1.rmc, region1.swv, region1.work_service):
        ask(region1, young, org)
    region1.hand_over(young)
    return [full, young]


@pytest.mark.parametrize(
    "person",
    [
        "work_service_manager",
        "rmc_officer",
        "leerplicht_officer",
        "swv_officer",
        "route_coordinator",
    ],
)
def test_counts_and_id_pages_from_the_parts_own_rows_equal_the_general_way(
    region1, everything, person
):
    """The lists' counts and the API's pages in id order are read from each partner part's own
    rows (CaseAccess.link_count and link_case_ids, issue #7): the same numbers and ids as the
    general shapes (case_list, visible_students), for every partner role, with cases seen for
    several reasons at once and youth with more than one case."""
    from routearbeid.route.selectors import case_access

    region1.rmc_cases()
    region1.work_service_links()
    user = getattr(region1, person)
    access = case_access(actor_for(user))
    assert access.from_parts
    ids = sorted(case_list(actor=user).values_list("pk", flat=True))
    students = visible_students(user)
    assert ids, "the data must give this role something to see"
    assert access.link_count() == len(ids) == case_list(actor=user).count()
    assert access.link_count(of="student") == students.count() == len(set(students))
    assert access.link_case_ids(len(ids) + 3) == ids
    assert access.link_case_ids(2) == ids[:2]


def test_functional_admin_sees_no_case_data(region1, everything):
    admins = [region1.admin] + [
        make_user(f"beheer-{org.kind}", org, Role.FUNCTIONAL_ADMIN)
        for org in (
            region1.work_service,
            region1.rmc,
            region1.leerplicht,
            region1.swv,
            region1.coordination,
        )
    ]
    for admin in admins:
        assert not case_list(actor=admin).exists()
        assert not visible_students(admin).exists()
        for case in everything:
            assert_not_sees(admin, case)
    # the control: the same data is there for the school
    for case in everything:
        assert_sees(region1.coordinator, case)


PEOPLE = [
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


def test_people_of_another_region_see_nothing_of_region_1(region1, everything):
    region2 = Region1.build(name="Regio Twee")  # its Leerplicht office is also in Alkmaar
    for person in PEOPLE:
        user = getattr(region2, person)
        assert not case_list(actor=user).exists(), person
        assert not visible_students(user).exists(), person
        for case in everything:
            assert_not_sees(user, case)
    # the controls: region 1's own people do see these cases
    assert_sees(region1.rmc_officer, everything[0])
    assert_sees(region1.leerplicht_officer, everything[1])
    assert_sees(region1.work_service_manager, everything[1])


def test_a_link_to_another_regions_organisation_shows_nothing_to_that_region(region1):
    """Involvements and handovers count only within the region: even a stray row that names an
    organisation of another region (involvement_record did not check the region) shows nothing."""
    region2 = Region1.build(name="Regio Twee")
    case = region1.open_case(age=16)
    # Written directly: the services should refuse an organisation of another region.
    for org in (region2.rmc, region2.leerplicht, region2.swv, region2.work_service):
        Involvement.objects.create(case=case, organisation=org, requested_on=today())
    region1.handover_row(case, region2.work_service)
    for person in ("rmc_officer", "leerplicht_officer", "swv_officer", "work_service_manager"):
        assert_not_sees(getattr(region2, person), case)
    # the control: the same links to region 1's own organisations do show the case
    for org in (region1.rmc, region1.leerplicht, region1.swv, region1.work_service):
        ask(region1, case, org)
    for person in ("rmc_officer", "leerplicht_officer", "swv_officer", "work_service_manager"):
        assert_sees(getattr(region1, person), case)


def test_links_keep_their_cases_youth_and_region(region1):
    """Involvements and handovers keep the youth and the region of the youth's school
    (models.KeptFromCase): case_access reads an organisation's cases from the link's own index
    (issue #7), so these must be the case's, however the link was written."""
    case = region1.open_case(age=16)
    ask(region1, case, region1.work_service)  # a request (get_or_create) ...
    region1.ready_for_outflow(case)  # ... recorded involvements (update_or_create), a handover
    # the handover re-recorded to another receiving organisation (update_or_create's update)
    services.handover_record(
        actor=region1.coordinator,
        case_id=case.pk,
        receiving_organisation_id=region1.uwv.pk,
        receiving_person="U. Wv",
        handed_over_on=today(),
        form=HandoverForm.PHONE,
        legal_basis=LegalBasis.LEGAL_TASK,
    )
    # and a row written directly, without the kept fields: save() fills them
    Involvement.objects.create(case=case, organisation=region1.swv, requested_on=today())
    links = [*Involvement.objects.filter(case=case), *Handover.objects.filter(case=case)]
    assert len(links) == 5  # work service, RMC, Leerplicht, SWV; the handover
    for link in links:
        assert (link.student_id, link.student_region_id) == (case.student_id, region1.region.pk)
    assert Handover.objects.get(case=case).receiving_organisation_id == region1.uwv.pk


def test_a_case_keeps_the_region_of_its_youths_school(region1):
    """The case keeps its school's region too (Case.student_region: the RMC's monitoring list
    is read from its own index, issue #7), whether opened by the service or written directly."""
    opened = region1.open_case(age=16)
    at_school_b = open_at_school_b(region1, age=16)
    region2 = Region1.build(name="Regio Twee")
    written = Case.objects.create(student=region2.student(age=17), opened_on=today())
    assert Case.objects.get(pk=opened.pk).student_region_id == region1.region.pk
    assert Case.objects.get(pk=at_school_b.pk).student_region_id == region1.region.pk
    assert Case.objects.get(pk=written.pk).student_region_id == region2.region.pk


def test_a_school_moved_to_another_region_takes_its_cases_links_along(client, region1):
    """Only the platform's operator can move a school to another region (the admin). The links
    to its cases then keep the new region, so region 1's partners no longer see those cases (a
    link counts only within the region), while the school itself still does."""
    region2 = Region1.build(name="Regio Twee")
    moved = region1.ready_for_outflow(age=16)
    stays = open_at_school_b(region1, age=16)
    monitored = in_aftercare(region1, age=19)  # on the RMC's monitoring list (R-RMC-1)
    assert_sees(region1.rmc_officer, monitored)
    assert_not_sees(region2.rmc_officer, monitored)
    for org in (region1.rmc, region1.leerplicht, region1.work_service):
        services.involvement_request(
            actor=region1.other_coordinator, case_id=stays.pk, organisation_id=org.pk
        )
    partners = ("rmc_officer", "leerplicht_officer", "work_service_manager")
    for person in partners:
        assert_sees(getattr(region1, person), moved)

    operator = User.objects.create_superuser("operator", password="x")
    client.force_login(operator)
    school = region1.school
    url = reverse("admin:organisations_organisation_change", args=[school.pk])
    response = client.post(
        url,
        {
            "region": region2.region.pk,
            "kind": school.kind,
            "name": school.name,
            "municipality": school.municipality,
            "email": "",
            "phone": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    links = [*Involvement.objects.filter(case=moved), *Handover.objects.filter(case=moved)]
    assert links and {link.student_region_id for link in links} == {region2.region.pk}
    for person in partners:
        assert_not_sees(getattr(region1, person), moved)
    assert_sees(region1.coordinator, moved)
    # the cases keep the new region too: the new region's RMC monitors the youth, the old not
    assert set(
        Case.objects.filter(student__school=school).values_list("student_region_id", flat=True)
    ) == {region2.region.pk}
    assert_sees(region2.rmc_officer, monitored)
    assert_not_sees(region1.rmc_officer, monitored)
    # the controls: the other school's case, still in region 1, keeps its links and is seen
    kept = Involvement.objects.filter(case=stays)
    assert kept and {link.student_region_id for link in kept} == {region1.region.pk}
    for person in partners:
        assert_sees(getattr(region1, person), stays)


def test_a_school_moved_outside_the_admin_is_put_right_by_keep_link_regions(region1):
    """A school moved by other means (the shell, SQL) keeps its links' old region, so region
    1's partners still find its cases (the narrowed student shape, which tests the school's
    own region first, already does not); `manage.py keep_link_regions` puts the links right."""
    from django.core.management import CommandError, call_command

    region2 = Region1.build(name="Regio Twee")
    moved = region1.ready_for_outflow(age=16)
    Organisation.objects.filter(pk=region1.school.pk).update(region=region2.region)
    # the links still say region 1
    assert sees(region1.work_service_manager, moved) and listed(region1.work_service_manager, moved)

    with pytest.raises(CommandError):
        call_command("keep_link_regions", school=MISSING_ID)
    out = io.StringIO()
    call_command("keep_link_regions", stdout=out)
    links = Involvement.objects.filter(case=moved).count() + 1  # and the handover
    assert links == 3  # RMC, Leerplicht, the work service's handover
    cases = Case.objects.filter(student__school=region1.school).count()
    assert cases == 1
    assert out.getvalue().strip() == f"{cases + links} case(s) and link(s) changed"
    for person in ("rmc_officer", "leerplicht_officer", "work_service_manager"):
        assert_not_sees(getattr(region1, person), moved)
    assert_sees(region1.coordinator, moved)
    out = io.StringIO()
    call_command("keep_link_regions", school=region1.school.pk, stdout=out)
    assert out.getvalue().strip() == "0 case(s) and link(s) changed"


# --- PGN ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "may"),
    [
        ("coordinator", True),
        ("mentor", True),
        ("work_service_manager", True),
        ("other_coordinator", True),
        ("rmc_officer", False),
        ("leerplicht_officer", False),
        ("swv_officer", False),
        ("route_coordinator", False),
        ("admin", False),
    ],
)
def test_may_see_pgn_only_school_and_work_service_roles(region1, person, may):
    assert actor_for(getattr(region1, person)).may_see_pgn is may


def test_may_see_pgn_not_for_inactive_users(region1):
    user = region1.coordinator
    user.is_active = False
    user.save(update_fields=["is_active"])
    user.refresh_from_db()  # a fresh object without the cached actor
    assert actor_for(user).may_see_pgn is False


# --- write permissions ----------------------------------------------------------------------


def test_work_service_cannot_open_withdraw_or_outflow_a_case(region1):
    case = region1.ready_for_outflow()
    ask(region1, case, region1.work_service)
    ws = region1.work_service_manager
    assert sees(ws, case)
    with pytest.raises(PermissionDenied):
        services.case_open(actor=ws, student_id=case.student_id)
    with pytest.raises(PermissionDenied):
        services.case_withdraw(actor=ws, case_id=case.pk, reason="Geen zin meer.")
    with pytest.raises(PermissionDenied):
        services.case_outflow(actor=ws, case_id=case.pk, outflow_on=today())
    case.refresh_from_db()
    assert case.stage == Stage.OUTFLOW
    # the control: the school may outflow the same case
    assert (
        services.case_outflow(actor=region1.coordinator, case_id=case.pk, outflow_on=today()).stage
        == Stage.AFTERCARE
    )


def test_work_service_cannot_open_a_case_for_a_student_it_cannot_see(region1):
    student = region1.student()
    with pytest.raises(NotFound):
        services.case_open(actor=region1.work_service_manager, student_id=student.pk)
    assert (
        services.case_open(actor=region1.coordinator, student_id=student.pk).stage
        == Stage.CONSULTATION
    )


def test_work_service_records_its_own_involvement_not_the_rmcs(region1):
    case = region1.open_case()
    ask(region1, case, region1.work_service)
    ask(region1, case, region1.rmc)
    kwargs = {"person_name": "K. Manager", "involved_on": today(), "advice": "Werk past."}
    with pytest.raises(PermissionDenied):
        services.involvement_record(
            actor=region1.work_service_manager,
            case_id=case.pk,
            organisation_id=region1.rmc.pk,
            **kwargs,
        )
    assert Involvement.objects.get(case=case, organisation=region1.rmc).person_name == ""
    own = services.involvement_record(
        actor=region1.work_service_manager,
        case_id=case.pk,
        organisation_id=region1.work_service.pk,
        **kwargs,
    )
    assert own.person_name == "K. Manager"
    rmc = services.involvement_record(
        actor=region1.rmc_officer, case_id=case.pk, organisation_id=region1.rmc.pk, **kwargs
    )
    assert rmc.person_name == "K. Manager"


def test_leerplicht_records_an_exemption_and_the_rmc_and_work_service_cannot(region1):
    """R-UIT-2: Leerplicht's exemption decision."""
    case = region1.open_case(age=16)
    for org in (region1.leerplicht, region1.rmc, region1.work_service):
        ask(region1, case, org)
    decided = today()
    kwargs = {
        "case_id": case.pk,
        "reference": "LP-2025-001",
        "decided_on": decided,
        "ends_on": decided,
    }
    for person in ("rmc_officer", "work_service_manager"):
        with pytest.raises(PermissionDenied):
            services.exemption_record(actor=getattr(region1, person), **kwargs)
    assert not case.exemptions.exists()
    exemption = services.exemption_record(actor=region1.leerplicht_officer, **kwargs)
    assert exemption.recorded_by == region1.leerplicht_officer


# --- every service: a case the actor cannot see is "not found", never "denied" --------------


@dataclass
class Walked:
    case: Case
    open_student: object
    meeting: object
    item: object
    aba: object
    employment: object
    check: object
    signal: Signal


@pytest.fixture
def walked(region1) -> Walked:
    """A school A case in aftercare with a record of every kind, and a school A student without a case."""
    r = region1
    case = r.open_case(age=19)
    r.involve(case)
    meeting = meeting_services.meeting_plan(
        actor=r.route_coordinator, region_id=r.region.pk, scheduled_on=today()
    )
    item = meeting_services.agenda_item_add(
        actor=r.coordinator, meeting_id=meeting.pk, case_id=case.pk
    )
    meeting_services.meeting_hold(actor=r.route_coordinator, meeting_id=meeting.pk, held_on=today())
    meeting_services.decision_record(
        actor=r.route_coordinator,
        agenda_item_id=item.pk,
        outflow_profile="work",
        reason="Wil werken.",
    )
    aba = employment_services.aba_application_submit(
        actor=r.coordinator, case_id=case.pk, submitted_on=today()
    )
    employment_services.aba_application_update(
        actor=r.coordinator, aba_id=aba.pk, decided_on=today(), outcome="indicatie_banenafspraak"
    )
    r.hand_over(case)
    employment = r.employ(case, kind="fixed_term", ends_on=add_years(today(), 1))
    case = r.outflow(case)
    report = aftercare_services.self_report_record(
        actor=r.coordinator, case_id=case.pk, kind="job_at_risk", channel="phone"
    )
    signal = Signal.objects.filter(case=case, key=f"self-report-{report.pk}").first()
    assert signal is not None
    return Walked(
        case=case,
        open_student=r.student(),
        meeting=meeting,
        item=item,
        aba=aba,
        employment=employment,
        check=case.checks.order_by("sequence").first(),
        signal=signal,
    )


def _employer():
    return Employer.objects.create(name="Bakkerij", kvk_number="87654321")


SERVICE_CALLS = {
    "case_open": lambda r, a, w: services.case_open(actor=a, student_id=w.open_student.pk),
    "involvement_request": lambda r, a, w: services.involvement_request(
        actor=a, case_id=w.case.pk, organisation_id=r.swv.pk
    ),
    "involvement_record": lambda r, a, w: services.involvement_record(
        actor=a,
        case_id=w.case.pk,
        organisation_id=r.rmc.pk,
        person_name="X",
        involved_on=today(),
        advice="Y",
    ),
    "case_profile_establish": lambda r, a, w: services.case_profile_establish(
        actor=a, case_id=w.case.pk, reason="Werk."
    ),
    "case_withdraw": lambda r, a, w: services.case_withdraw(
        actor=a, case_id=w.case.pk, reason="Weg."
    ),
    "aba_skip": lambda r, a, w: services.aba_skip(actor=a, case_id=w.case.pk, reason="Geen."),
    "handover_record": lambda r, a, w: services.handover_record(
        actor=a,
        case_id=w.case.pk,
        receiving_organisation_id=r.work_service.pk,
        receiving_person="K",
        handed_over_on=today(),
        form=HandoverForm.PHONE,
        legal_basis=LegalBasis.LEGAL_TASK,
    ),
    "handover_accept": lambda r, a, w: services.handover_accept(actor=a, case_id=w.case.pk),
    "guardians_record": lambda r, a, w: services.guardians_record(
        actor=a, case_id=w.case.pk, involved=True
    ),
    "case_outflow": lambda r, a, w: services.case_outflow(
        actor=a, case_id=w.case.pk, outflow_on=today()
    ),
    "case_close": lambda r, a, w: services.case_close(
        actor=a, case_id=w.case.pk, on=add_years(today(), 3)
    ),
    "exemption_record": lambda r, a, w: services.exemption_record(
        actor=a, case_id=w.case.pk, reference="LP-1", decided_on=today(), ends_on=today()
    ),
    "employment_record": lambda r, a, w: employment_services.employment_record(
        actor=a,
        case_id=w.case.pk,
        employer_id=_employer().pk,
        kind="permanent",
        starts_on=today(),
        hours_per_week=20,
    ),
    "employment_end": lambda r, a, w: employment_services.employment_end(
        actor=a, employment_id=w.employment.pk, ended_on=today()
    ),
    "aba_application_submit": lambda r, a, w: employment_services.aba_application_submit(
        actor=a, case_id=w.case.pk, submitted_on=today()
    ),
    "aba_application_update": lambda r, a, w: employment_services.aba_application_update(
        actor=a, aba_id=w.aba.pk, received_on=today()
    ),
    "practice_route_record": lambda r, a, w: employment_services.practice_route_record(
        actor=a, case_id=w.case.pk, on=today()
    ),
    "provision_record": lambda r, a, w: employment_services.provision_record(
        actor=a, case_id=w.case.pk, kind="job_coaching", status="advised", status_on=today()
    ),
    "aftercare_check_record": lambda r, a, w: aftercare_services.aftercare_check_record(
        actor=a,
        check_id=w.check.pk,
        recorded_on=today(),
        contact_made=True,
        situation="working_same_employer",
    ),
    "self_report_record": lambda r, a, w: aftercare_services.self_report_record(
        actor=a, case_id=w.case.pk, kind="lost_job", channel="phone"
    ),
    "job_loss_threat_record": lambda r, a, w: aftercare_services.job_loss_threat_record(
        actor=a, case_id=w.case.pk, note="Ziekteverzuim."
    ),
    "signal_acknowledge": lambda r, a, w: aftercare_services.signal_acknowledge(
        actor=a, signal_id=w.signal.pk
    ),
    "signal_resolve": lambda r, a, w: aftercare_services.signal_resolve(
        actor=a, signal_id=w.signal.pk, note="Gebeld."
    ),
    "agenda_item_add": lambda r, a, w: meeting_services.agenda_item_add(
        actor=a,
        meeting_id=meeting_services.meeting_plan(
            actor=r.route_coordinator, region_id=r.region.pk, scheduled_on=today()
        ).pk,
        case_id=w.case.pk,
    ),
    "advice_record": lambda r, a, w: meeting_services.advice_record(
        actor=a,
        agenda_item_id=w.item.pk,
        organisation_id=next(iter(actor_for(a).organisation_ids())),
        text="Advies.",
    ),
    "decision_record": lambda r, a, w: meeting_services.decision_record(
        actor=a, agenda_item_id=w.item.pk, outflow_profile="education", reason="Mbo."
    ),
    "action_add": lambda r, a, w: meeting_services.action_add(
        actor=a,
        agenda_item_id=w.item.pk,
        description="Bellen.",
        owner_organisation_id=r.rmc.pk,
        due_on=today(),
    ),
}


def _outsider(region1, who):
    if who == "region2_coordinator":
        return Region1.build(name="Regio Twee").coordinator
    return getattr(region1, who)


def _outcome(region1, outsider, walked, service) -> str:
    """Call the service in a savepoint that is always rolled back; say what happened."""
    events = TimelineEvent.objects.filter(case=walked.case).count()
    case_before = Case.objects.filter(pk=walked.case.pk).values().get()
    try:
        with transaction.atomic():
            try:
                SERVICE_CALLS[service](region1, outsider, walked)
            finally:
                changed = (
                    TimelineEvent.objects.filter(case=walked.case).count() != events
                    or Case.objects.filter(pk=walked.case.pk).values().get() != case_before
                )
                transaction.set_rollback(True)
    except NotFound:
        return "changed the case" if changed else "not found"
    except PermissionDenied:
        return "denied"
    except Exception as e:
        return type(e).__name__
    return "allowed"


OUTSIDERS = ["other_coordinator", "admin", "region2_coordinator"]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_every_service_says_not_found_for_a_case_the_actor_cannot_see(region1, walked, who):
    outsider = _outsider(region1, who)
    assert not sees(outsider, walked.case)
    outcomes = {service: _outcome(region1, outsider, walked, service) for service in SERVICE_CALLS}
    assert {k: v for k, v in outcomes.items() if v != "not found"} == {}


@pytest.mark.parametrize(
    "service",
    [
        "involvement_request",
        "guardians_record",
        "self_report_record",
        "job_loss_threat_record",
        "aftercare_check_record",
        "provision_record",
        "practice_route_record",
        "employment_record",
    ],
)
def test_the_same_services_work_for_the_students_school(region1, walked, service):
    """The control for the test above: the school may make these changes on its own case."""
    events = TimelineEvent.objects.filter(case=walked.case).count()
    SERVICE_CALLS[service](region1, region1.coordinator, walked)
    assert TimelineEvent.objects.filter(case=walked.case).count() > events


# --- efficient queries (conventions §5) -----------------------------------------------------


def _count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def _linked_cases(r: Region1, meeting, n: int) -> None:
    for _i in range(n):
        case = r.open_case(age=16)
        for org in (r.leerplicht, r.rmc, r.swv, r.work_service):
            ask(r, case, org)
        meeting_services.agenda_item_add(
            actor=r.coordinator, meeting_id=meeting.pk, case_id=case.pk
        )


@pytest.mark.parametrize(
    "person",
    [
        "coordinator",
        "work_service_manager",
        "rmc_officer",
        "leerplicht_officer",
        "swv_officer",
        "route_coordinator",
    ],
)
def test_lists_take_the_same_number_of_queries_for_1_and_20_rows(region1, person):
    user = getattr(region1, person)
    actor_for(user)  # the memberships are read once per user object
    meeting = meeting_services.meeting_plan(
        actor=region1.route_coordinator, region_id=region1.region.pk, scheduled_on=today()
    )

    def read():
        cases = list(case_list(actor=user))
        names = [(c.student.full_name, c.student.school.name) for c in cases]
        students = list(student_list(actor=user))
        schools = [s.school.name for s in students]
        return len(names), len(schools)

    _linked_cases(region1, meeting, 1)
    one = _count_queries(read)
    assert read() == (1, 1)
    _linked_cases(region1, meeting, 19)
    twenty = _count_queries(read)
    assert read() == (20, 20)
    assert one == twenty <= 2


def test_visibility_condition_has_no_query_per_seat(region1):
    """A person with many seats still gets one query for the list."""
    user = make_user("veel-petten", region1.school, Role.MENTOR)
    for org, role in (
        (region1.work_service, Role.WORK_SERVICE_MANAGER),
        (region1.rmc, Role.RMC_OFFICER),
        (region1.leerplicht, Role.LEERPLICHT_OFFICER),
        (region1.swv, Role.SWV_OFFICER),
        (region1.coordination, Role.ROUTE_COORDINATOR),
    ):
        user.memberships.create(organisation=org, role=role)
    actor_for(user)
    open_at_school_b(region1)
    assert _count_queries(lambda: list(case_list(actor=user))) == 1


# --- the actor object itself ----------------------------------------------------------------


def test_actor_roles_follow_memberships(region1):
    actor = actor_for(region1.coordinator)
    assert actor.school_ids == {region1.school.pk}
    assert actor.works_on_cases
    admin = actor_for(region1.admin)
    assert admin.school_ids == set()
    assert not admin.works_on_cases
    assert actor_for(region1.route_coordinator).region_ids(Role.ROUTE_COORDINATOR) == {
        region1.region.pk
    }
    assert actor_for(region1.rmc_officer).region_ids(Role.ROUTE_COORDINATOR) == set()
