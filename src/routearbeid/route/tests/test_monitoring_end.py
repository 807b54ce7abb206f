"""R-RMC-1: the end of the RMC's monitoring follows the youth's age limit as it is now.

The end is stored on the case at outflow (the monitoring list reads it through an index); when
the region's age limit changes (the law "van school naar duurzaam werk" raises it from 23 to 27),
a date of birth is corrected by a student import, or the school moves to a region with another
limit, the stored end, the "monitoring ends" signal and the timeline follow.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import translation

from routearbeid.aftercare import services as aftercare_services
from routearbeid.aftercare.constants import SignalStatus
from routearbeid.aftercare.models import Signal
from routearbeid.core.dates import birthday, today
from routearbeid.organisations.constants import OrganisationKind, Role
from routearbeid.organisations.models import Organisation, Region, User
from routearbeid.processing_log.models import ProcessingLogRecord
from routearbeid.route import services
from routearbeid.route.models import Case, TimelineEvent
from routearbeid.route.selectors import case_list, case_timeline
from routearbeid.route.timeline import describe
from routearbeid.students.models import Student
from routearbeid.tests.people import Region1, make_user


@pytest.fixture
def rmc_noord(region1):
    """An RMC office of the region involved in no case: it sees only the monitoring list."""
    rmc = Organisation.objects.create(
        region=region1.region, kind=OrganisationKind.RMC, name="RMC Noord", municipality="Heiloo"
    )
    return make_user("rmc-noord", rmc, Role.RMC_OFFICER)


def in_aftercare(r: Region1, **student_kwargs) -> Case:
    return r.outflow(r.ready_for_outflow(**student_kwargs))


def monitored(user) -> set[int]:
    return set(case_list(actor=user).values_list("pk", flat=True))


def end_signals(case: Case) -> list[Signal]:
    return list(
        Signal.objects.filter(case=case, key__startswith="rmc-monitoring-end").order_by("pk")
    )


def set_limit_in_admin(client, region, limit: int, capture) -> tuple[str, int]:
    """The platform's operator changes the region's age limit on its admin page; the task the
    save enqueues runs (the tests' task backend runs it at once, after the commit). The page
    shown after the save, and the number of things done after the commit."""
    operator = User.objects.filter(username="operator").first() or User.objects.create_superuser(
        "operator", password="x"
    )
    client.force_login(operator)
    url = reverse("admin:organisations_region_change", args=[region.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data["rmc_age_limit"] = limit
    with capture(execute=True) as callbacks:
        response = client.post(url, data, follow=True)
    assert response.status_code == 200
    region.refresh_from_db()
    assert region.rmc_age_limit == limit
    return response.content.decode(), len(callbacks)


def test_r_rmc_1_a_raised_age_limit_moves_the_monitoring_end_of_the_regions_youth(
    client, region1, rmc_noord, django_capture_on_commit_callbacks
):
    """From 23 to 27: a youth of 19 is monitored four years longer, and a youth of 24, whose
    monitoring ended at 23, is back on the list; a youth with a startkwalificatie and another
    region's youth are left as they are."""
    young = in_aftercare(region1, age=19)
    older = in_aftercare(region1, age=24)
    qualified = in_aftercare(region1, age=19, qualified=True)
    region2 = Region1.build(name="Regio Twee")
    elsewhere = in_aftercare(region2, age=19)
    # the 24-year-old's end (the 23rd birthday) has passed: raised, off the list
    aftercare_services.signals_raise_due()
    assert [s.status for s in end_signals(older)] == [SignalStatus.OPEN]
    assert [s.status for s in end_signals(young)] == [SignalStatus.SCHEDULED]
    assert monitored(rmc_noord) == {young.pk}
    elsewhere_end = Case.objects.get(pk=elsewhere.pk).rmc_monitoring_ends_on
    logged_before = ProcessingLogRecord.objects.order_by("-pk").values_list("pk", flat=True)[0]

    with translation.override("nl"):
        page, after_commit = set_limit_in_admin(
            client, region1.region, 27, django_capture_on_commit_callbacks
        )
    assert "eindigt nu bij de leeftijd van 27 jaar" in page
    assert after_commit == 1  # the task

    for case in (young, older):
        case.refresh_from_db()
        assert case.rmc_monitoring_ends_on == birthday(case.student.date_of_birth, 27)
    assert monitored(rmc_noord) == {young.pk, older.pk}
    # the scheduled signal takes the new date
    (moved,) = end_signals(young)
    assert (moved.status, moved.raise_on, moved.due_on) == (
        SignalStatus.SCHEDULED,
        young.rmc_monitoring_ends_on,
        young.rmc_monitoring_ends_on,
    )
    assert moved.params == {"date": young.rmc_monitoring_ends_on.strftime("%d-%m-%Y")}
    # the signal raised for the old end is resolved; a new one waits for the new end
    old, new = end_signals(older)
    assert old.status == SignalStatus.RESOLVED
    assert "27" in old.resolution_note
    assert (new.status, new.raise_on, new.organisation_id, new.kind) == (
        SignalStatus.SCHEDULED,
        older.rmc_monitoring_ends_on,
        old.organisation_id,
        old.kind,
    )
    # R-END-2: on the timeline, in the reader's language
    event = TimelineEvent.objects.get(case=older, kind="rmc_monitoring_end_moved")
    assert event.actor is None  # the system, after the region's setting
    with translation.override("nl"):
        assert describe(event) == (
            f"RMC-monitoring eindigt nu op {older.rmc_monitoring_ends_on:%d-%m-%Y} in plaats van "
            f"{birthday(older.student.date_of_birth, 23):%d-%m-%Y} (leeftijdsgrens 27)"
        )
    assert event in case_timeline(actor=region1.coordinator, case_id=older.pk)
    # the processing log: one update per moved youth
    logged = ProcessingLogRecord.objects.filter(
        pk__gt=logged_before, operation="update", activity="route.case"
    )
    assert sorted(logged.values_list("subject_student_id", flat=True)) == sorted(
        [young.student_id, older.student_id]
    )
    # the controls: the qualified youth and the other region are untouched
    qualified.refresh_from_db()
    assert qualified.rmc_monitoring_ends_on is None
    assert Case.objects.get(pk=elsewhere.pk).rmc_monitoring_ends_on == elsewhere_end
    assert not TimelineEvent.objects.filter(
        case__in=[qualified, elsewhere], kind="rmc_monitoring_end_moved"
    ).exists()


def test_r_rmc_1_a_lowered_age_limit_ends_the_monitoring_and_the_raiser_says_so(
    client, region1, rmc_noord, django_capture_on_commit_callbacks
):
    region1.region.rmc_age_limit = 27
    region1.region.save(update_fields=["rmc_age_limit"])
    case = in_aftercare(region1, age=24)
    assert monitored(rmc_noord) == {case.pk}

    set_limit_in_admin(client, region1.region, 23, django_capture_on_commit_callbacks)

    case.refresh_from_db()
    assert case.rmc_monitoring_ends_on == birthday(case.student.date_of_birth, 23)
    assert case.rmc_monitoring_ends_on < today()
    assert monitored(rmc_noord) == set()
    (signal,) = end_signals(case)
    assert (signal.status, signal.raise_on) == (SignalStatus.SCHEDULED, case.rmc_monitoring_ends_on)
    aftercare_services.signals_raise_due()
    signal.refresh_from_db()
    assert signal.status == SignalStatus.OPEN
    assert signal.organisation_id == region1.rmc.pk


def test_r_rmc_1_saving_the_region_without_a_new_age_limit_moves_nothing(
    client, region1, django_capture_on_commit_callbacks
):
    case = in_aftercare(region1, age=19)
    before = case.rmc_monitoring_ends_on
    page, after_commit = set_limit_in_admin(
        client, region1.region, 23, django_capture_on_commit_callbacks
    )
    assert "background" not in page and "achtergrond" not in page
    assert after_commit == 0  # no task enqueued
    case.refresh_from_db()
    assert case.rmc_monitoring_ends_on == before
    assert not TimelineEvent.objects.filter(kind="rmc_monitoring_end_moved").exists()


def test_r_rmc_1_following_twice_moves_once(region1):
    case = in_aftercare(region1, age=19)
    region1.region.rmc_age_limit = 27
    region1.region.save(update_fields=["rmc_age_limit"])
    assert services.monitoring_ends_follow(region_id=region1.region.pk) == 1
    assert services.monitoring_ends_follow(region_id=region1.region.pk) == 0
    assert TimelineEvent.objects.filter(case=case, kind="rmc_monitoring_end_moved").count() == 1
    assert len(end_signals(case)) == 1


def test_r_rmc_1_moving_the_end_back_and_forth_keeps_one_waiting_signal(region1):
    """Each raised signal of an end that is no longer the end is resolved; exactly one waits."""
    case = in_aftercare(region1, age=24)
    aftercare_services.signals_raise_due()
    region = region1.region
    for limit in (27, 23, 27):
        region.rmc_age_limit = limit
        region.save(update_fields=["rmc_age_limit"])
        services.monitoring_ends_follow(region_id=region.pk)
        aftercare_services.signals_raise_due()
    signals = end_signals(case)
    waiting = [s for s in signals if s.status == SignalStatus.SCHEDULED]
    assert len(waiting) == 1
    assert waiting[0].raise_on == birthday(case.student.date_of_birth, 27)
    assert not [s for s in signals if s.status in (SignalStatus.OPEN, SignalStatus.ACKNOWLEDGED)]
    assert len({s.key for s in signals}) == len(signals)


def test_r_rmc_1_a_startkwalificatie_after_a_moved_end_cancels_the_new_signal(region1):
    case = in_aftercare(region1, age=24)
    aftercare_services.signals_raise_due()
    region1.region.rmc_age_limit = 27
    region1.region.save(update_fields=["rmc_age_limit"])
    services.monitoring_ends_follow(region_id=region1.region.pk)
    services.basic_qualification_record(
        actor=region1.coordinator, student_id=case.student_id, on=today()
    )
    assert {s.status for s in end_signals(case)} == {SignalStatus.RESOLVED, SignalStatus.CANCELLED}
    # a qualified youth's end no longer follows the age limit
    region1.region.rmc_age_limit = 25
    region1.region.save(update_fields=["rmc_age_limit"])
    assert services.monitoring_ends_follow(region_id=region1.region.pk) == 0


def test_r_rmc_1_a_date_of_birth_corrected_by_an_import_moves_the_end(
    region1, rmc_noord, django_capture_on_commit_callbacks
):
    from routearbeid.students import services as student_services

    case = in_aftercare(region1, age=22, pgn="123456782")
    other = in_aftercare(region1, age=22)
    student = case.student
    assert monitored(rmc_noord) == {case.pk, other.pk}
    # the school's administration had the year wrong: the youth is a year older
    born = student.date_of_birth.replace(year=student.date_of_birth.year - 1)
    header = "Roepnaam;Achternaam;Geboortedatum;BSN;Woonplaats\n"
    row = f"{student.first_name};{student.last_name};{born:%d-%m-%Y};123456782;Alkmaar\n"
    batch = student_services.student_import_start(
        actor=region1.coordinator,
        school_id=region1.school.pk,
        file_name="leerlingen.csv",
        data=(header + row).encode(),
    )
    batch = student_services.student_import_map(
        actor=region1.coordinator, import_id=batch.pk, mapping=batch.mapping
    )
    assert batch.summary["counts"]["update"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        student_services.student_import_confirm(actor=region1.coordinator, import_id=batch.pk)

    case.refresh_from_db()
    assert case.student.date_of_birth == born
    assert case.rmc_monitoring_ends_on == birthday(born, 23)
    event = TimelineEvent.objects.get(case=case, kind="rmc_monitoring_end_moved")
    assert event.actor == region1.coordinator
    assert ProcessingLogRecord.objects.filter(
        operation="update",
        activity="route.case",
        subject_student_id=student.pk,
        actor=region1.coordinator,
        organisation=region1.school,
    ).exists()
    (signal,) = end_signals(case)
    assert signal.raise_on == birthday(born, 23)
    other_end = birthday(other.student.date_of_birth, 23)
    assert Case.objects.get(pk=other.pk).rmc_monitoring_ends_on == other_end  # the control


def test_r_rmc_1_a_school_moved_to_a_region_with_another_limit_takes_that_limit(region1):
    region2 = Region1.build(name="Regio Twee")
    region2.region.rmc_age_limit = 27
    region2.region.save(update_fields=["rmc_age_limit"])
    case = in_aftercare(region1, age=19)
    Organisation.objects.filter(pk=region1.school.pk).update(region=region2.region)
    services.keep_link_regions(school_id=region1.school.pk)
    case.refresh_from_db()
    assert case.rmc_monitoring_ends_on == birthday(case.student.date_of_birth, 27)
    event = TimelineEvent.objects.get(case=case, kind="rmc_monitoring_end_moved")
    assert event.data["limit"] == "27"


def test_r_rmc_1_a_region_of_many_youth_is_moved_in_batches_with_few_queries(
    region1, django_assert_max_num_queries, monkeypatch
):
    """Batches of MONITORING_FOLLOW_BATCH cases: a fixed number of queries per batch, not per
    case (a region holds up to ~100,000 cases)."""
    cases = [in_aftercare(region1, age=19) for _ in range(5)]
    monkeypatch.setattr(services, "MONITORING_FOLLOW_BATCH", 2)
    region1.region.rmc_age_limit = 27
    region1.region.save(update_fields=["rmc_age_limit"])
    # one read; per batch (3): savepoint, lock the cases, read their youth again, update the
    # cases, insert the events, lock the signals, read the RMC's involvements, update the
    # signals, the log, release
    with django_assert_max_num_queries(1 + 3 * 10):
        assert services.monitoring_ends_follow(region_id=region1.region.pk) == 5
    for case in cases:
        case.refresh_from_db()
        assert case.rmc_monitoring_ends_on == birthday(case.student.date_of_birth, 27)


def test_r_rmc_1_an_anonymised_youth_is_not_moved(region1):
    """After the retention period the youth's data are placeholders: no date is worked out
    from them again, nothing is written about them."""
    case = in_aftercare(region1, age=19)
    kept = case.rmc_monitoring_ends_on
    Student.objects.filter(pk=case.student_id).update(anonymised_on=today())
    region1.region.rmc_age_limit = 27
    region1.region.save(update_fields=["rmc_age_limit"])
    assert services.monitoring_ends_follow(region_id=region1.region.pk) == 0
    case.refresh_from_db()
    assert case.rmc_monitoring_ends_on == kept
    assert not TimelineEvent.objects.filter(kind="rmc_monitoring_end_moved").exists()


def test_r_rmc_1_a_29_february_birthday_ends_on_28_february(region1):
    case = region1.ready_for_outflow(age=22)
    Student.objects.filter(pk=case.student_id).update(date_of_birth=dt.date(2004, 2, 29))
    case = region1.outflow(case)
    assert case.rmc_monitoring_ends_on == dt.date(2027, 2, 28)  # 2027 has no 29 February
    region1.region.rmc_age_limit = 24
    region1.region.save(update_fields=["rmc_age_limit"])
    services.monitoring_ends_follow(region_id=region1.region.pk)
    case.refresh_from_db()
    assert case.rmc_monitoring_ends_on == dt.date(2028, 2, 29)  # 2028 has one


def test_r_rmc_1_after_a_school_moved_region_the_old_regions_rmc_gets_no_new_signal(region1):
    """The old region's RMC no longer has the case (a link counts only within the region): its
    raised signal is resolved, and no new one goes to it."""
    case = in_aftercare(region1, age=24)
    aftercare_services.signals_raise_due()
    (raised,) = end_signals(case)
    assert (raised.status, raised.organisation_id) == (SignalStatus.OPEN, region1.rmc.pk)
    region2 = Region1.build(name="Regio Twee")
    region2.region.rmc_age_limit = 27
    region2.region.save(update_fields=["rmc_age_limit"])
    Organisation.objects.filter(pk=region1.school.pk).update(region=region2.region)
    services.keep_link_regions(school_id=region1.school.pk)
    case.refresh_from_db()
    assert case.rmc_monitoring_ends_on == birthday(case.student.date_of_birth, 27)
    assert [(s.status, s.organisation_id) for s in end_signals(case)] == [
        (SignalStatus.RESOLVED, region1.rmc.pk)
    ]


def test_r_rmc_1_a_lowered_limit_after_the_end_was_raised_dates_the_raised_signal(region1):
    region1.region.rmc_age_limit = 25
    region1.region.save(update_fields=["rmc_age_limit"])
    case = in_aftercare(region1, age=26)
    aftercare_services.signals_raise_due()
    (raised,) = end_signals(case)
    assert raised.status == SignalStatus.OPEN
    region1.region.rmc_age_limit = 23
    region1.region.save(update_fields=["rmc_age_limit"])
    services.monitoring_ends_follow(region_id=region1.region.pk)
    case.refresh_from_db()
    raised.refresh_from_db()
    assert raised.status == SignalStatus.OPEN
    assert raised.due_on == case.rmc_monitoring_ends_on
    assert raised.params == {"date": case.rmc_monitoring_ends_on.strftime("%d-%m-%Y")}
    assert len(end_signals(case)) == 1


def test_r_rmc_1_the_command_moves_the_ends_of_a_limit_changed_before(region1):
    """A limit changed before the admin moved the ends itself (or by other means): the command
    puts them right, once."""
    from django.core.management import CommandError, call_command

    case = in_aftercare(region1, age=19)
    Region.objects.filter(pk=region1.region.pk).update(rmc_age_limit=27)
    with pytest.raises(CommandError):
        call_command("monitoring_ends_follow", region=987_654_321)
    out = io.StringIO()
    call_command("monitoring_ends_follow", stdout=out)
    assert out.getvalue().strip() == "1 case(s) moved"
    case.refresh_from_db()
    assert case.rmc_monitoring_ends_on == birthday(case.student.date_of_birth, 27)
    out = io.StringIO()
    call_command("monitoring_ends_follow", region=region1.region.pk, stdout=out)
    assert out.getvalue().strip() == "0 case(s) moved"
