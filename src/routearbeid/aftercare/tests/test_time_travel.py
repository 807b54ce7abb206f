"""One youth walked day by day from the ABA through two years of aftercare and beyond, with the
daily run every morning: every dated signal appears on its day, exactly once (R-ABA-3, R-ABA-4,
R-UIT-2, R-NZ-3, R-RMC-1, R-NZ-7, R-NZ-5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from routearbeid.aftercare import services as aftercare
from routearbeid.aftercare.constants import SignalStatus
from routearbeid.aftercare.models import AftercareCheck, Signal
from routearbeid.aftercare.selectors import my_checkins
from routearbeid.aftercare.tasks import aftercare_due
from routearbeid.employment import services as employment
from routearbeid.route import services as route
from routearbeid.route.constants import Situation, Stage
from routearbeid.route.models import TimelineEvent
from routearbeid.students.models import Student

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
START = dt.date(2025, 3, 3)
OUTFLOW = dt.date(2025, 6, 16)
END = dt.date(2028, 7, 1)  # a year beyond the two years of aftercare


def test_every_dated_signal_on_its_day_once_over_two_years_and_beyond(region1):
    """R-ABA-3, R-ABA-4, R-UIT-2, R-NZ-3, R-RMC-1, R-NZ-7, R-NZ-5: a daily loop over three years
    and four months; every morning the daily run raises what is due, a second run the same
    morning raises nothing. The work service's contract-end and LKV signals come after the case
    closed, because the work service still follows the youth."""
    r = region1
    r.region.rmc_age_limit = 19  # a setting: so that R-RMC-1 falls inside the walk
    r.region.save()
    student = Student.objects.create(
        school=r.school,
        first_name="Tijd",
        last_name="Reiziger",
        date_of_birth=dt.date(2008, 1, 15),  # 17 at outflow: kwalificatieplicht (R-UIT-2)
        municipality="Alkmaar",
    )
    state: dict = {}

    def start():
        case = r.open_case(student, on=START)
        r.involve(case, on=START)
        r.decide_work(case, on=START)
        state["case"] = case
        state["aba"] = employment.aba_application_submit(
            actor=r.coordinator, case_id=case.pk, submitted_on=START
        )

    def aba_decided():
        employment.aba_application_update(
            actor=r.coordinator,
            aba_id=state["aba"].pk,
            decided_on=dt.date(2025, 5, 12),
            outcome="indicatie_banenafspraak",
        )

    def exemption():
        route.exemption_record(
            actor=r.leerplicht_officer,
            case_id=state["case"].pk,
            reference="LP-2025-7",
            decided_on=dt.date(2025, 6, 2),
            ends_on=dt.date(2025, 7, 31),
        )

    def handover_and_job():
        case = state["case"]
        r.hand_over(case, on=dt.date(2025, 6, 9))
        job = r.employ(case, kind="fixed_term", starts_on=OUTFLOW, ends_on=dt.date(2028, 6, 15))
        employment.provision_record(
            actor=r.work_service_manager,
            case_id=case.pk,
            kind="lkv",
            status="granted",
            status_on=OUTFLOW,
            employment_id=job.pk,
        )

    def outflow():
        state["case"] = route.case_outflow(
            actor=r.coordinator, case_id=state["case"].pk, outflow_on=OUTFLOW
        )

    def check_in(sequence: int, on: dt.date) -> Callable[[], None]:
        def record():
            aftercare.aftercare_check_record(
                actor=r.coordinator,
                check_id=AftercareCheck.objects.get(case=state["case"], sequence=sequence).pk,
                recorded_on=on,
                contact_made=True,
                situation=Situation.WORKING_SAME_EMPLOYER,
            )

        return record

    actions: dict[dt.date, Callable[[], None]] = {
        START: start,
        dt.date(2025, 5, 12): aba_decided,
        dt.date(2025, 6, 2): exemption,
        dt.date(2025, 6, 9): handover_and_job,
        OUTFLOW: outflow,
        dt.date(2025, 12, 16): check_in(1, dt.date(2025, 12, 16)),
        # check-in 2 (due 16-06-2026) is forgotten until after its overdue signal
        dt.date(2026, 7, 20): check_in(2, dt.date(2026, 7, 20)),
        dt.date(2026, 12, 16): check_in(3, dt.date(2026, 12, 16)),
        # check-in 4 is due on the day aftercare ends and is never recorded
    }

    day = START
    raised_per_day: dict[dt.date, int] = {}
    with time_machine.travel(
        dt.datetime.combine(START, dt.time(6), tzinfo=AMSTERDAM), tick=False
    ) as clock:
        while day <= END:
            clock.move_to(dt.datetime.combine(day, dt.time(6), tzinfo=AMSTERDAM))
            result = aftercare_due()
            if result["raised"]:
                raised_per_day[day] = result["raised"]
            again = aftercare_due()
            assert again == {"raised": 0, "closed": 0}, day
            if day in actions:
                clock.move_to(dt.datetime.combine(day, dt.time(10), tzinfo=AMSTERDAM))
                actions[day]()
            day += dt.timedelta(days=1)

    case = state["case"]
    case.refresh_from_db()
    ws, school = r.work_service.pk, r.school.pk
    expected = {
        # (rule, key without id, organisation): the day it was raised
        ("R-ABA-3", "aba", school): dt.date(2025, 4, 28),  # submission + 8 weeks
        ("R-UIT-2", "exemption-end", r.leerplicht.pk): dt.date(2025, 6, 30),  # end - 1 month
        ("R-ABA-4", "dgv", ws): dt.date(2025, 9, 2),  # job start + 3 months - 2 weeks
        ("R-NZ-3", "checkin-2", school): dt.date(2026, 7, 16),  # due + 30 days
        ("R-RMC-1", "rmc-monitoring-end", r.rmc.pk): dt.date(2027, 1, 15),  # 19th birthday
        ("R-NZ-7", "aftercare-end", school): dt.date(2027, 6, 16),  # outflow + 2 years
        ("R-NZ-5", "contract-end", ws): dt.date(2028, 3, 15),  # contract end - 3 months
        ("R-ABA-4", "lkv-end", ws): dt.date(2028, 5, 16),  # LKV end - 1 month
    }
    raised = Signal.objects.filter(case=case, raised_at__isnull=False)
    seen = {}
    for s in raised:
        stem = s.key.rsplit("-", 1)[0] if s.key[-1].isdigit() and s.key != "checkin-2" else s.key
        seen.setdefault((s.rule_id, stem, s.organisation_id), []).append(
            timezone.localtime(s.raised_at).date()
        )
    assert seen == {k: [v] for k, v in expected.items()}
    # the days the daily run raised something are exactly those days, one signal each
    assert raised_per_day == {d: 1 for d in expected.values()}
    # one timeline event per raised signal
    assert TimelineEvent.objects.filter(case=case, kind="signal_raised").count() == len(expected)

    # R-NZ-7: the case closed on its day; the school's contract-end signal was cancelled then,
    # the work service's went on (it still follows the youth)
    assert case.stage == Stage.CLOSED
    assert case.ended_on == dt.date(2027, 6, 16)
    assert Signal.objects.get(
        case=case, key__startswith="contract-end", organisation=school
    ).status == (SignalStatus.CANCELLED)
    # R-NZ-3: the last check-in was never recorded: it stays in the school's worklist
    with time_machine.travel(dt.datetime.combine(END, dt.time(9), tzinfo=AMSTERDAM)):
        assert [c.sequence for c in my_checkins(r.coordinator)] == [4]
