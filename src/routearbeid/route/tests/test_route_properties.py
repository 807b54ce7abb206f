"""Random sequences of the route's services never reach an invalid state (conventions §10).

A hypothesis state machine opens cases for random students (15 to 20, with or without
startkwalificatie, at school A or B), and drives them with every service of the route, by the
right person most of the time and by someone else now and then, while time passes. After every
step it checks the rules of domain.md on every case:

- R-START-1/2: a case only from 16; at most one open case per student.
- R-OVL-1/2/3, R-ABA-1, R-HO-1, R-UIT-1/2/3: every case in aftercare or closed met them at outflow.
- R-NZ-1, R-NZ-7, R-RMC-1: the check-ins, the end of aftercare and of RMC monitoring follow
  from the outflow date and the region's settings.
- R-END-1: a withdrawn case has a reason and never has check-ins.
- R-END-2: every change to a case adds an event to its timeline.
- A refused step (DomainError, TransitionBlocked, NotFound, PermissionDenied) changes nothing;
  stages only move forward; nobody changes a case they cannot see.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from routearbeid.aftercare import services as aftercare_services
from routearbeid.aftercare.models import AftercareCheck, SelfReport, Signal
from routearbeid.core.dates import add_months, add_years, age_on, birthday, school_year_end, today
from routearbeid.core.errors import DomainError, NotFound
from routearbeid.employment import services as employment_services
from routearbeid.employment.constants import AbaOutcome, EmploymentKind
from routearbeid.employment.models import AbaApplication, Employer, Employment, Provision
from routearbeid.meetings import services as meeting_services
from routearbeid.meetings.constants import MeetingStatus
from routearbeid.meetings.models import Advice, AgendaItem, Decision, OutflowMeeting
from routearbeid.organisations.actors import actor_for
from routearbeid.organisations.constants import OrganisationKind, Role
from routearbeid.route import machine, rules, services
from routearbeid.route.constants import (
    BEFORE_OUTFLOW,
    ENDED_STAGES,
    HandoverForm,
    LegalBasis,
    OutflowProfile,
    Situation,
    Stage,
)
from routearbeid.route.models import (
    Case,
    Deregistration,
    ExemptionDecision,
    Handover,
    Involvement,
    TimelineEvent,
)
from routearbeid.route.rules import CaseFacts
from routearbeid.route.selectors import case_get
from routearbeid.students.models import Student
from routearbeid.students.selectors import student_get
from routearbeid.tests.people import Region1

START = dt.date(2025, 9, 1)  # the start of a school year; every example starts here
ORDER = {s: i for i, s in enumerate([*BEFORE_OUTFLOW, Stage.AFTERCARE, Stage.CLOSED])}

# Bugs this machine found in code it does not own (reported; each is pinned by a strict xfail
# test at the end of this module). While a bug is listed here the machine steps around it, so
# that it can look for others. Once a bug is fixed its xfail test passes, which fails the run
# (strict): then delete the entry here and the xfail mark there.
KNOWN_BUGS: dict[str, str] = {}  # all four found so far are fixed; their tests below guard them

index = st.integers(min_value=0, max_value=1_000)
# 0..7: the person whose job it is; 8..: someone else (another school, another role, region 2)
who = st.integers(min_value=0, max_value=18)
text = st.sampled_from(["", "   ", "Wil graag werken; mbo is nu niet haalbaar."])
days_back = st.integers(min_value=0, max_value=40)
variants = st.integers(min_value=0, max_value=7)
# The guided walk leaves out one requirement now and then: the route must refuse to go on.
SKIPS = ["involvements", "meeting", "reason", "aba", "handover", "employment", "kwalificatieplicht"]
skips = st.sampled_from([None] * 2 * len(SKIPS) + SKIPS)  # one walk in three leaves something out


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_default_timezone())


# Raw SQL keeps the before/after snapshots cheap enough to take around every single step.
_PER_CASE = (
    Involvement,
    Handover,
    Deregistration,
    ExemptionDecision,
    AgendaItem,
    Employment,
    AbaApplication,
    Provision,
    AftercareCheck,
    SelfReport,
    Signal,
)
_PER_ITEM = (Decision, Advice)
_FINGERPRINT_SQL = [
    f"SELECT * FROM {Case._meta.db_table} WHERE id = %s",
    *(f"SELECT * FROM {m._meta.db_table} WHERE case_id = %s ORDER BY id" for m in _PER_CASE),
    *(
        f"SELECT * FROM {m._meta.db_table} WHERE agenda_item_id IN "
        f"(SELECT id FROM {AgendaItem._meta.db_table} WHERE case_id = %s) ORDER BY id"
        for m in _PER_ITEM
    ),
]
_COUNTED = (*_PER_CASE, *_PER_ITEM, Case, TimelineEvent, OutflowMeeting, Employer, Student)
_COUNTS_SQL = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {m._meta.db_table})" for m in _COUNTED)


def fingerprint(case_id: int) -> tuple:
    """Every row recorded on one case (the timeline itself excluded)."""
    with connection.cursor() as cursor:
        rows = []
        for sql in _FINGERPRINT_SQL:
            cursor.execute(sql, [case_id])
            rows.append(tuple(cursor.fetchall()))
    return tuple(rows)


def counts() -> tuple:
    """The number of rows of every table the services write."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNTS_SQL)
        return cursor.fetchone()


def involvement_complete(facts: CaseFacts, kind: str) -> bool:
    i = facts.involvement_of(kind)
    return bool(i and i.person_name.strip() and i.involved_on and i.advice.strip())


# Who may make each change (domain.md, "may change"), on top of having to see the case.
def _school(actor, case) -> bool:
    return case.student.school_id in actor.school_ids


def _route_coordinator(actor, case) -> bool:
    return case.student.school.region_id in actor.region_ids(Role.ROUTE_COORDINATOR)


