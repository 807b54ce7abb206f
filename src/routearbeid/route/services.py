"""The only writers of cases: each transition has one service, each record one service.

Every service checks who may do it and the rules, writes in one transaction, appends the
timeline event (R-END-2) and the processing-log record, and queues what follows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from routearbeid.core.dates import add_years, birthday, today
from routearbeid.core.errors import DomainError, TransitionBlocked
from routearbeid.organisations.actors import Actor, as_actor
from routearbeid.organisations.constants import OrganisationKind, Role
from routearbeid.organisations.models import Organisation
from routearbeid.processing_log.services import case_processing_log
from routearbeid.students.selectors import student_get

from . import machine, permissions, rules
from .constants import BEFORE_OUTFLOW, ENDED_STAGES, HandoverForm, LegalBasis, OutflowProfile, Stage
from .models import Case, Deregistration, Handover, Involvement
from .rules import CaseFacts
from .selectors import case_get
from .timeline import timeline_append

if TYPE_CHECKING:
    from routearbeid.students.models import Student

INVOLVED_KINDS = (
    OrganisationKind.RMC,
    OrganisationKind.LEERPLICHT,
    OrganisationKind.SWV,
    OrganisationKind.WORK_SERVICE,
)


def case_for_change(actor, case_id: int) -> Case:
    """The case, visible to the actor and locked for this transaction (NotFound otherwise)."""
    case = case_get(actor=actor, case_id=case_id, log=False)
    locked = (
        Case.objects.select_for_update().select_related("student__school__region").get(pk=case.pk)
    )
    return locked


def _require_open(case: Case, *, before_outflow: bool = False) -> None:
    allowed = BEFORE_OUTFLOW if before_outflow else (*BEFORE_OUTFLOW, Stage.AFTERCARE)
    if case.stage not in allowed:
        raise TransitionBlocked(
            "record",
            [
                rules.RuleCheck(
                    "R-STAGE",
                    False,
                    _('This is not possible in the stage "%(stage)s".')
                    % {"stage": case.get_stage_display()},
                )
            ],
        )


def _set_stage(
    case: Case, stage: Stage, actor: Actor | None, extra_fields: tuple[str, ...] = ()
) -> None:
    was_ended = case.stage in ENDED_STAGES
    case.stage = stage
    case.save(update_fields=["stage", "updated_at", *extra_fields])
    # the requests not yet answered wait as long as the case is before aftercare (the worklist)
    lapsed = stage not in BEFORE_OUTFLOW
    Involvement.objects.filter(case=case, involved_on__isnull=True).exclude(
        request_lapsed=lapsed
    ).update(request_lapsed=lapsed)
    if was_ended != (stage in ENDED_STAGES):
        # a handover not yet accepted waits as long as the case has not ended (the worklist)
        Handover.objects.filter(case=case, accepted_on__isnull=True).update(
            acceptance_lapsed=stage in ENDED_STAGES
        )
    timeline_append(case=case, actor=actor, kind="stage_changed", data={"stage": case.stage})


def advance(case: Case, actor: Actor | None, on: dt.date | None = None) -> Case:
    """Take the automatic steps whose rules now hold (ABA concluded, handover complete)."""
    on = on or today()
    while True:
        step = machine.automatic_step(CaseFacts.load(case), on)
        if step is None:
            return case
        _set_stage(case, step.target, actor)


# --- Opening --------------------------------------------------------------------------------


def _require_opening_date(opened_on: dt.date, student: Student) -> None:
    """A case is opened by now (a later date is a typing error), and not before the youth was
    born (R-START-1 refuses that too, but as an age below zero)."""
    if opened_on > today():
        raise DomainError(_("The opening date cannot be in the future."), field="opened_on")
    if opened_on < student.date_of_birth:
        raise DomainError(
            _("The opening date cannot be before the student's date of birth."), field="opened_on"
        )


@transaction.atomic
def case_open(*, actor, student_id: int, opened_on: dt.date | None = None) -> Case:
    actor = as_actor(actor)
    student = student_get(actor=actor, student_id=student_id, log=False)
    if student.school_id not in actor.school_ids:
        raise permissions.deny(_("Only the student's school can open a case."))
    opened_on = opened_on or today()
    _require_opening_date(opened_on, student)
    has_open = Case.objects.filter(student=student).exclude(stage__in=ENDED_STAGES).exists()
    checks = [rules.r_start_1(student, opened_on), rules.r_start_2(student, has_open)]
    failures = machine.blocking_failures(checks)
    if failures:
        raise TransitionBlocked("open", failures)
    try:
        with transaction.atomic():
            case = Case.objects.create(student=student, opened_on=opened_on, opened_by=actor.user)
    except IntegrityError:
        # R-START-2: a concurrent request opened one first
        raise TransitionBlocked("open", [rules.r_start_2(student, True)]) from None
    timeline_append(case=case, actor=actor, kind="case_opened")
    case_processing_log(actor, case, "route.case", "create")
    return case


# --- Consultation ---------------------------------------------------------------------------


@transaction.atomic
def keep_link_regions(*, school_id: int) -> int:
    """A school moved to another region (only the platform's operator can do that, in the admin):
    its students' cases, and the involvements and handovers of those cases, take the new region,
    so that an organisation's link still counts only for cases of its own region and the new
    region's RMC monitors them (case_access; the cases and links keep their school's region,
    models.Case.student_region, models.KeptFromCase). Returns the number of rows changed."""
    region_id = Organisation.objects.values_list("region_id", flat=True).get(pk=school_id)
    changed = 0
    for model in (Case, Involvement, Handover):
        changed += (
            model.objects.filter(student__school_id=school_id)
            .exclude(student_region_id=region_id)
            .update(student_region_id=region_id)
        )
    # R-RMC-1: the new region's age limit holds for the school's youth after outflow
    monitoring_ends_follow(school_id=school_id)
    return changed


def _require_request_date(on: dt.date, case: Case) -> None:
    """The school asks a partner to take part in the case: by now, and once the case was opened."""
    if on > today():
        raise DomainError(_("The request date cannot be in the future."), field="on")
    if on < case.opened_on:
        raise DomainError(
            _("The request date cannot be before the case was opened (%(date)s).")
            % {"date": case.opened_on.strftime("%d-%m-%Y")},
            field="on",
        )


@transaction.atomic
def involvement_request(
    *, actor, case_id: int, organisation_id: int, on: dt.date | None = None
) -> Involvement:
    """The school asks RMC, Leerplicht, SWV or the work service to take part (R-OVL-2)."""
    actor = as_actor(actor)
    case = case_for_change(actor, case_id)
    if not permissions.may_manage_case(actor, case):
        raise permissions.deny()
    _require_open(case)
    organisation = Organisation.objects.filter(
        pk=organisation_id, kind__in=INVOLVED_KINDS, region_id=case.student.school.region_id
    ).first()
    if organisation is None:
        raise DomainError(
            _(
                "Choose an RMC, Leerplicht, Samenwerkingsverband or work service organisation of the region."
            )
        )
    if on is not None:
        _require_request_date(on, case)
    involvement, created = Involvement.objects.get_or_create(
        case=case,
        organisation=organisation,
        defaults={"requested_on": on or today(), "requested_by": actor.user},
    )
    if created:
        timeline_append(
            case=case,
            actor=actor,
            kind="involvement_requested",
            data={"organisation": organisation.name},
        )
        case_processing_log(actor, case, "route.involvement", "create")
    return involvement


def _require_consent_date(consent_given_on: dt.date, case: Case) -> None:
    """Consent was given by then: not in the future, and not before the youth was born."""
    if consent_given_on > today():
        raise DomainError(_("The date of consent cannot be in the future."))
    if consent_given_on < case.student.date_of_birth:
        raise DomainError(_("The date of consent cannot be before the student's date of birth."))


@transaction.atomic
def involvement_record(
    *,
    actor,
    case_id: int,
    organisation_id: int,
    person_name: str,
    involved_on: dt.date,
    advice: str,
    legal_basis: str = LegalBasis.LEGAL_TASK,
    consent_given_on: dt.date | None = None,
    consent_given_by: str = "",
    person_id: int | None = None,
) -> Involvement:
    actor = as_actor(actor)
    case = case_for_change(actor, case_id)
    _require_open(case)
    organisation = Organisation.objects.filter(
        pk=organisation_id, kind__in=INVOLVED_KINDS, region_id=case.student.school.region_id
    ).first()
    if organisation is None:
        raise DomainError(
            _("Choose an RMC, Leerplicht, Samenwerkingsverband or work service organisation.")
        )
    if not permissions.may_record_involvement(actor, case, organisation.pk, organisation.kind):
        raise permissions.deny(_("You can only record the involvement of your own organisation."))
    if not person_name.strip():
        raise DomainError(_("Give the name of the person involved."), rule_ids=("R-OVL-2",))
    if not advice.strip():
        raise DomainError(_("Write down the advice."), rule_ids=("R-OVL-2",))
    if involved_on > today():
        raise DomainError(_("The date of involvement cannot be in the future."))
    # involved in the case, so not before it was opened (R-START-1: after the 16th birthday)
    if involved_on < max(case.opened_on, case.student.date_of_birth):
        raise DomainError(_("The date of involvement cannot be before the case was opened."))
    if legal_basis not in LegalBasis.values:
        raise DomainError(_("Choose a legal basis."))
    if legal_basis == LegalBasis.CONSENT and (
        consent_given_on is None or not consent_given_by.strip()
    ):
        raise DomainError(
            _("With consent as legal basis, give the date of consent and who gave it.")
        )
    if legal_basis == LegalBasis.CONSENT and consent_given_on is not None:
        _require_consent_date(consent_given_on, case)
    involvement, _created = Involvement.objects.update_or_create(
        case=case,
        organisation=organisation,
        create_defaults={"requested_on": involved_on, "requested_by": actor.user},
        defaults={
            "person_name": person_name.strip(),
            "person_id": person_id,
            "involved_on": involved_on,
            "advice": advice.strip(),
            "legal_basis": legal_basis,
            "consent_given_on": consent_given_on if legal_basis == LegalBasis.CONSENT else None,
            "consent_given_by": consent_given_by.strip()
            if legal_basis == LegalBasis.CONSENT
            else "",
        },
    )
    timeline_append(
        case=case,
        actor=actor,
        kind="involvement_recorded",
        data={"organisation": organisation.name},
    )
    case_processing_log(actor, case, "route.involvement")
    advance(case, actor)
    return involvement


@transaction.atomic
def case_profile_establish(*, actor, case_id: int, reason: str, on: dt.date | None = None) -> Case:
    """R-OVL-1/2/3: establish the outflow profile "work" (consultation → ABA)."""
    actor = as_actor(actor)
    case = case_for_change(actor, case_id)
    if not (permissions.may_manage_case(actor, case) or actor.has_role(Role.ROUTE_COORDINATOR)):
        raise permissions.deny()
    on = on or today()
    machine.require(
        machine.ESTABLISH_PROFILE, CaseFacts.load(case), machine.Params(on=on, reason=reason)
    )
    case.outflow_profile = OutflowProfile.WORK
    case.profile_established_on = on
    case.education_first_reason = reason.strip()
    case.save(
        update_fields=[
            "outflow_profile",
            "profile_established_on",
            "education_first_reason",
            "updated_at",
        ]
    )
    timeline_append(case=case, actor=actor, kind="profile_established")
    _set_stage(case, machine.ESTABLISH_PROFILE.target, actor)
    case_processing_log(actor, case, "route.case")
    return advance(case, actor, on)


@transaction.atomic
def case_withdraw(*, actor, case_id: int, reason: str, on: dt.date | None = None) -> Case:
    """R-END-1 (and R-OVL-4 through the meeting decision): withdraw before outflow, with a reason."""
    actor = as_actor(actor)
    case = case_for_change(actor, case_id)
    if not (permissions.may_manage_case(actor, case) or actor.has_role(Role.ROUTE_COORDINATOR)):
        raise permissions.deny()
    on = on or today()
    machine.require(machine.WITHDRAW, CaseFacts.load(case), machine.Params(on=on, reason=reason))
    case.ended_on = max(on, case.opened_on)
    case.end_reason = reason.strip()
    timeline_append(case=case, actor=actor, kind="case_withdrawn", data={"reason": case.end_reason})
    _set_stage(case, Stage.WITHDRAWN, actor, ("ended_on", "end_reason"))
    case_processing_log(actor, case, "route.case")
    from routearbeid.aftercare.schedules import cancel_scheduled

    cancel_scheduled(case)
    return case


# --- ABA (the records live in employment.services) --------------------------------------------


@transaction.atomic
def aba_skip(*, actor, case_id: int, reason: str) -> Case:
    """R-ABA-1: the ABA step is optional; skipping it needs a reason."""
    actor = as_actor(actor)
    case = case_for_change(actor, case_id)
    if not permissions.may_manage_case(actor, case):
        raise permissions.deny()
    _require_open(case, before_outflow=True)
    if not reason.strip():
        raise TransitionBlocked(
            "aba_skip",
            [
                rules.check(
                    "R-ABA-1", False, _("Give the reason for not filing an ABA."), rules.SCHOOL
                )
            ],
        )
    case.aba_skip_reason = reason.strip()
    case.save(update_fields=["aba_skip_reason", "updated_at"])
    timeline_append(
        case=case, actor=actor, kind="aba_skipped", data={"reason": case.aba_skip_reason}
    )
    case_processing_log(actor, case, "route.case")
    return advance(case, actor)


# --- Handover -------------------------------------------------------------------------------


@transaction.atomic
def handover_record(
    *,
    actor,
    case_id: int,
    receiving_organisation_id: int,
    receiving_person: str,
    handed_over_on: dt.date,
    form: str,
    legal_basis: str,
    consent_given_on: dt.date | None = None,
    consent_given_by: str = "",
    purpose: str = "",
    receiving_user_id: int | None = None,
) -> Handover:
    """R-HO-1: the warm handover; from now on the receiving organisation sees the case."""
    actor = as_actor(actor)
    case = case_for_change(actor, case_id)
    if not permissions.may_manage_case(actor, case):
        raise permissions.deny()
    _require_open(case, before_outflow=True)
    receiving = (
        Organisation.objects.filter(
            pk=receiving_organisation_id, region_id=case.student.school.region_id
        )
        .exclude(kind=OrganisationKind.SCHOOL)
        .first()
    )
    errors = []
    if receiving is None:
        errors.append(
            _(
                "Choose the receiving organisation (the work service or another party of the region)."
            )
        )
    if not receiving_person.strip():
        errors.append(_("Give the name of the receiving person."))
    if form not in HandoverForm.values:
        errors.append(_("Choose the form of the handover."))
    if legal_basis not in LegalBasis.values:
        errors.append(_("Choose the legal basis for sharing the data."))
    if legal_basis == LegalBasis.CONSENT and (
        consent_given_on is None or not consent_given_by.strip()
    ):
        errors.append(_("With consent as legal basis, give the date of consent and who gave it."))
    if handed_over_on > today():
        errors.append(_("The handover date cannot be in the future."))
    if handed_over_on < case.opened_on:
        errors.append(_("The handover date cannot be before the case was opened."))
    if errors:
        raise TransitionBlocked(
            "handover",
            [rules.check("R-HO-1", False, e, rules.SCHOOL, fix="handover") for e in errors],
        )
    assert receiving is not None
    handover, _created = Handover.objects.update_or_create(
        case=case,
        defaults={
            "receiving_organisation": receiving,
            "receiving_person": receiving_person.strip(),
            "receiving_user_id": receiving_user_id,
            "handed_over_on": handed_over_on,
            "form": form,
            "legal_basis": legal_basis,
            "consent_given_on": consent_given_on if legal_basis == LegalBasis.CONSENT else None,
            "consent_given_by": consent_given_by.strip()
            if legal_basis == LegalBasis.CONSENT
            else "",
            "purpose": purpose.strip(),
            "accepted_on": None,
            "accepted_by": None,
        },
    )
    timeline_append(
        case=case, actor=actor, kind="handover_recorded", data={"organisation": receiving.name}
    )
    case_processing_log(actor, case, "route.handover")
    advance(case, actor)
    return handover


@transaction.atomic
def handover_accept(*, actor, case_id: int, on: dt.date | None = None) -> Handover:
    actor = as_actor(actor)
    case = case_for_change(actor, case_id)
    handover = Handover.objects.filter(case=case).first()
    if handover is None:
        raise DomainError(_("There is no handover to accept yet."))
    if not permissions.may_accept_handover(actor, handover.receiving_organisation_id):
        raise permissions.deny(_("Only the receiving organisation can accept the handover."))
    on = on or today()
    if on > today() or on < handover.handed_over_on:
        raise DomainError(_("The acceptance date lies between the handover date and today."))
    handover.accepted_on = on
    handover.accepted_by = actor.user
    handover.save(update_fields=["accepted_on", "accepted_by", "updated_at"])
    timeline_append(case=case, actor=actor, kind="handover_accepted")
    case_processing_log(actor, case, "route.handover")
    return handover


@transaction.atomic
def guardians_record(*, actor, case_id: int, involved: bool, reason: str = "") -> Case:
    """R-HO-2: record whether parents or guardians are involved, and if not, why."""
    actor = as_actor(actor)
    case = case_for_change(actor, case_id)
    if not permissions.may_manage_case(actor, case):
        raise permissions.deny()
    _require_open(case)
    if not involved and not reason.strip():
        raise DomainError(_("Give the reason why parents or guardians are not involved."))
    case.guardians_involved = involved
    case.guardians_not_involved_reason = "" if involved else reason.strip()
    case.save(update_fields=["guardians_involved", "guardians_not_involved_reason", "updated_at"])
    timeline_append(case=case, actor=actor, kind="guardians_recorded")
    case_processing_log(actor, case, "route.handover")
    return advance(case, actor)


# --- Outflow --------------------------------------------------------------------------------


@transaction.atomic
def case_outflow(
    *, actor, case_id: int, outflow_on: dt.date, deregistered_on: dt.date | None = None
) -> Case:
    """R-UIT-1/2/3: the youth leaves school for work; aftercare and monitoring are scheduled."""
    actor = as_actor(actor)
    case = case_for_change(actor, case_id)
    if not permissions.may_manage_case(actor, case):
        raise permissions.deny(_("Only the student's school can register the outflow."))
    deregistered_on = deregistered_on or outflow_on
    facts = CaseFacts.load(case)
    machine.require(
        machine.OUTFLOW,
        facts,
        machine.Params(on=today(), outflow_on=outflow_on, deregistered_on=deregistered_on),
    )
    region = facts.region
    Deregistration.objects.update_or_create(
        case=case, defaults={"deregistered_on": deregistered_on, "recorded_by": actor.user}
    )
    case.outflow_on = outflow_on
    # R-NZ-7: aftercare ends at outflow + 2 years (setting)
    case.aftercare_ends_on = add_years(outflow_on, region.aftercare_years)
    # R-RMC-1: monitoring until the 23rd birthday (setting) without startkwalificatie
    student = facts.student
    case.rmc_monitoring_ends_on = (
        None
        if student.has_basic_qualification
        else birthday(student.date_of_birth, region.rmc_age_limit)
    )
    timeline_append(
        case=case,
        actor=actor,
        kind="outflow",
        data={"deregistered_on": deregistered_on.strftime("%d-%m-%Y")},
    )
    _set_stage(
        case, Stage.AFTERCARE, actor, ("outflow_on", "aftercare_ends_on", "rmc_monitoring_ends_on")
    )
    case_processing_log(actor, case, "route.outflow")
    from routearbeid.aftercare.schedules import schedule_at_outflow

    schedule_at_outflow(case)
    return case


@transaction.atomic
def case_close(*, actor: Actor | None, case_id: int, on: dt.date | None = None) -> Case:
    """R-NZ-7: aftercare ends at outflow + 2 years; the case closes with the last known situation."""
    if actor is None:
        case = Case.objects.select_for_update().get(pk=case_id)
    else:
        actor = as_actor(actor)
        case = case_for_change(actor, case_id)
        if not permissions.may_manage_case(actor, case):
            raise permissions.deny()
    on = on or today()
    machine.require(machine.CLOSE, CaseFacts.load(case), machine.Params(on=on))
    case.ended_on = on
    timeline_append(case=case, actor=actor, kind="case_closed")
    _set_stage(case, Stage.CLOSED, actor, ("ended_on",))
    case_processing_log(actor, case, "route.case")
    # The school's aftercare is over; what the work service and the RMC follow goes on.
    from routearbeid.aftercare.constants import SignalStatus
    from routearbeid.aftercare.models import Signal

    Signal.objects.filter(
        case=case, status=SignalStatus.SCHEDULED, organisation_id=case.student.school_id
    ).update(status=SignalStatus.CANCELLED)
    return case


@transaction.atomic
def basic_qualification_record(*, actor, student_id: int, on: dt.date) -> None:
    """R-RMC-1: a startkwalificatie (havo, vwo, mbo 2+) ends the RMC's monitoring."""
    actor = as_actor(actor)
    student = student_get(actor=actor, student_id=student_id, log=False)
    if student.school_id not in actor.school_ids and not actor.has_role(Role.RMC_OFFICER):
        raise permissions.deny()
    if on > today() or on < student.date_of_birth:
        raise DomainError(
            _("Give the date the startkwalificatie was obtained (not in the future)."),
            rule_ids=("R-RMC-1",),
        )
    student.has_basic_qualification = True
    student.basic_qualification_on = on
    student.save(update_fields=["has_basic_qualification", "basic_qualification_on", "updated_at"])
    from routearbeid.aftercare.schedules import cancel_monitoring_end

    for case in Case.objects.filter(student=student, rmc_monitoring_ends_on__isnull=False):
        case.rmc_monitoring_ends_on = max(on, case.outflow_on or on)
        case.save(update_fields=["rmc_monitoring_ends_on", "updated_at"])
        cancel_monitoring_end(case, note=_("Startkwalificatie obtained"))
        timeline_append(case=case, actor=actor, kind="basic_qualification_recorded")
        case_processing_log(actor, case, "students.student")


