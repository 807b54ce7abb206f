"""Employers, jobs, ABA applications and provisions (R-UIT-1, R-ABA-*)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from routearbeid.core.dates import add_months, add_years, today
from routearbeid.core.errors import DomainError, NotFound
from routearbeid.organisations.actors import as_actor
from routearbeid.processing_log.services import case_processing_log
from routearbeid.route import permissions
from routearbeid.route import services as route_services
from routearbeid.route.constants import Stage
from routearbeid.route.timeline import timeline_append

from .constants import (
    LKV_MAX_YEARS,
    REGISTER_ONLY_PROVISIONS,
    AbaOutcome,
    EmploymentKind,
    ProvisionKind,
    ProvisionStatus,
)
from .models import AbaApplication, Employer, Employment, Provision, kvk_validator


def _after_change(case):
    from routearbeid.aftercare.schedules import schedule_for_case

    if case.stage == Stage.AFTERCARE:
        schedule_for_case(case)


BEFORE_BIRTH = {
    "starts_on": _("The start date cannot be before the student's date of birth."),
    "ends_on": _("The end date cannot be before the student's date of birth."),
    "status_on": _("The status date cannot be before the student's date of birth."),
    "doelgroepverklaring_requested_on": _(
        "The date the doelgroepverklaring was requested cannot be before the student's date of birth."
    ),
}


def _require_after_birth(case, day: dt.date, field: str) -> None:
    """A date of the youth's job or provision is not before the youth was born."""
    if day < case.student.date_of_birth:
        raise DomainError(BEFORE_BIRTH[field], field=field)


# --- Employers ------------------------------------------------------------------------------


@transaction.atomic
def employer_create(
    *,
    actor,
    name: str,
    kvk_number: str,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    sector: str = "",
    place: str = "",
) -> Employer:
    actor = as_actor(actor)
    if not actor.works_on_cases:
        raise permissions.deny()
    kvk_number = kvk_number.strip().replace(" ", "")
    try:
        kvk_validator(kvk_number)
    except Exception:
        raise DomainError(_("A KvK number has 8 digits.")) from None
    if not name.strip():
        raise DomainError(_("Give the employer's name."))
    if Employer.objects.filter(kvk_number=kvk_number).exists():
        raise DomainError(_("An employer with this KvK number already exists."))
    if contact_email.strip():
        try:
            validate_email(contact_email.strip())
        except ValidationError:
            raise DomainError(_("Give a valid e-mail address of the contact person.")) from None
    try:
        with transaction.atomic():
            return Employer.objects.create(
                name=name.strip()[:200],
                kvk_number=kvk_number,
                contact_name=contact_name.strip()[:200],
                contact_email=contact_email.strip(),
                contact_phone=contact_phone.strip()[:30],
                sector=sector.strip()[:100],
                place=place.strip()[:100],
            )
    except IntegrityError:
        # two people adding the same employer at once
        raise DomainError(_("An employer with this KvK number already exists.")) from None


# --- Jobs -----------------------------------------------------------------------------------


@transaction.atomic
def employment_record(
    *,
    actor,
    case_id: int,
    employer_id: int,
    kind: str,
    starts_on: dt.date,
    hours_per_week,
    ends_on: dt.date | None = None,
    training_institution: str = "",
    enrolment_reference: str = "",
) -> Employment:
    """R-UIT-1: a job with employer, start, kind (end date / training institution) and hours."""
    actor = as_actor(actor)
    case = route_services.case_for_change(actor, case_id)
    if not permissions.may_record_work_matters(actor, case):
        raise permissions.deny()
    route_services._require_open(case)
    employer = Employer.objects.filter(pk=employer_id).first()
    errors = []
    if employer is None:
        errors.append(_("Choose the employer."))
    if kind not in EmploymentKind.values:
        errors.append(_("Choose the kind of contract."))
    try:
        hours = Decimal(str(hours_per_week))
    except (InvalidOperation, ValueError):
        hours = Decimal(0)
    if not (Decimal(1) <= hours <= Decimal(60)):
        errors.append(_("Hours per week must be between 1 and 60."))
    if kind == EmploymentKind.FIXED_TERM and ends_on is None:
        errors.append(_("A fixed-term contract needs an end date."))
    if ends_on is not None and ends_on < starts_on:
        errors.append(_("The end date cannot be before the start date."))
    if kind == EmploymentKind.DUAL_TRACK and not training_institution.strip():
        errors.append(_("A dual track needs the training institution."))
    if errors or employer is None:
        raise DomainError("; ".join(str(e) for e in errors), rule_ids=("R-UIT-1",))
    # Not bound by the case's opening: a youth may keep a job that began before the route.
    _require_after_birth(case, starts_on, "starts_on")
    employment = Employment.objects.create(
        case=case,
        employer=employer,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        hours_per_week=hours,
        training_institution=training_institution.strip(),
        enrolment_reference=enrolment_reference.strip(),
    )
    timeline_append(
        case=case, actor=actor, kind="employment_recorded", data={"employer": employer.name}
    )
    case_processing_log(actor, case, "employment.record", "create")
    _after_change(case)
    return employment