MAY = {
    "case_open": _school,
    "involvement_request": _school,
    "case_withdraw": lambda a, c: _school(a, c) or _route_coordinator(a, c),
    "case_profile_establish": lambda a, c: _school(a, c) or _route_coordinator(a, c),
    "agenda_item_add": lambda a, c: _school(a, c) or _route_coordinator(a, c),
    "decision_record": _route_coordinator,
    "aba_skip": _school,
    "aba_application_submit": _school,
    "aba_application_update": _school,
    "handover_record": _school,
    "guardians_record": _school,
    "case_outflow": _school,
    "case_close": _school,
    "aftercare_check_record": _school,
    "employment_record": lambda a, c: _school(a, c) or a.has_role(Role.WORK_SERVICE_MANAGER),
    "employment_end": lambda a, c: _school(a, c) or a.has_role(Role.WORK_SERVICE_MANAGER),
    "job_loss_threat_record": lambda a, c: _school(a, c) or a.has_role(Role.WORK_SERVICE_MANAGER),
    "self_report_record": lambda a, c: _school(a, c) or a.has_role(Role.WORK_SERVICE_MANAGER),
    "exemption_record": lambda a, c: _school(a, c) or a.has_role(Role.LEERPLICHT_OFFICER),
}


class RouteMachine(RuleBasedStateMachine):
    """One region (and a second one for outsiders); each example rolls back its own data."""

    def __init__(self, r: Region1, r2: Region1, log: Counter) -> None:
        super().__init__()
        self.r, self.r2, self.log = r, r2, log
        self.traveller = time_machine.travel(_noon(START), tick=True)
        self.clock = self.traveller.start()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.student_ids: list[int] = []
        self.case_ids: list[int] = []
        self.meeting_ids: list[int] = []
        self.others = [
            r.coordinator,
            r.mentor,
            r.other_coordinator,
            r.work_service_manager,
            r.rmc_officer,
            r.leerplicht_officer,
            r.swv_officer,
            r.route_coordinator,
            r.admin,
            r2.coordinator,
            r2.rmc_officer,
        ]

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)
        self.traveller.stop()

    # --- helpers ---------------------------------------------------------------------------

    def case(self, pick: int) -> Case:
        return Case.objects.select_related("student__school").get(
            pk=self.case_ids[pick % len(self.case_ids)]
        )

    def school_actor(self, school_id: int):
        return self.r.coordinator if school_id == self.r.school.pk else self.r.other_coordinator

    def actor(self, w: int, proper):
        return proper if w < 8 else self.others[(w - 8) % len(self.others)]

    def sees(self, user, case: Case) -> bool:
        try:
            case_get(actor=user, case_id=case.pk, log=False)
        except NotFound:
            return False
        return True

    def call(self, name: str, user, case: Case | None, fn, *, system: bool = False):
        """Run one service; check R-END-2, 'refused changes nothing', stages and who may act."""
        case_ids = list(self.case_ids) if system or case is None else [case.pk]
        before = {cid: fingerprint(cid) for cid in case_ids}
        stages = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "stage"))
        events = {cid: TimelineEvent.objects.filter(case_id=cid).count() for cid in case_ids}
        totals = counts()
        saw = user is not None and case is not None and self.sees(user, case)
        try:
            result = fn()
        except DomainError as e:
            self.log[(name, type(e).__name__)] += 1
            # A refused step changes nothing: no stage, no record, no event.
            assert counts() == totals, f"{name} was refused ({e}) but wrote something"
            for cid in case_ids:
                assert fingerprint(cid) == before[cid], (
                    f"{name} was refused ({e}) but changed case {cid}"
                )
            return None
        self.log[(name, "ok")] += 1
        for cid in case_ids:
            after = Case.objects.get(pk=cid).stage
            if fingerprint(cid) != before[cid]:
                # R-END-2: every change to a case is an event on its timeline
                assert TimelineEvent.objects.filter(case_id=cid).count() > events[cid], (
                    f"R-END-2: {name} changed case {cid} without a timeline event"
                )
            self.check_stage_move(name, stages[cid], after)
        if user is not None and case is not None and name in MAY:
            actor = actor_for(user)
            assert saw, f"{user} changed case {case.pk} ({name}) without being able to see it"
            assert MAY[name](actor, case), f"{user} may not {name} on case {case.pk}"
        return result

    def check_stage_move(self, name: str, before: str, after: str) -> None:
        """Stages only move forward; each ending has its own entry point."""
        if before == after:
            return
        if after == Stage.WITHDRAWN:
            assert before in BEFORE_OUTFLOW and name in ("case_withdraw", "decision_record"), (
                name,
                before,
            )
            return
        assert before not in ENDED_STAGES, (name, before, after)
        assert ORDER[after] > ORDER[before], f"{name} moved a case back from {before} to {after}"
        if after == Stage.AFTERCARE:
            assert name == "case_outflow", name
        if after == Stage.CLOSED:
            assert name in ("case_close", "time_passes"), name

    # --- students and cases ----------------------------------------------------------------

    @initialize(
        ages=st.lists(st.integers(min_value=15, max_value=20), min_size=1, max_size=3),
        qualified=st.booleans(),
        school_b=st.booleans(),
        head_starts=st.lists(
            st.tuples(st.integers(min_value=0, max_value=30), variants, skips),
            min_size=3,
            max_size=3,
        ),
    )
    def start_with_cases(self, ages, qualified, school_b, head_starts):
        """A few students, each with a case opened by their school where the age allows (R-START-1);
        each case is already some steps down the route (or stuck where a requirement was left out)."""
        for n, age in enumerate(ages):
            self.add_student(age, qualified and n == 0, school_b and n == 1, elsewhere=False)
            self.open_case(len(self.student_ids) - 1, 0, 0)
        for n, (steps, variant, skip) in enumerate(head_starts[: len(self.case_ids)]):
            self.walk(n, steps, variant, skip)

    @rule(
        age=st.integers(min_value=15, max_value=20),
        qualified=st.booleans(),
        school_b=st.booleans(),
        elsewhere=st.booleans(),
    )
    def add_student(self, age, qualified, school_b, elsewhere):
        student = self.r.student(
            age=age,
            qualified=qualified,
            school=self.r.other_school if school_b else self.r.school,
            municipality="Bergen" if elsewhere else "Alkmaar",
        )
        self.student_ids.append(student.pk)

    @precondition(lambda self: self.student_ids)
    @rule(pick=index, w=who, back=days_back)
    def open_case(self, pick, w, back):
        """R-START-1/2: only from 16, at most one open case."""
        student = Student.objects.get(pk=self.student_ids[pick % len(self.student_ids)])
        user = self.actor(w, self.school_actor(student.school_id))
        try:
            saw = student_get(actor=user, student_id=student.pk, log=False) is not None
        except NotFound:
            saw = False
        had_open = Case.objects.filter(student=student).exclude(stage__in=ENDED_STAGES).exists()
        opened_on = today() - dt.timedelta(days=back)
        case = self.call(
            "case_open",
            user,
            None,
            lambda: services.case_open(actor=user, student_id=student.pk, opened_on=opened_on),
        )
        if case is not None:
            self.case_ids.append(case.pk)
            assert saw and student.school_id in actor_for(user).school_ids
            assert not had_open, "R-START-2: a second open case"
            assert student.age_on(opened_on) >= rules.MINIMUM_AGE, "R-START-1: opened before 16"
            assert case.events.filter(kind="case_opened").exists()

    # --- consultation ----------------------------------------------------------------------

    @precondition(lambda self: self.case_ids)
    @rule(
        pick=index,
        w=who,
        org=st.sampled_from(["rmc", "leerplicht", "swv", "work_service", "school", "uwv"]),
    )
    def request_involvement(self, pick, w, org):
        case = self.case(pick)
        user = self.actor(w, self.school_actor(case.student.school_id))
        organisation = getattr(self.r, org)
        self.call(
            "involvement_request",
            user,
            case,
            lambda: services.involvement_request(
                actor=user, case_id=case.pk, organisation_id=organisation.pk, on=today()
            ),
        )

    @precondition(lambda self: self.case_ids)
    @rule(
        pick=index,
        w=who,
        org=st.sampled_from(["rmc", "leerplicht", "swv", "work_service"]),
        by_school=st.booleans(),
        advice=text,
        person=st.sampled_from(["", "P. Persoon"]),
        back=days_back,
        consent=st.booleans(),
    )
    def record_involvement(self, pick, w, org, by_school, advice, person, back, consent):
        case = self.case(pick)
        organisation = getattr(self.r, org)
        if "blank-advice" in KNOWN_BUGS and not advice.strip() and case.stage not in BEFORE_OUTFLOW:
            return
        own = {
            "rmc": self.r.rmc_officer,
            "leerplicht": self.r.leerplicht_officer,
            "swv": self.r.swv_officer,
            "work_service": self.r.work_service_manager,
        }[org]
        user = self.actor(w, self.school_actor(case.student.school_id) if by_school else own)
        on = today() - dt.timedelta(days=back)
        self.call(
            "involvement_record",
            user,
            case,
            lambda: services.involvement_record(
                actor=user,
                case_id=case.pk,
                organisation_id=organisation.pk,
                person_name=person,
                involved_on=on,
                advice=advice,
                legal_basis=LegalBasis.CONSENT if consent else LegalBasis.LEGAL_TASK,
                consent_given_on=on if consent and back % 2 else None,
                consent_given_by="Ouder" if consent else "",
            ),
        )

    @rule(ahead=st.integers(min_value=-10, max_value=60))
    def plan_meeting(self, ahead):
        meeting = self.call(
            "meeting_plan",
            self.r.route_coordinator,
            None,
            lambda: meeting_services.meeting_plan(
                actor=self.r.route_coordinator,
                region_id=self.r.region.pk,
                scheduled_on=today() + dt.timedelta(days=ahead),
            ),
        )
        if meeting is not None:
            self.meeting_ids.append(meeting.pk)

    @precondition(lambda self: self.case_ids and self.meeting_ids)
    @rule(pick=index, meeting=index, w=who, by_coordinator=st.booleans())
    def add_to_agenda(self, pick, meeting, w, by_coordinator):
        case = self.case(pick)
        meeting_id = self.meeting_ids[meeting % len(self.meeting_ids)]
        user = self.actor(
            w,
            self.r.route_coordinator
            if by_coordinator
            else self.school_actor(case.student.school_id),
        )
        self.call(
            "agenda_item_add",
            user,
            case,
            lambda: meeting_services.agenda_item_add(
                actor=user, meeting_id=meeting_id, case_id=case.pk
            ),
        )

    @precondition(lambda self: self.meeting_ids)
    @rule(meeting=index, back=st.integers(min_value=-2, max_value=10))
    def hold_meeting(self, meeting, back):
        meeting_id = self.meeting_ids[meeting % len(self.meeting_ids)]
        self.call(
            "meeting_hold",
            self.r.route_coordinator,
            None,
            lambda: meeting_services.meeting_hold(
                actor=self.r.route_coordinator,
                meeting_id=meeting_id,
                held_on=today() - dt.timedelta(days=back),
            ),
        )

    @precondition(lambda self: self.case_ids)
    @rule(
        pick=index,
        w=who,
        profile=st.sampled_from(OutflowProfile.values + [OutflowProfile.WORK] * 3),
        reason=text,
    )
    def decide(self, pick, w, profile, reason):
        """R-OVL-1/2/3: "work" needs a held meeting, RMC and Leerplicht, and a reason; R-OVL-4: another
        profile withdraws the case."""
        case = self.case(pick)
        item = AgendaItem.objects.filter(case=case).order_by("-pk").first()
        if item is None:
            return
        user = self.actor(w, self.r.route_coordinator)
        decision = self.call(
            "decision_record",
            user,
            case,
            lambda: meeting_services.decision_record(
                actor=user, agenda_item_id=item.pk, outflow_profile=profile, reason=reason
            ),
        )
        case.refresh_from_db()
        if decision is not None and profile != OutflowProfile.WORK:
            assert case.stage == Stage.WITHDRAWN and case.end_reason, "R-OVL-4"
            assert case.outflow_profile == profile, "R-OVL-4"

    @precondition(lambda self: self.case_ids)
    @rule(pick=index, w=who, reason=text)
    def withdraw(self, pick, w, reason):
        """R-END-1: before outflow, with a reason."""
        case = self.case(pick)
        user = self.actor(w, self.school_actor(case.student.school_id))
        self.call(
            "case_withdraw",
            user,
            case,
            lambda: services.case_withdraw(actor=user, case_id=case.pk, reason=reason),
        )

    # --- ABA -------------------------------------------------------------------------------

    @precondition(lambda self: self.case_ids)
    @rule(pick=index, w=who, reason=text)
    def skip_aba(self, pick, w, reason):
        """R-ABA-1: skipping needs a reason."""
        case = self.case(pick)
        user = self.actor(w, self.school_actor(case.student.school_id))
        self.call(
            "aba_skip",
            user,
            case,
            lambda: services.aba_skip(actor=user, case_id=case.pk, reason=reason),
        )

    @precondition(lambda self: self.case_ids)
    @rule(pick=index, w=who, back=days_back, outcome=st.sampled_from(["", *AbaOutcome.values]))
    def aba(self, pick, w, back, outcome):
        """R-ABA-1/2: file an ABA, or record the decision on the pending one."""
        case = self.case(pick)
        user = self.actor(w, self.school_actor(case.student.school_id))
        pending = case.aba_applications.filter(outcome="").first()
        if pending is None:
            self.call(
                "aba_application_submit",
                user,
                case,
                lambda: employment_services.aba_application_submit(
                    actor=user, case_id=case.pk, submitted_on=today() - dt.timedelta(days=back)
                ),
            )
            return
        decided_on = (
            max(today() - dt.timedelta(days=back), pending.submitted_on) if outcome else None
        )
        self.call(
            "aba_application_update",
            user,
            case,
            lambda: employment_services.aba_application_update(
                actor=user,
                aba_id=pending.pk,
                received_on=pending.submitted_on,
                decided_on=decided_on,
                outcome=outcome,
            ),
        )
        case.refresh_from_db()
        # R-ABA-2: in the register only with an indication banenafspraak or the praktijkroute
        expected = case.aba_applications.filter(
            outcome=AbaOutcome.INDICATIE_BANENAFSPRAAK
        ).exists() or bool(case.practice_route_on)
        assert case.target_group_register == expected, "R-ABA-2"

    # --- handover --------------------------------------------------------------------------

    @precondition(lambda self: self.case_ids)
    @rule(pick=index, w=who, involved=st.booleans(), reason=text)
    def guardians(self, pick, w, involved, reason):
        """R-HO-2: recorded, with a reason when not involved."""
        case = self.case(pick)
        user = self.actor(w, self.school_actor(case.student.school_id))
        self.call(
            "guardians_record",
            user,
            case,
            lambda: services.guardians_record(
                actor=user, case_id=case.pk, involved=involved, reason=reason
            ),
        )

    @precondition(lambda self: self.case_ids)
    @rule(
        pick=index,
        w=who,
        org=st.sampled_from(["work_service", "work_service", "swv", "school", "rmc"]),
        person=st.sampled_from(["", "K. Manager"]),
        form=st.sampled_from([*HandoverForm.values, "letter"]),
        consent=st.booleans(),
        back=st.integers(min_value=-2, max_value=40),
    )
    def handover(self, pick, w, org, person, form, consent, back):
        """R-HO-1: receiving organisation, person, date, form and legal basis."""
        case = self.case(pick)
        user = self.actor(w, self.school_actor(case.student.school_id))
        on = today() - dt.timedelta(days=back)
        self.call(
            "handover_record",
            user,
            case,
            lambda: services.handover_record(
                actor=user,
                case_id=case.pk,
                receiving_organisation_id=getattr(self.r, org).pk,
                receiving_person=person,
                handed_over_on=on,
                form=form,
                legal_basis=LegalBasis.CONSENT if consent else LegalBasis.LEGAL_TASK,
                consent_given_on=on if consent and back % 2 else None,
                consent_given_by="Moeder" if consent else "",
            ),
        )

    # --- work ------------------------------------------------------------------------------

    @precondition(lambda self: self.case_ids)
    @rule(
        pick=index,
        w=who,
        by_work_service=st.booleans(),
        kind=st.sampled_from(EmploymentKind.values),
        start=st.integers(min_value=-60, max_value=30),
        months=st.integers(min_value=-1, max_value=24),
        institution=st.sampled_from(["", "ROC Horizon"]),
        enrolment=st.sampled_from(["", "BBL-123"]),
        hours=st.sampled_from([0, 8, 32, 61]),
    )
    def employ(self, pick, w, by_work_service, kind, start, months, institution, enrolment, hours):
        """R-UIT-1: employer, start date, kind (with end date or training institution) and hours."""
        case = self.case(pick)
        user = self.actor(
            w,
            self.r.work_service_manager
            if by_work_service
            else self.school_actor(case.student.school_id),
        )
        starts_on = today() + dt.timedelta(days=start)
        ends_on = add_months(starts_on, months) if months > 0 else None
        employer = Employer.objects.create(
            name="Werkgever", kvk_number=f"{10_000_000 + Employer.objects.count() + 1}"
        )
        self.call(
            "employment_record",
            user,
            case,
            lambda: employment_services.employment_record(
                actor=user,
                case_id=case.pk,
                employer_id=employer.pk,
                kind=kind,
                starts_on=starts_on,
                ends_on=ends_on,
                hours_per_week=hours,
                training_institution=institution,
                enrolment_reference=enrolment,
            ),
        )

    @precondition(lambda self: self.case_ids)
    @rule(pick=index, w=who, back=st.integers(min_value=0, max_value=10))
    def end_employment(self, pick, w, back):
        case = self.case(pick)
        employment = case.employments.filter(ended_on__isnull=True).order_by("pk").first()
        if employment is None:
            return
        if (
            "ended-dual-track" in KNOWN_BUGS
            and employment.kind == EmploymentKind.DUAL_TRACK
            and case.is_open
        ):
            return
        user = self.actor(w, self.school_actor(case.student.school_id))
        ended_on = today() - dt.timedelta(days=back)
        if "job-ended-before-outflow" in KNOWN_BUGS and case.outflow_on:
            ended_on = max(ended_on, case.outflow_on)
        self.call(
            "employment_end",
            user,
            case,
            lambda: employment_services.employment_end(
                actor=user, employment_id=employment.pk, ended_on=ended_on
            ),
        )

    @precondition(lambda self: self.case_ids)
    @rule(pick=index, w=who, back=days_back, length=st.integers(min_value=-5, max_value=400))
    def exemption(self, pick, w, back, length):
        """R-UIT-2: Leerplicht's exemption, ending at the latest on 31 July of the school year."""
        case = self.case(pick)
        user = self.actor(
            w, self.r.leerplicht_officer if w % 2 else self.school_actor(case.student.school_id)
        )
        decided_on = today() - dt.timedelta(days=back)
        ends_on = decided_on + dt.timedelta(days=length)
        done = self.call(
            "exemption_record",
            user,
            case,
            lambda: services.exemption_record(
                actor=user,
                case_id=case.pk,
                reference="LP-1",
                decided_on=decided_on,
                ends_on=ends_on,
            ),
        )
        if done is not None:
            assert decided_on <= ends_on <= school_year_end(decided_on), (
                "R-UIT-2: exemption beyond 31 July"
            )

    # --- outflow, aftercare, closing -------------------------------------------------------

    @precondition(lambda self: self.case_ids)
    @rule(
        pick=index,
        w=who,
        back=st.integers(min_value=0, max_value=20),
        dereg=st.integers(min_value=-5, max_value=5),
    )
    def outflow(self, pick, w, back, dereg):
        """R-UIT-1/2/3."""
        case = self.case(pick)
        user = self.actor(w, self.school_actor(case.student.school_id))
        outflow_on = today() - dt.timedelta(days=back)
        handover = Handover.objects.filter(case=case).first()
        if (
            "outflow-before-handover" in KNOWN_BUGS
            and handover
            and handover.handed_over_on > outflow_on
        ):
            outflow_on = handover.handed_over_on
        self.call(
            "case_outflow",
            user,
            case,
            lambda: services.case_outflow(
                actor=user,
                case_id=case.pk,
                outflow_on=outflow_on,
                deregistered_on=outflow_on + dt.timedelta(days=dereg),
            ),
        )

    @precondition(lambda self: self.case_ids)
    @rule(
        pick=index, w=who, contact=st.booleans(), situation=st.sampled_from(["", *Situation.values])
    )
    def checkin(self, pick, w, contact, situation):
        """R-NZ-2: a check-in by the school."""
        case = self.case(pick)
        check = case.checks.filter(recorded_on__isnull=True).order_by("sequence").first()
        if check is None:
            return
        user = self.actor(w, self.school_actor(case.student.school_id))
        self.call(
            "aftercare_check_record",
            user,
            case,
            lambda: aftercare_services.aftercare_check_record(
                actor=user,
                check_id=check.pk,
                recorded_on=today(),
                contact_made=contact,
                situation=situation,
                notes="Gebeld.",
            ),
        )

    @precondition(lambda self: self.case_ids)
    @rule(
        pick=index,
        w=who,
        kind=st.sampled_from(["lost_job", "job_at_risk", "other"]),
        threat=st.booleans(),
    )
    def job_trouble(self, pick, w, kind, threat):
        """R-NZ-4 (self-report by phone) and R-NZ-6 (threat of job loss)."""
        case = self.case(pick)
        user = self.actor(
            w, self.r.work_service_manager if w % 2 else self.school_actor(case.student.school_id)
        )
        if threat:
            self.call(
                "job_loss_threat_record",
                user,
                case,
                lambda: aftercare_services.job_loss_threat_record(
                    actor=user, case_id=case.pk, note="Veel verzuim."
                ),
            )
        else:
            self.call(
                "self_report_record",
                user,
                case,
                lambda: aftercare_services.self_report_record(
                    actor=user, case_id=case.pk, kind=kind, channel="phone"
                ),
            )

    @precondition(lambda self: self.case_ids)
    @rule(pick=index, w=who)
    def close(self, pick, w):
        """R-NZ-7: a case closes only when aftercare has ended."""
        case = self.case(pick)
        user = self.actor(w, self.school_actor(case.student.school_id))
        self.call(
            "case_close", user, case, lambda: services.case_close(actor=user, case_id=case.pk)
        )

    @rule(days=st.integers(min_value=1, max_value=400))
    def time_passes(self, days):
        """Days go by; the daily jobs raise due signals and close cases whose aftercare ended (R-NZ-7)."""
        self.clock.shift(dt.timedelta(days=days))
        self.call(
            "time_passes",
            None,
            None,
            lambda: (aftercare_services.signals_raise_due(), aftercare_services.cases_close_due()),
            system=True,
        )
        assert not Case.objects.filter(
            pk__in=self.case_ids, stage=Stage.AFTERCARE, aftercare_ends_on__lte=today()
        ).exists()

    # --- the guided walk: the next step the route asks for ----------------------------------

    @precondition(lambda self: self.case_ids)
    @rule(pick=index, steps=st.integers(min_value=1, max_value=12), variant=variants, skip=skips)
    def progress(self, pick, steps, variant, skip):
        """Take the next steps the route asks for, by the right people, so that cases reach
        aftercare; or leave one requirement out and see the route refuse to go on without it."""
        self.walk(pick, steps, variant, skip)

    @precondition(lambda self: self.case_ids)
    @rule(pick=index, variant=variants, skip=skips)
    def progress_to_outflow(self, pick, variant, skip):
        """The same, all the way to outflow where the rules allow."""
        self.walk(pick, 30, variant, skip)

    @precondition(lambda self: self.case_ids)
    @rule(pick=index, variant=variants, skip=st.sampled_from(SKIPS))
    def careless_walk(self, pick, variant, skip):
        """Walk to outflow leaving one requirement out: every later step must be refused."""
        self.walk(pick, 30, variant, skip)

    def walk(self, pick: int, steps: int, variant: int, skip: str | None = None) -> None:
        case_id = self.case(pick).pk
        for _ in range(steps):
            case = Case.objects.select_related("student__school").get(pk=case_id)
            if not self.next_step(case, variant, skip):
                return

    def next_step(self, case: Case, variant: int, skip: str | None) -> bool:
        """Take one step towards outflow; False when there is nothing left to do."""
        if case.stage in (*ENDED_STAGES, Stage.AFTERCARE):
            return False
        facts = CaseFacts.load(case)
        step = (
            (skip != "involvements" and self.involvement_step(case, facts))
            or (case.stage == Stage.CONSULTATION and self.consultation_step(case, skip))
            or (skip != "aba" and self.aba_step(case, facts, variant))
            or (skip != "handover" and self.handover_step(case, facts, variant))
            or (skip != "employment" and self.employment_step(case, facts, variant))
            or (skip != "kwalificatieplicht" and self.kwalificatieplicht_step(case, facts))
        )
        if step:
            return True
        school = self.school_actor(case.student.school_id)
        self.call(
            "case_outflow",
            school,
            case,
            lambda: services.case_outflow(actor=school, case_id=case.pk, outflow_on=today()),
        )
        return False

    def involvement_step(self, case: Case, facts: CaseFacts) -> bool:
        """R-OVL-2: ask RMC and Leerplicht, then record their person, date and advice."""
        r, school = self.r, self.school_actor(case.student.school_id)
        for kind, org, officer in (
            (OrganisationKind.RMC, r.rmc, r.rmc_officer),
            (OrganisationKind.LEERPLICHT, r.leerplicht, r.leerplicht_officer),
        ):
            if involvement_complete(facts, kind):
                continue
            if facts.involvement_of(kind) is None:
                self.call(
                    "involvement_request",
                    school,
                    case,
                    lambda org=org: services.involvement_request(
                        actor=school, case_id=case.pk, organisation_id=org.pk
                    ),
                )
                return True
            # Leerplicht sees only youth under 18; for older youth the school records its advice.
            by = officer if self.sees(officer, case) else school
            self.call(
                "involvement_record",
                by,
                case,
                lambda org=org, by=by: services.involvement_record(
                    actor=by,
                    case_id=case.pk,
                    organisation_id=org.pk,
                    person_name="P. Persoon",
                    involved_on=today(),
                    advice="Werk past.",
                ),
            )
            return True
        return False

    def consultation_step(self, case: Case, skip: str | None) -> bool:
        """R-OVL-1/3: on the agenda of a meeting that is held, which decides "work" with a reason."""
        r, school = self.r, self.school_actor(case.student.school_id)
        reason = "Mbo is nu niet haalbaar."
        if skip == "meeting":
            self.call(
                "case_profile_establish",
                school,
                case,
                lambda: services.case_profile_establish(
                    actor=school, case_id=case.pk, reason=reason
                ),
            )
            return True
        item = AgendaItem.objects.filter(case=case, decision__isnull=True).order_by("-pk").first()
        if item is None:
            meeting = OutflowMeeting.objects.filter(
                pk__in=self.meeting_ids, status=MeetingStatus.PLANNED
            ).first()
            if meeting is None:
                self.plan_meeting(0)
                return True
            self.call(
                "agenda_item_add",
                school,
                case,
                lambda: meeting_services.agenda_item_add(
                    actor=school, meeting_id=meeting.pk, case_id=case.pk
                ),
            )
            return True
        if item.meeting.status != MeetingStatus.HELD:
            self.call(
                "meeting_hold",
                r.route_coordinator,
                None,
                lambda: meeting_services.meeting_hold(
                    actor=r.route_coordinator, meeting_id=item.meeting_id, held_on=today()
                ),
            )
            return True
        self.call(
            "decision_record",
            r.route_coordinator,
            case,
            lambda: meeting_services.decision_record(
                actor=r.route_coordinator,
                agenda_item_id=item.pk,
                outflow_profile=OutflowProfile.WORK,
                reason="" if skip == "reason" else reason,
            ),
        )
        return True

    def aba_step(self, case: Case, facts: CaseFacts, variant: int) -> bool:
        """R-ABA-1: file the ABA and record UWV's decision, or skip it with a reason."""
        if rules.r_aba_1(facts).met:
            return False
        school = self.school_actor(case.student.school_id)
        pending = next((a for a in facts.aba_applications if not a.outcome), None)
        if pending is not None:
            outcome = AbaOutcome.values[variant % len(AbaOutcome.values)]
            self.call(
                "aba_application_update",
                school,
                case,
                lambda: employment_services.aba_application_update(
                    actor=school, aba_id=pending.pk, decided_on=today(), outcome=outcome
                ),
            )
        elif variant % 2:
            self.call(
                "aba_application_submit",
                school,
                case,
                lambda: employment_services.aba_application_submit(
                    actor=school, case_id=case.pk, submitted_on=today()
                ),
            )
        else:
            self.call(
                "aba_skip",
                school,
                case,
                lambda: services.aba_skip(
                    actor=school, case_id=case.pk, reason="Geen arbeidsbeperking."
                ),
            )
        return True

    def handover_step(self, case: Case, facts: CaseFacts, variant: int) -> bool:
        """R-HO-2 (guardians, sometimes) and R-HO-1 (the warm handover to the work service)."""
        if facts.handover is not None:
            return False
        school = self.school_actor(case.student.school_id)
        if case.guardians_involved is None and variant % 3:
            self.call(
                "guardians_record",
                school,
                case,
                lambda: services.guardians_record(
                    actor=school,
                    case_id=case.pk,
                    involved=bool(variant % 2),
                    reason="Ouders in het buitenland.",
                ),
            )
            return True
        self.call(
            "handover_record",
            school,
            case,
            lambda: services.handover_record(
                actor=school,
                case_id=case.pk,
                receiving_organisation_id=self.r.work_service.pk,
                receiving_person="K. Manager",
                handed_over_on=today(),
                form=HandoverForm.JOINT_MEETING,
                legal_basis=LegalBasis.LEGAL_TASK,
            ),
        )
        return True

    def employment_step(self, case: Case, facts: CaseFacts, variant: int) -> bool:
        """R-UIT-1 (a job), and for R-UIT-2 sometimes a dual track with an enrolment."""
        under_18 = case.student.age_on(today()) < 18 and not case.student.has_basic_qualification
        dual = under_18 and variant % 2 == 1
        has_job = rules.current_employment(facts, today()) is not None
        if has_job and not (dual and not rules.r_uit_2(facts, today()).met):
            return False
        kinds = [EmploymentKind.PERMANENT, EmploymentKind.FIXED_TERM]
        kind = EmploymentKind.DUAL_TRACK if dual else kinds[variant % 2]
        enrolment = "BBL-1" if dual else ""
        self.employ(
            self.case_ids.index(case.pk), 0, variant > 3, kind, 0, 12, "ROC Horizon", enrolment, 32
        )
        return True

    def kwalificatieplicht_step(self, case: Case, facts: CaseFacts) -> bool:
        """R-UIT-2: under 18 without startkwalificatie and no dual track: Leerplicht's exemption."""
        if rules.r_uit_2(facts, today()).met:
            return False
        r = self.r
        by = (
            r.leerplicht_officer
            if self.sees(r.leerplicht_officer, case)
            else self.school_actor(case.student.school_id)
        )
        ends_on = min(today() + dt.timedelta(days=90), school_year_end(today()))
        self.call(
            "exemption_record",
            by,
            case,
            lambda: services.exemption_record(
                actor=by, case_id=case.pk, reference="LP-2", decided_on=today(), ends_on=ends_on
            ),
        )
        return True

    # --- invariants -------------------------------------------------------------------------

    @invariant()
    def r_start_2_at_most_one_open_case_per_student(self):
        """R-START-2: a student has at most one case that is not closed or withdrawn."""
        doubles = (
            Case.objects.exclude(stage__in=ENDED_STAGES)
            .values("student")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
        )
        assert not doubles.exists()

    @invariant()
    def every_case_is_valid_for_its_stage(self):
        """R-START-1, R-OVL-1/2/3, R-ABA-1, R-HO-1, R-UIT-1/2/3, R-NZ-1, R-NZ-7, R-RMC-1, R-END-1/2."""
        for case in Case.objects.filter(pk__in=self.case_ids).select_related(
            "student__school__region"
        ):
            check_case(case)