# R-RMC-1: cases moved at a time (one transaction each); a region holds up to ~100,000 cases.
MONITORING_FOLLOW_BATCH = 1000


def monitoring_ends_follow(
    *,
    region_id: int | None = None,
    school_id: int | None = None,
    student_ids: Iterable[int] | None = None,
    actor: Actor | None = None,
    on: dt.date | None = None,
) -> int:
    """R-RMC-1: after outflow, a youth without startkwalificatie is monitored until the birthday
    at the age limit of their school's region, as the limit and the date of birth are now. When
    the region's setting changes (the law "van school naar duurzaam werk" raises it from 23 to
    27), a date of birth is corrected (a student import) or a school moves to another region,
    the stored end (`Case.rmc_monitoring_ends_on`, which the monitoring list reads) follows: a
    youth whose monitoring had ended comes back on the list when the new limit is later.

    Of the cases of this region, school or these students; each moved case gets its "monitoring
    ends" signal moved (a scheduled one takes the new date; one already raised is resolved and a
    new one scheduled when the end is now later than `on`), an event on its timeline (R-END-2)
    and a record in the processing log. `actor`: who caused it (None: the system, for a region's
    setting). Returns the number of cases moved."""
    on = on or today()
    qs = Case.objects.filter(
        outflow_on__isnull=False,
        rmc_monitoring_ends_on__isnull=False,
        stage__in=(Stage.AFTERCARE, Stage.CLOSED),
        student__has_basic_qualification=False,
        student__anonymised_on__isnull=True,
    )
    if region_id is not None:
        qs = qs.filter(student__school__region_id=region_id)
    if school_id is not None:
        qs = qs.filter(student__school_id=school_id)
    if student_ids is not None:
        qs = qs.filter(student_id__in=list(student_ids))
    fields = ("pk", "rmc_monitoring_ends_on", "student__date_of_birth")
    limit_field = "student__school__region__rmc_age_limit"
    moved_ids = [
        pk
        for pk, ends_on, born, limit in qs.values_list(*fields, limit_field).iterator(2000)
        if birthday(born, limit) != ends_on
    ]
    moved = 0
    for start in range(0, len(moved_ids), MONITORING_FOLLOW_BATCH):
        with transaction.atomic():
            moved += _monitoring_ends_move(
                qs, moved_ids[start : start + MONITORING_FOLLOW_BATCH], actor=actor, on=on
            )
    return moved