@transaction.atomic
def employment_end(*, actor, employment_id: int, ended_on: dt.date) -> Employment:
    actor = as_actor(actor)
    employment = Employment.objects.select_related("employer").filter(pk=employment_id).first()
    if employment is None:
        raise NotFound("not found")
    case = route_services.case_for_change(actor, employment.case_id)
    if not permissions.may_record_work_matters(actor, case):
        raise permissions.deny()
    if case.outflow_on and ended_on < case.outflow_on:
        # R-UIT-1: the youth left school for this job; it cannot have ended before the outflow
        raise DomainError(
            _("A job cannot have ended before the outflow date (%(date)s).")
            % {"date": case.outflow_on.strftime("%d-%m-%Y")},
            rule_ids=("R-UIT-1",),
        )
    if ended_on < employment.starts_on:
        raise DomainError(_("A job cannot end before it started."))
    employment.ended_on = ended_on
    employment.save(update_fields=["ended_on", "updated_at"])
    timeline_append(
        case=case, actor=actor, kind="employment_ended", data={"employer": employment.employer.name}
    )
    case_processing_log(actor, case, "employment.record")
    from routearbeid.aftercare.schedules import cancel_employment_signals

    cancel_employment_signals(case, employment)
    return employment


# --- ABA ------------------------------------------------------------------------------------


def _update_register(case, actor) -> None:
    # R-ABA-2: in the doelgroepregister only with an indication banenafspraak or the praktijkroute
    in_register = (
        case.aba_applications.filter(outcome=AbaOutcome.INDICATIE_BANENAFSPRAAK).exists()
        or case.practice_route_on is not None
    )
    if case.target_group_register != in_register:
        case.target_group_register = in_register
        case.save(update_fields=["target_group_register", "updated_at"])


@transaction.atomic
def aba_application_submit(*, actor, case_id: int, submitted_on: dt.date) -> AbaApplication:
    """R-ABA-1: the school files an ABA at UWV; R-ABA-3 schedules the no-decision signal."""
    actor = as_actor(actor)
    case = route_services.case_for_change(actor, case_id)
    if not permissions.may_manage_case(actor, case):
        raise permissions.deny()
    route_services._require_open(case, before_outflow=True)
    if submitted_on > today():
        raise DomainError(_("The submission date cannot be in the future."), field="submitted_on")
    # R-ABA-1: the school files the ABA as a step of the route, so not before the case was opened
    # (a case entered late takes the real opening date); the no-decision signal counts from it.
    if submitted_on < case.opened_on:
        raise DomainError(
            _("The submission date cannot be before the case was opened (%(date)s).")
            % {"date": case.opened_on.strftime("%d-%m-%Y")},
            field="submitted_on",
        )
    if case.aba_applications.filter(outcome="").exists():
        raise DomainError(_("There is already an ABA without a decision."))
    aba = AbaApplication.objects.create(case=case, submitted_on=submitted_on)
    timeline_append(case=case, actor=actor, kind="aba_submitted")
    case_processing_log(actor, case, "employment.record", "create")
    from routearbeid.aftercare.schedules import schedule_aba_signal

    schedule_aba_signal(case, aba)
    return aba


@transaction.atomic
def aba_application_update(
    *,
    actor,
    aba_id: int,
    received_on: dt.date | None = None,
    decided_on: dt.date | None = None,
    outcome: str = "",
) -> AbaApplication:
    actor = as_actor(actor)
    aba = AbaApplication.objects.filter(pk=aba_id).first()
    if aba is None:
        raise NotFound("not found")
    case = route_services.case_for_change(actor, aba.case_id)
    if not permissions.may_manage_case(actor, case):
        raise permissions.deny()
    if received_on and received_on < aba.submitted_on:
        raise DomainError(
            _("UWV cannot confirm receipt before the submission date."), field="received_on"
        )
    if received_on and received_on > today():
        raise DomainError(_("The date of receipt cannot be in the future."), field="received_on")
    if decided_on and decided_on < aba.submitted_on:
        raise DomainError(
            _("The decision cannot be before the submission date."), field="decided_on"
        )
    if bool(decided_on) != bool(outcome):
        raise DomainError(_("Give both the decision date and the outcome."))
    if outcome and outcome not in AbaOutcome.values:
        raise DomainError(_("Choose an outcome."))
    if decided_on and decided_on > today():
        raise DomainError(_("The decision date cannot be in the future."), field="decided_on")
    aba.received_on = received_on or aba.received_on
    if decided_on:
        aba.decided_on = decided_on
        aba.outcome = outcome
    aba.save(update_fields=["received_on", "decided_on", "outcome", "updated_at"])
    timeline_append(case=case, actor=actor, kind="aba_updated")
    _update_register(case, actor)
    case_processing_log(actor, case, "employment.record")
    if aba.outcome:
        from routearbeid.aftercare.schedules import cancel_key

        cancel_key(case, f"aba-{aba.pk}")
    route_services.advance(case, actor)
    return aba