def check_case(case: Case) -> None:
    facts = CaseFacts.load(case)
    student, region = facts.student, facts.region
    label = f"case {case.pk} ({case.stage})"
    assert case.events.filter(kind="case_opened").exists(), f"R-END-2: {label} has no opening event"
    assert student.age_on(case.opened_on) >= rules.MINIMUM_AGE, f"R-START-1: {label}"
    # R-NZ-1 counts the scheduled check-ins; a retry after "could not reach" (R-NZ-2) comes on top
    checks = list(case.checks.filter(retry_of__isnull=True).order_by("sequence"))
    deregistration = Deregistration.objects.filter(case=case).first()

    if case.stage in (Stage.ABA, Stage.HANDOVER, Stage.OUTFLOW, Stage.AFTERCARE, Stage.CLOSED):
        assert case.outflow_profile == OutflowProfile.WORK and case.profile_established_on, (
            f"R-OVL: {label}"
        )
    if case.stage in (Stage.HANDOVER, Stage.OUTFLOW):
        assert rules.r_aba_1(facts).met, f"R-ABA-1: {label} passed the ABA step without it"
    if case.stage == Stage.OUTFLOW:
        assert rules.r_ho_1(facts).met, f"R-HO-1: {label} passed the handover step without it"

    if case.stage in (Stage.AFTERCARE, Stage.CLOSED):
        on = case.outflow_on
        assert on is not None and on >= case.opened_on, f"R-UIT-3: {label}"
        # R-OVL-1: discussed at an outflow meeting that took place, before the profile was established
        assert any(
            i.meeting.status == MeetingStatus.HELD
            and i.meeting.held_on
            and i.meeting.held_on <= case.profile_established_on
            for i in facts.agenda_items
        ), f"R-OVL-1: {label}"
        # R-OVL-2: RMC and Leerplicht involved (person, date, advice)
        for kind in (OrganisationKind.RMC, OrganisationKind.LEERPLICHT):
            assert involvement_complete(facts, kind), (
                f"R-OVL-2: {label} has no complete {kind} involvement"
            )
        # R-OVL-3: education first, in writing
        assert case.education_first_reason.strip(), f"R-OVL-3: {label}"
        assert rules.r_aba_1(facts).met, f"R-ABA-1: {label}"
        # R-HO-1: the warm handover
        h = facts.handover
        assert (
            h
            and h.receiving_organisation_id
            and h.receiving_person.strip()
            and h.handed_over_on
            and h.form
        ), f"R-HO-1: {label}"
        assert h.legal_basis in LegalBasis.values
        # the steps happened in the order of the route: profile and handover not after the outflow
        assert case.profile_established_on <= on, (
            f"R-UIT-1: {label} left school before the profile was established"
        )
        assert h.handed_over_on <= on, f"R-HO-1: {label} left school before the warm handover"
        # R-UIT-1: a complete job that had not ended by the outflow date
        assert any(
            rules.employment_complete(e)
            and (e.ended_on is None or e.ended_on >= on)
            and (e.ends_on is None or e.ends_on >= on)
            for e in facts.employments
        ), f"R-UIT-1: {label} has no job on its outflow date"
        # R-UIT-2: kwalificatieplicht until 18 without startkwalificatie
        if age_on(student.date_of_birth, on) < 18 and not student.has_basic_qualification:
            dual = any(
                e.kind == EmploymentKind.DUAL_TRACK
                and e.enrolment_reference.strip()
                and rules.employment_complete(e)
                and (e.ended_on is None or e.ended_on >= on)
                and (e.ends_on is None or e.ends_on >= on)
                for e in facts.employments
            )
            exempt = any(x.decided_on <= on <= x.ends_on for x in facts.exemptions)
            assert dual or exempt, (
                f"R-UIT-2: {label} left school under 18 without dual track or exemption"
            )
        # R-UIT-3: the school's deregistration
        assert deregistration is not None and deregistration.deregistered_on >= case.opened_on, (
            f"R-UIT-3: {label}"
        )
        # R-NZ-1: years x per year check-ins, at outflow + 6, 12, 18, 24 months (setting)
        step = 12 // region.checkins_per_year
        expected = [
            add_months(on, step * i)
            for i in range(1, region.aftercare_years * region.checkins_per_year + 1)
        ]
        assert [(c.sequence, c.due_on) for c in checks] == list(enumerate(expected, start=1)), (
            f"R-NZ-1: {label}"
        )
        # R-NZ-7 and R-RMC-1: dates that follow from the outflow
        assert case.aftercare_ends_on == add_years(on, region.aftercare_years), f"R-NZ-7: {label}"
        monitoring = (
            None
            if student.has_basic_qualification
            else birthday(student.date_of_birth, region.rmc_age_limit)
        )
        assert case.rmc_monitoring_ends_on == monitoring, f"R-RMC-1: {label}"
    else:
        assert not checks, f"R-NZ-1: {label} has check-ins without an outflow"
        assert deregistration is None and case.outflow_on is None, (
            f"R-UIT-3: {label} deregistered without outflow"
        )

    if case.stage == Stage.CLOSED:
        assert case.ended_on and case.ended_on >= case.aftercare_ends_on, (
            f"R-NZ-7: {label} closed early"
        )
    if case.stage == Stage.WITHDRAWN:
        assert case.end_reason.strip() and case.ended_on, (
            f"R-END-1: {label} withdrawn without a reason"
        )
        assert not Signal.objects.filter(case=case, status="scheduled").exists(), (
            f"R-END-1: {label}"
        )
    if case.stage in BEFORE_OUTFLOW:
        # the automatic steps (ABA concluded, handover complete) are never left waiting
        assert machine.automatic_step(facts, today()) is None, (
            f"{label} is stuck before an automatic step"
        )