def _monitoring_ends_move(qs, case_ids: list[int], *, actor: Actor | None, on: dt.date) -> int:
    from django.utils import timezone

    from routearbeid.processing_log.services import processing_log_record
    from routearbeid.students.models import Student

    from .models import TimelineEvent
    from .timeline import timeline_event

    # The cases locked, then their youth read again in a statement of its own: a startkwalificatie
    # or an anonymisation committed while the lock waited is seen (the lock re-reads only the
    # case's own row), and one that commits later waits for this batch and then ends the
    # monitoring itself (basic_qualification_record).
    cases = list(qs.filter(pk__in=case_ids).select_for_update(of=("self",)).order_by("pk"))
    youth = {
        pk: (born, limit, school_id)
        for pk, born, limit, school_id in Student.objects.filter(
            pk__in=[c.student_id for c in cases],
            has_basic_qualification=False,
            anonymised_on__isnull=True,
        ).values_list("pk", "date_of_birth", "school__region__rmc_age_limit", "school_id")
    }
    now = timezone.now()
    changed: list[Case] = []
    events: list[TimelineEvent] = []
    for case in cases:
        if case.student_id not in youth:
            continue
        born, limit, _school_id = youth[case.student_id]
        ends_on = birthday(born, limit)
        if ends_on == case.rmc_monitoring_ends_on:
            continue
        assert case.rmc_monitoring_ends_on is not None  # the query's condition
        events.append(
            timeline_event(
                case_id=case.pk,
                actor=actor,
                kind="rmc_monitoring_end_moved",
                data={
                    "from": case.rmc_monitoring_ends_on.strftime("%d-%m-%Y"),
                    "to": ends_on.strftime("%d-%m-%Y"),
                    "limit": limit,
                },
            )
        )
        case.rmc_monitoring_ends_on, case.updated_at = ends_on, now
        changed.append(case)
    if not changed:
        return 0
    Case.objects.bulk_update(changed, ["rmc_monitoring_ends_on", "updated_at"])
    TimelineEvent.objects.bulk_create(events)
    _monitoring_end_signals_move(
        changed, {c.pk: youth[c.student_id][1] for c in changed}, now=now, on=on
    )
    processing_log_record(
        actor=actor,
        operation="update",
        activity="route.case",
        student_ids=[c.student_id for c in changed],
        organisation_id=None
        if actor is None
        else _school_seat(actor, {youth[c.student_id][2] for c in changed}),
    )
    return len(changed)


