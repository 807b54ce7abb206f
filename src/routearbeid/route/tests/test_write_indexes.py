"""Indexes shaped for the writes of the daily raiser and for the youth list's mentor filter
(issue #7, tenth round): what reads through them still finds its rows by them (PostgreSQL's
plans), and the rows are the same on both databases."""

from __future__ import annotations

import pytest
from django.db import connection

from routearbeid.aftercare import services as aftercare
from routearbeid.aftercare.constants import SignalKind
from routearbeid.aftercare.models import Signal
from routearbeid.route.models import TimelineEvent
from routearbeid.students.models import Student

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a query plan is PostgreSQL's; SQLite runs the same queries in the tests below",
)


def _plan(queryset_or_sql, params=()) -> str:
    if isinstance(queryset_or_sql, str):
        sql = queryset_or_sql
    else:
        sql, params = queryset_or_sql.query.sql_with_params()
    with connection.cursor() as cursor:
        # the test database is tiny: without this a sequential scan is always cheapest
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    return plan


def _addressed_signal(region1):
    case = region1.outflow(region1.ready_for_outflow())  # signals by hand come after school
    return aftercare.signal_raise(
        actor=region1.coordinator,
        case_id=case.pk,
        kind=SignalKind.CONTACT_WORK_SERVICE,
        note="Graag contact opnemen.",
        person_id=region1.work_service_manager.pk,
    )


@pytest.mark.django_db
def test_a_persons_signals_and_timeline_are_found_by_the_person(region1):
    """Only signals addressed to someone are in signal_person_idx, only events with an actor or
    organisation in timeline_actor_idx and timeline_organisation_idx; a person's signals and
    events (what their deletion sets to empty) are still all found."""
    signal = _addressed_signal(region1)
    aftercare.signal_raise(
        actor=region1.coordinator,
        case_id=signal.case_id,
        kind=SignalKind.CONTACT_WORK_SERVICE,
        note="Voor iedereen bij Halte Werk.",
    )
    manager = region1.work_service_manager
    assert list(Signal.objects.filter(person=manager)) == [signal]
    unaddressed = Signal.objects.filter(case_id=signal.case_id, person__isnull=True)
    assert unaddressed.filter(kind=SignalKind.CONTACT_WORK_SERVICE).count() == 1
    # the scheduled signals of aftercare (check-ins, the end of monitoring) are addressed to
    # an organisation, never to a person: none of them is in the person's index
    assert unaddressed.filter(status="scheduled").exists()
    coordinator_events = TimelineEvent.objects.filter(actor=region1.coordinator)
    assert coordinator_events.filter(case_id=signal.case_id).exists()
    assert TimelineEvent.objects.filter(organisation=region1.school).exists()


@postgres_only
@pytest.mark.django_db
def test_postgresql_reads_a_persons_signals_and_events_through_the_partial_indexes(region1):
    signal = _addressed_signal(region1)
    person = signal.person_id
    # the shapes Django's deletion uses to set them to empty (`… IN (ids)`) and a plain filter
    assert "signal_person_idx" in _plan(Signal.objects.filter(person_id__in=[person]))
    assert "signal_person_idx" in _plan(Signal.objects.filter(person_id=person))
    events = TimelineEvent.objects.filter(actor_id__in=[region1.coordinator.pk])
    assert "timeline_actor_idx" in _plan(events)
    by_organisation = TimelineEvent.objects.filter(organisation_id__in=[region1.school.pk])
    assert "timeline_organisation_idx" in _plan(by_organisation)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
            "('signal_person_idx', 'timeline_actor_idx', 'timeline_organisation_idx')"
        )
        definitions = dict(cursor.fetchall())
    assert "WHERE (person_id IS NOT NULL)" in definitions["signal_person_idx"]
    assert "WHERE (actor_id IS NOT NULL)" in definitions["timeline_actor_idx"]
    assert "WHERE (organisation_id IS NOT NULL)" in definitions["timeline_organisation_idx"]


@pytest.mark.django_db
def test_the_school_list_offers_the_mentors_of_the_schools_youth(client, region1):
    """The youth list's mentor filter lists who mentors a youth of the user's schools, each
    once, and no mentor of only another school's youth."""
    region1.student(mentor=region1.mentor)
    region1.student(mentor=region1.mentor)
    region1.student()
    region1.student(school=region1.other_school, mentor=region1.other_coordinator)
    client.force_login(region1.coordinator)
    mentors = list(client.get("/jongeren/").context["mentors"])
    assert mentors == [region1.mentor]


@postgres_only
@pytest.mark.django_db
def test_postgresql_finds_a_schools_mentors_through_the_school_mentor_index(client, region1):
    region1.student(mentor=region1.mentor)
    client.force_login(region1.coordinator)
    mentors = client.get("/jongeren/").context["mentors"]
    assert "student_school_mentor_idx" in _plan(mentors)
    assert Student.objects.filter(school=region1.school, mentor=region1.mentor).exists()


@pytest.mark.django_db
def test_the_worklists_signals_are_those_of_my_organisation_for_me_or_anyone(region1):
    """What the worklist's signals are read by (signal_active_org_idx): the open signals of
    the person's organisations, addressed to them or to no one, on a case they may see."""
    from routearbeid.aftercare.selectors import my_signals

    signal = _addressed_signal(region1)
    everyone = aftercare.signal_raise(
        actor=region1.coordinator,
        case_id=signal.case_id,
        kind=SignalKind.CONTACT_WORK_SERVICE,
        note="Voor iedereen bij Halte Werk.",
    )
    manager = region1.work_service_manager
    mine = set(my_signals(manager).values_list("id", flat=True))
    assert {signal.pk, everyone.pk} <= mine
    assert not {signal.pk, everyone.pk} & set(
        my_signals(region1.rmc_officer).values_list("id", flat=True)
    )
    Signal.objects.filter(pk=signal.pk).update(status="resolved")
    assert signal.pk not in set(my_signals(manager).values_list("id", flat=True))


@postgres_only
@pytest.mark.django_db
def test_postgresql_tests_the_worklists_signals_from_the_organisation_index(region1):
    """The index holds each open signal's case and person after its order: PostgreSQL reads
    the worklist's signals through it, and can tell whom each is for and whether its case is
    visible without the table (issue #7)."""
    from routearbeid.aftercare.selectors import my_signals

    _addressed_signal(region1)
    ids = my_signals(region1.work_service_manager).values_list("id", flat=True)
    assert "signal_active_org_idx" in _plan(ids)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'signal_active_org_idx'")
        (definition,) = cursor.fetchone()
    assert "(organisation_id, due_on, raise_on, id, case_id, person_id)" in definition
    assert "WHERE ((status)::text = ANY" in definition


@postgres_only
@pytest.mark.django_db
def test_postgresql_reads_the_handovers_to_accept_from_their_own_index(region1):
    """The receiving organisation's worklist reads its waiting handovers (not accepted, the
    case not ended) through handover_waiting_idx, by organisation and region in their order,
    without testing each case (issue #7)."""
    from routearbeid.aftercare.selectors import my_handovers

    case = region1.open_case(first_name="Sami", last_name="Overgedragen")
    region1.handover_row(case)
    ids = my_handovers(region1.work_service_manager).values_list("id", flat=True)
    assert list(ids) == [case.handover.pk]
    assert "handover_waiting_idx" in _plan(ids)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'handover_waiting_idx'")
        (definition,) = cursor.fetchone()
    assert "(receiving_organisation_id, student_region_id, handed_over_on, id)" in definition
    assert "accepted_on IS NULL" in definition and "NOT acceptance_lapsed" in definition