@pytest.mark.django_db
def test_random_sequences_of_services_keep_every_case_valid(region1):
    """R-START-2, R-OVL-1/2/3, R-HO-1, R-UIT-1/2/3, R-NZ-1, R-END-1/2 hold after every step."""
    region2 = Region1.build(name="Regio Twee")
    log: Counter = Counter()
    run_state_machine_as_test(
        lambda: RouteMachine(region1, region2, log),
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    # The walk must really get somewhere, or the invariants above prove little.
    assert log[("case_outflow", "ok")] > 0, log
    assert log[("case_open", "ok")] > 0, log
    assert sum(n for (name, outcome), n in log.items() if outcome != "ok") > 0, log


# --- the bugs the machine found, pinned (see KNOWN_BUGS) ------------------------------------


def _known_bug(key: str):
    return pytest.mark.xfail(
        key in KNOWN_BUGS, reason=KNOWN_BUGS.get(key, ""), raises=AssertionError, strict=True
    )


def _try(fn) -> None:
    """A service may refuse (that is one correct fix); what it must not do is break a rule."""
    with contextlib.suppress(DomainError):
        fn()


def test_r_ovl_1_holding_a_meeting_again_does_not_move_it_past_its_decisions(region1):
    """R-OVL-1: the profile is established only after the meeting took place; holding the meeting
    "again" later must not make the meeting happen after its own decision."""
    case = region1.outflow(region1.ready_for_outflow())
    meeting = OutflowMeeting.objects.get(agenda_items__case=case)
    with time_machine.travel(_noon(today() + dt.timedelta(days=10)), tick=False):
        _try(
            lambda: meeting_services.meeting_hold(
                actor=region1.route_coordinator, meeting_id=meeting.pk
            )
        )
    check_case(Case.objects.get(pk=case.pk))


@_known_bug("blank-advice")
def test_r_ovl_2_a_case_in_aftercare_keeps_its_rmc_advice(region1):
    """R-OVL-2: a correction after outflow may not erase the RMC's advice the outflow rested on."""
    case = region1.outflow(region1.ready_for_outflow())
    _try(
        lambda: services.involvement_record(
            actor=region1.rmc_officer,
            case_id=case.pk,
            organisation_id=region1.rmc.pk,
            person_name="R. Monitor",
            involved_on=today(),
            advice="",
        )
    )
    check_case(Case.objects.get(pk=case.pk))


@_known_bug("ended-dual-track")
def test_r_uit_2_a_dual_track_that_ended_does_not_count_at_outflow(region1):
    """R-UIT-2: under 18 without startkwalificatie, the dual track must still run on the outflow date."""
    case = region1.open_case(age=17)
    region1.involve(case)
    region1.decide_work(case)
    region1.skip_aba(case)
    region1.hand_over(case)
    dual = region1.employ(
        case,
        kind="dual_track",
        starts_on=today() - dt.timedelta(days=30),
        training_institution="ROC Horizon",
        enrolment_reference="BBL-1",
    )
    employment_services.employment_end(
        actor=region1.coordinator, employment_id=dual.pk, ended_on=today() - dt.timedelta(days=5)
    )
    region1.employ(case, kind="permanent", starts_on=today())
    _try(
        lambda: services.case_outflow(
            actor=region1.coordinator, case_id=case.pk, outflow_on=today()
        )
    )
    check_case(Case.objects.get(pk=case.pk))


@_known_bug("outflow-before-handover")
def test_r_ho_1_the_outflow_date_is_not_before_the_warm_handover(region1):
    """R-HO-1 / R-UIT-1: outflow requires the warm handover, so it cannot be dated before it."""
    earlier = today() - dt.timedelta(days=10)
    case = region1.open_case(on=earlier)
    region1.involve(case, on=earlier)
    region1.decide_work(case, on=earlier)
    region1.skip_aba(case)
    region1.hand_over(case)  # today
    region1.employ(case, starts_on=earlier)
    _try(
        lambda: services.case_outflow(
            actor=region1.coordinator, case_id=case.pk, outflow_on=earlier + dt.timedelta(days=2)
        )
    )
    check_case(Case.objects.get(pk=case.pk))


@_known_bug("job-ended-before-outflow")
def test_r_uit_1_the_job_of_the_outflow_does_not_end_before_the_outflow(region1):
    """R-UIT-1: outflow rests on a job that runs on the outflow date; ending that job later with an
    earlier date would leave a case in aftercare without it."""
    case = region1.ready_for_outflow(on=today() - dt.timedelta(days=20))
    job = case.employments.get()
    case = region1.outflow(case, on=today() - dt.timedelta(days=2))
    _try(
        lambda: employment_services.employment_end(
            actor=region1.coordinator, employment_id=job.pk, ended_on=today() - dt.timedelta(days=5)
        )
    )
    check_case(Case.objects.get(pk=case.pk))