@transaction.atomic
def practice_route_record(*, actor, case_id: int, on: dt.date):
    """R-ABA-2: the municipality's praktijkroute (wage value measurement) also puts the youth in the register."""
    actor = as_actor(actor)
    case = route_services.case_for_change(actor, case_id)
    if not (permissions.may_manage_case(actor, case) or actor.has_role("work_service_manager")):
        raise permissions.deny()
    case.practice_route_on = on
    case.save(update_fields=["practice_route_on", "updated_at"])
    timeline_append(case=case, actor=actor, kind="practice_route_recorded")
    _update_register(case, actor)
    case_processing_log(actor, case, "employment.record")
    return case


# --- Provisions -----------------------------------------------------------------------------


@transaction.atomic
def provision_record(
    *,
    actor,
    case_id: int,
    kind: str,
    status: str,
    status_on: dt.date,
    employment_id: int | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    doelgroepverklaring_requested_on: dt.date | None = None,
    notes: str = "",
    provision_id: int | None = None,
) -> Provision:
    """R-ABA-4: provisions with status and dates; no-risk policy and LKV need the doelgroepregister."""
    actor = as_actor(actor)
    case = route_services.case_for_change(actor, case_id)
    if not permissions.may_record_work_matters(actor, case):
        raise permissions.deny()
    route_services._require_open(case)
    if kind not in ProvisionKind.values or status not in ProvisionStatus.values:
        raise DomainError(_("Choose the kind and status of the provision."))
    # Not bound by the case's opening: a provision may go with a job that began before the
    # route (an LKV starts with the job), or have been advised or granted before it.
    _require_after_birth(case, status_on, "status_on")
    for field, day in (
        ("starts_on", starts_on),
        ("ends_on", ends_on),
        ("doelgroepverklaring_requested_on", doelgroepverklaring_requested_on),
    ):
        if day is not None:
            _require_after_birth(case, day, field)
    if (
        kind in REGISTER_ONLY_PROVISIONS
        and not case.target_group_register
        and status != ProvisionStatus.REFUSED
    ):
        raise DomainError(
            _("The no-risk policy and the LKV are only for youth in the doelgroepregister."),
            rule_ids=("R-ABA-4",),
        )
    employment = None
    if employment_id is not None:
        employment = case.employments.filter(pk=employment_id).first()
        if employment is None:
            raise DomainError(_("Choose a job of this youth."))
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError(_("The end date cannot be before the start date."))
    if kind == ProvisionKind.LKV:
        if employment is None:
            raise DomainError(_("An LKV belongs to a job: choose the job."), rule_ids=("R-ABA-4",))
        # R-ABA-4: LKV lasts at most 3 years from the start of the job
        limit = add_years(employment.starts_on, LKV_MAX_YEARS)
        starts_on = starts_on or employment.starts_on
        ends_on = min(ends_on or limit, limit)
        if ends_on < starts_on:
            raise DomainError(_("The LKV cannot start after it ends."), rule_ids=("R-ABA-4",))
    values = {
        "kind": kind,
        "status": status,
        "status_on": status_on,
        "employment": employment,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "doelgroepverklaring_requested_on": doelgroepverklaring_requested_on,
        "notes": notes.strip(),
        "recorded_by": actor.user,
    }
    if provision_id is not None:
        provision = case.provisions.filter(pk=provision_id).first()
        if provision is None:
            raise NotFound("not found")
        for field, value in values.items():
            setattr(provision, field, value)
        provision.save()
    else:
        provision = Provision.objects.create(case=case, **values)
    timeline_append(
        case=case,
        actor=actor,
        kind="provision_recorded",
        data={"provision_kind": provision.kind, "provision_status": provision.status},
    )
    case_processing_log(actor, case, "employment.record")
    from routearbeid.aftercare.schedules import schedule_provision_signals

    schedule_provision_signals(case, provision)
    return provision


def doelgroepverklaring_deadline(employment: Employment) -> dt.date:
    # R-ABA-4: request within 3 months of the start of the job
    from .constants import DOELGROEPVERKLARING_MONTHS

    return add_months(employment.starts_on, DOELGROEPVERKLARING_MONTHS)