def _monitoring_end_signals_move(
    changed: list[Case], limits: dict[int, int], *, now: dt.datetime, on: dt.date
) -> None:
    """The "monitoring ends" signals of these cases, whose end has moved (limits: each case's
    age limit): see monitoring_ends_follow."""
    from routearbeid.aftercare.constants import ACTIVE_SIGNAL_STATUSES, SignalStatus
    from routearbeid.aftercare.models import Signal
    from routearbeid.aftercare.schedules import MONITORING_END_KEY, monitoring_end_signals

    ids = [c.pk for c in changed]
    # Locked: the daily raiser passes them by (SKIP LOCKED) instead of raising one being moved.
    signals: dict[int, list[Signal]] = {}
    for signal in monitoring_end_signals(ids).select_for_update().order_by("pk"):
        signals.setdefault(signal.case_id, []).append(signal)
    # A new signal goes to the RMC involved in the case in the case's own region (after a
    # school moved region, not to the old region's RMC, which no longer has the case).
    region_of = {c.pk: c.student_region_id for c in changed}
    rmc_of: dict[int, int] = {}
    for case_id, organisation_id, region_id in (
        Involvement.objects.filter(case_id__in=ids, organisation__kind=OrganisationKind.RMC)
        .order_by("pk")
        .values_list("case_id", "organisation_id", "organisation__region_id")
    ):
        if region_id == region_of[case_id]:
            rmc_of.setdefault(case_id, organisation_id)
    dated: list[Signal] = []
    resolved: list[Signal] = []
    new_signals: list[Signal] = []
    for case in changed:
        new_end = case.rmc_monitoring_ends_on
        assert new_end is not None
        params = {"date": new_end.strftime("%d-%m-%Y")}
        own = signals.get(case.pk, [])
        scheduled = [s for s in own if s.status == SignalStatus.SCHEDULED]
        active = [s for s in own if s.status in ACTIVE_SIGNAL_STATUSES]
        for signal in scheduled:
            signal.raise_on = signal.due_on = new_end
            signal.params, signal.updated_at = params, now
            dated.append(signal)
        if scheduled or not own:
            # No RMC involved at outflow: nobody to tell (schedules.schedule_at_outflow).
            continue
        if new_end <= on:
            # The new end has passed too: the signal already raised says so, with its date.
            for signal in active:
                signal.due_on, signal.params, signal.updated_at = new_end, params, now
                dated.append(signal)
            continue
        # Raised (or ended) for an end that is no longer the end: a new one for the new end.
        for signal in active:
            signal.status, signal.updated_at = SignalStatus.RESOLVED, now
            signal.resolution_note = str(
                _("The monitoring now ends on %(date)s (age limit %(limit)s).")
                % {**params, "limit": limits[case.pk]}
            )
            resolved.append(signal)
        rmc_id = rmc_of.get(case.pk)
        if rmc_id is None:
            continue
        last = max(own, key=lambda s: s.pk)
        keys = {s.key for s in own}
        key = f"{MONITORING_END_KEY}-{new_end:%Y%m%d}"
        n = 1
        while key in keys:
            n += 1
            key = f"{MONITORING_END_KEY}-{new_end:%Y%m%d}-{n}"
        new_signals.append(
            Signal(
                case_id=case.pk,
                organisation_id=rmc_id,
                kind=last.kind,
                rule_id=last.rule_id,
                status=SignalStatus.SCHEDULED,
                raise_on=new_end,
                due_on=new_end,
                message=last.message,
                params=params,
                key=key,
            )
        )
    if dated:
        Signal.objects.bulk_update(dated, ["raise_on", "due_on", "params", "updated_at"])
    if resolved:
        Signal.objects.bulk_update(resolved, ["status", "resolution_note", "updated_at"])
    if new_signals:
        Signal.objects.bulk_create(new_signals)


