"""The rules of Route Arbeid (ids R-… of docs/domain.md) as checks on a case's facts.

Each check returns a RuleCheck, met or not, with a message a person understands and who can
fix it. The state machine (machine.py) combines them into the guards of each transition.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from routearbeid.core.dates import age_on, school_year_end, today
from routearbeid.employment.constants import EmploymentKind
from routearbeid.employment.models import AbaApplication, Employment
from routearbeid.meetings.constants import MeetingStatus
from routearbeid.meetings.models import AgendaItem
from routearbeid.organisations.constants import OrganisationKind
from routearbeid.organisations.models import Region
from routearbeid.students.models import Student

from .constants import OutflowProfile
from .models import Case, ExemptionDecision, Handover, Involvement

MINIMUM_AGE = 16  # R-START-1: "vanaf 16 jaar"
KWALIFICATIEPLICHT_AGE = 18  # R-UIT-2

# Who can fix what: shown beside every unmet rule.
SCHOOL = _("the school (coordinator or mentor)")
RMC = _("the RMC officer")
LEERPLICHT = _("the Leerplicht officer")
ROUTE_COORDINATOR = _("the route coordinator (outflow meeting)")
WORK_SERVICE = _("the work service (client manager)")


@dataclass(frozen=True)
class RuleCheck:
    rule_id: str
    met: bool
    message: str | Promise
    fixed_by: str | Promise = ""
    blocking: bool = True
    fix: str = ""  # the panel or form on the youth's page that fixes it

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.message}"


@dataclass
class CaseFacts:
    """Everything the rules read about one case, loaded in a fixed number of queries."""

    case: Case
    student: Student
    region: Region
    involvements: list[Involvement] = field(default_factory=list)
    agenda_items: list[AgendaItem] = field(default_factory=list)
    handover: Handover | None = None
    employments: list[Employment] = field(default_factory=list)
    aba_applications: list[AbaApplication] = field(default_factory=list)
    exemptions: list[ExemptionDecision] = field(default_factory=list)

    @classmethod
    def load(cls, case: Case) -> CaseFacts:
        student = Student.objects.select_related("school__region").get(pk=case.student_id)
        return cls(
            case=case,
            student=student,
            region=student.school.region,
            involvements=list(case.involvements.select_related("organisation")),
            agenda_items=list(case.agenda_items.select_related("meeting")),
            handover=Handover.objects.filter(case=case)
            .select_related("receiving_organisation")
            .first(),
            employments=list(case.employments.select_related("employer")),
            aba_applications=list(case.aba_applications.all()),
            exemptions=list(case.exemptions.all()),
        )

    def involvement_of(self, kind: str) -> Involvement | None:
        return next((i for i in self.involvements if i.organisation.kind == kind), None)


def check(rule_id, met, message, fixed_by="", *, blocking=True, fix="") -> RuleCheck:
    return RuleCheck(rule_id, bool(met), message, fixed_by, blocking, fix)


# --- Opening a case -------------------------------------------------------------------------


def r_start_1(student: Student, opened_on: dt.date) -> RuleCheck:
    # R-START-1: a case only for a student who is 16 or older on the opening date
    age = age_on(student.date_of_birth, opened_on)
    return check(
        "R-START-1",
        age >= MINIMUM_AGE,
        _(
            "Route Arbeid is for youth aged 16 or older; this student is %(age)s on the opening date."
        )
        % {"age": age},
        SCHOOL,
    )


def r_start_2(student: Student, has_open_case: bool) -> RuleCheck:
    # R-START-2: at most one case that is not closed or withdrawn
    return check(
        "R-START-2",
        not has_open_case,
        _("This student already has an open Route Arbeid case."),
        SCHOOL,
    )


# --- Consultation ---------------------------------------------------------------------------


def r_ovl_1(facts: CaseFacts, on: dt.date) -> RuleCheck:
    # R-OVL-1: on the agenda of an outflow meeting that has taken place
    held = any(
        item.meeting.status == MeetingStatus.HELD
        and item.meeting.held_on is not None
        and item.meeting.held_on <= on
        for item in facts.agenda_items
    )
    return check(
        "R-OVL-1",
        held,
        _("The student must have been discussed at an outflow meeting that has taken place."),
        ROUTE_COORDINATOR,
        fix="meetings",
    )


def _involvement_complete(involvement: Involvement | None) -> bool:
    return bool(
        involvement
        and involvement.person_name.strip()
        and involvement.involved_on
        and involvement.advice.strip()
    )


def r_ovl_2(facts: CaseFacts) -> list[RuleCheck]:
    # R-OVL-2: RMC and Leerplicht must always be involved before "work" is established
    return [
        check(
            "R-OVL-2",
            _involvement_complete(facts.involvement_of(OrganisationKind.RMC)),
            _("The RMC must be involved: record the person, date and advice."),
            RMC,
            fix="involvements",
        ),
        check(
            "R-OVL-2",
            _involvement_complete(facts.involvement_of(OrganisationKind.LEERPLICHT)),
            _("Leerplicht must be involved: record the person, date and advice."),
            LEERPLICHT,
            fix="involvements",
        ),
    ]


def r_ovl_3(reason: str) -> RuleCheck:
    # R-OVL-3: education first; work needs a written reason why education is not (now) better
    return check(
        "R-OVL-3",
        bool(reason and reason.strip()),
        _("Write down why further education is not (now) the better option for this student."),
        ROUTE_COORDINATOR,
        fix="meetings",
    )


# --- ABA ------------------------------------------------------------------------------------


def r_aba_1(facts: CaseFacts) -> RuleCheck:
    # R-ABA-1: the ABA step is decided at UWV, or skipped with a recorded reason
    decided = any(a.outcome for a in facts.aba_applications)
    skipped = bool(facts.case.aba_skip_reason.strip())
    pending = any(not a.outcome for a in facts.aba_applications)
    if pending and not decided:
        message = _(
            "The ABA at UWV has no decision yet; record the decision, or skip the ABA with a reason."
        )
    else:
        message = _("File an ABA at UWV and record its decision, or skip the ABA with a reason.")
    return check("R-ABA-1", decided or skipped, message, SCHOOL, fix="aba")


# --- Handover -------------------------------------------------------------------------------


def r_ho_1(facts: CaseFacts, on: dt.date | None = None) -> RuleCheck:
    # R-HO-1: a recorded warm handover to the municipality (before the outflow, when one is given)
    h = facts.handover
    complete = bool(
        h
        and h.receiving_organisation_id
        and h.receiving_person.strip()
        and h.handed_over_on
        and h.form
        and h.legal_basis
        and (on is None or h.handed_over_on <= on)
    )
    return check(
        "R-HO-1",
        complete,
        _(
            "Record the warm handover to the municipality, on or before the outflow date: receiving organisation and person, date, form and legal basis."
        ),
        SCHOOL,
        fix="handover",
    )


def r_ho_2(facts: CaseFacts) -> RuleCheck:
    # R-HO-2: guardian involvement recorded; missing involvement warns but does not block
    case = facts.case
    recorded = case.guardians_involved is True or (
        case.guardians_involved is False and bool(case.guardians_not_involved_reason.strip())
    )
    if case.guardians_involved is False and recorded:
        message = _("Parents or guardians are not involved: %(reason)s") % {
            "reason": case.guardians_not_involved_reason
        }
        return check("R-HO-2", False, message, SCHOOL, blocking=False, fix="handover")
    return check(
        "R-HO-2",
        recorded,
        _(
            "Involving parents or guardians is very desirable: record whether they are involved, and if not, why."
        ),
        SCHOOL,
        blocking=False,
        fix="handover",
    )


# --- Outflow --------------------------------------------------------------------------------


def employment_complete(e: Employment) -> bool:
    if not (e.employer_id and e.starts_on and e.hours_per_week and e.kind):
        return False
    if e.kind == EmploymentKind.FIXED_TERM and not e.ends_on:
        return False
    return not (e.kind == EmploymentKind.DUAL_TRACK and not e.training_institution.strip())


def current_employment(facts: CaseFacts, on: dt.date) -> Employment | None:
    """The job the youth leaves school for: complete, and not ended before `on`."""
    candidates = [
        e
        for e in facts.employments
        if employment_complete(e)
        and (e.ended_on is None or e.ended_on >= on)
        and (e.ends_on is None or e.ends_on >= on)
    ]
    return min(candidates, key=lambda e: e.starts_on) if candidates else None


def r_uit_1(facts: CaseFacts, on: dt.date) -> list[RuleCheck]:
    # R-UIT-1: profile "work" established, and an employment (employer, start, kind, hours)
    case = facts.case
    return [
        check(
            "R-UIT-1",
            case.outflow_profile == OutflowProfile.WORK and case.profile_established_on is not None,
            _('The outflow profile "work" must be established at an outflow meeting.'),
            ROUTE_COORDINATOR,
            fix="meetings",
        ),
        check(
            "R-UIT-1",
            current_employment(facts, on) is not None,
            _(
                "Record the job: employer, start date, kind of contract (with end date or training institution) and hours per week."
            ),
            SCHOOL,
            fix="employment",
        ),
    ]


def r_uit_2(facts: CaseFacts, on: dt.date) -> RuleCheck:
    # R-UIT-2: kwalificatieplicht until 18 without startkwalificatie
    student = facts.student
    age = age_on(student.date_of_birth, on)
    if age >= KWALIFICATIEPLICHT_AGE or student.has_basic_qualification:
        return check(
            "R-UIT-2",
            True,
            _("No kwalificatieplicht on the outflow date (18 or older, or a startkwalificatie)."),
            LEERPLICHT,
        )
    dual_track = any(
        e.kind == EmploymentKind.DUAL_TRACK
        and employment_complete(e)
        and e.enrolment_reference.strip()
        and (e.ends_on is None or e.ends_on >= on)
        and (e.ended_on is None or e.ended_on >= on)
        for e in facts.employments
    )
    exempt = any(x.decided_on <= on <= x.ends_on for x in facts.exemptions)
    return check(
        "R-UIT-2",
        dual_track or exempt,
        _(
            "The student is %(age)s and has no startkwalificatie: leaving school is only possible for a dual track with an enrolment, or with an exemption decision from Leerplicht that is valid on the outflow date."
        )
        % {"age": age},
        LEERPLICHT,
        fix="exemption",
    )


def exemption_end_valid(decided_on: dt.date, ends_on: dt.date) -> RuleCheck:
    # R-UIT-2: an exemption lasts at most until the end of the school year (31 July)
    limit = school_year_end(decided_on)
    return check(
        "R-UIT-2",
        decided_on <= ends_on <= limit,
        _(
            "An exemption ends at the latest on 31 July of the school year of the decision (%(limit)s), and not before the decision date."
        )
        % {"limit": limit.strftime("%d-%m-%Y")},
        LEERPLICHT,
        fix="exemption",
    )


def r_uit_3(
    facts: CaseFacts, outflow_on: dt.date | None, deregistered_on: dt.date | None
) -> RuleCheck:
    # R-UIT-3: outflow records the school's deregistration date
    ok = (
        outflow_on is not None
        and deregistered_on is not None
        and facts.case.opened_on <= deregistered_on <= today()
        and facts.case.opened_on <= outflow_on <= today()
    )
    return check(
        "R-UIT-3",
        ok,
        _(
            "Give the outflow date and the date the school deregisters the student: not before the case was opened, and not in the future."
        ),
        SCHOOL,
        fix="outflow",
    )


# --- Stopping -------------------------------------------------------------------------------


def r_end_1(reason: str) -> RuleCheck:
    # R-END-1: withdrawal before outflow needs a reason
    return check(
        "R-END-1",
        bool(reason and reason.strip()),
        _("Give the reason for withdrawing the case."),
        SCHOOL,
    )


def r_nz_7(case: Case, on: dt.date) -> RuleCheck:
    # R-NZ-7: aftercare ends at outflow + 2 years
    ends = case.aftercare_ends_on
    return check(
        "R-NZ-7",
        ends is not None and on >= ends,
        _("Aftercare ends on %(date)s; the case closes then.")
        % {"date": ends.strftime("%d-%m-%Y") if ends else "—"},
        SCHOOL,
    )