def _school_seat(actor: Actor, schools: set[int]) -> int | None:
    """The school through which the actor (a coordinator importing students) has these youth."""
    own = schools & set(actor.school_ids)
    return min(own) if own else None


# --- Exemption (R-UIT-2) --------------------------------------------------------------------


@transaction.atomic
def exemption_record(*, actor, case_id: int, reference: str, decided_on: dt.date, ends_on: dt.date):
    """R-UIT-2: Leerplicht's exemption decision, ending at the latest on 31 July of its school year."""
    from .models import ExemptionDecision

    actor = as_actor(actor)
    case = case_for_change(actor, case_id)
    if not permissions.may_record_exemption(actor, case):
        raise permissions.deny()
    _require_open(case)
    if not reference.strip():
        raise DomainError(_("Give the reference of the decision."), rule_ids=("R-UIT-2",))
    if decided_on > today():
        raise DomainError(_("The decision date cannot be in the future."), rule_ids=("R-UIT-2",))
    if decided_on < case.student.date_of_birth:
        raise DomainError(
            _("The decision date cannot be before the student's date of birth."),
            rule_ids=("R-UIT-2",),
        )
    valid = rules.exemption_end_valid(decided_on, ends_on)
    if not valid.met:
        raise TransitionBlocked("exemption", [valid])
    if ends_on < case.opened_on:
        # it can never be valid on this case's outflow date, which lies after the opening
        raise DomainError(
            _("This exemption ended before the case was opened (%(date)s).")
            % {"date": case.opened_on.strftime("%d-%m-%Y")},
            rule_ids=("R-UIT-2",),
        )
    exemption = ExemptionDecision.objects.create(
        case=case,
        reference=reference.strip(),
        decided_on=decided_on,
        ends_on=ends_on,
        recorded_by=actor.user,
    )
    timeline_append(
        case=case, actor=actor, kind="exemption_recorded", data={"reference": exemption.reference}
    )
    case_processing_log(actor, case, "route.case", "create")
    if case.stage == Stage.AFTERCARE:
        from routearbeid.aftercare.schedules import schedule_for_case

        schedule_for_case(case)
    return exemption
