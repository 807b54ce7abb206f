"""Aftercare writes: check-ins (R-NZ-2), self-reports (R-NZ-4), job-loss threats (R-NZ-6),
raising due signals and closing cases when aftercare ends (R-NZ-7)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from routearbeid.core.dates import today
from routearbeid.core.errors import DomainError, NotFound
from routearbeid.organisations.actors import Actor, as_actor
from routearbeid.processing_log.services import case_processing_log
from routearbeid.route import permissions
from routearbeid.route import services as route_services
from routearbeid.route.constants import Situation, Stage
from routearbeid.route.models import Case, TimelineEvent
from routearbeid.route.timeline import timeline_append

from .constants import JOB_LOSS_REPORTS, ReportChannel, SelfReportKind, SignalKind, SignalStatus
from .models import AftercareCheck, SelfReport, Signal
from .schedules import cancel_key, school_of, work_service_of


def _open_signal(
    case, *, kind, rule_id, organisation, message, key, params=None, due_on=None
) -> Signal | None:
    """A signal raised at once; `message` is an untranslated template (gettext_noop)."""
    if organisation is None:
        return None
    now = timezone.now()
    signal = Signal.objects.create(
        case=case,
        kind=kind,
        rule_id=rule_id,
        organisation=organisation,
        status=SignalStatus.OPEN,
        raise_on=now.date(),
        due_on=due_on or now.date(),
        raised_at=now,
        message=message[:300],
        params=params or {},
        key=key,
    )
    return signal


@transaction.atomic
def aftercare_check_record(
    *,
    actor,
    check_id: int,
    recorded_on: dt.date,
    contact_made: bool,
    situation: str = "",
    notes: str = "",
    follow_up: str = "",
) -> AftercareCheck:
    """R-NZ-2: date, contact made, situation, notes and follow-up."""
    actor = as_actor(actor)
    check = AftercareCheck.objects.filter(pk=check_id).first()
    if check is None:
        raise NotFound("not found")
    case = route_services.case_for_change(actor, check.case_id)
    if not permissions.may_manage_case(actor, case):
        raise permissions.deny(_("Check-ins are recorded by the school."))
    # R-NZ-3/R-NZ-7: the last check-in is due on the day aftercare ends and the case closes, and is
    # only overdue 30 days later: the school can still record it on the closed case.
    if case.stage not in (Stage.AFTERCARE, Stage.CLOSED):
        raise DomainError(_("Check-ins are recorded during aftercare."))
    if recorded_on > today():
        raise DomainError(_("The date of contact cannot be in the future."))
    if case.outflow_on and recorded_on < case.outflow_on:
        raise DomainError(_("The date of contact cannot be before the outflow."))
    if contact_made and situation not in Situation.values:
        raise DomainError(_("Choose the youth's situation."), rule_ids=("R-NZ-2",))
    if situation and situation not in Situation.values:
        raise DomainError(_("Choose the youth's situation."), rule_ids=("R-NZ-2",))
    check.recorded_on = recorded_on
    check.contact_made = contact_made
    check.situation = situation if contact_made else (situation or Situation.UNKNOWN)
    check.notes = notes.strip()
    check.follow_up = follow_up.strip()
    check.recorded_by = actor.user
    check.save()
    fields = ["updated_at"]
    if contact_made:
        case.last_known_situation = check.situation
        case.last_contact_on = recorded_on
        fields += ["last_known_situation", "last_contact_on"]
    case.save(update_fields=fields)
    cancel_key(case, f"checkin-{check.sequence}", note=_("Check-in recorded"))
    timeline_append(
        case=case, actor=actor, kind="checkin_recorded", data={"sequence": check.sequence}
    )
    case_processing_log(actor, case, "aftercare.checkin")
    return check


@transaction.atomic
def self_report_record(
    *,
    actor: Actor | None,
    case_id: int,
    kind: str,
    channel: str,
    message: str = "",
    contact_phone: str = "",
) -> SelfReport:
    """R-NZ-4: a self-report signals the school at once, and the work service on (threat of) job loss."""
    if kind not in SelfReportKind.values or channel not in ReportChannel.values:
        raise DomainError(_("Choose what the report is about."))
    if actor is None:
        case = (
            Case.objects.select_for_update()
            .select_related("student__school")
            .filter(pk=case_id)
            .first()
        )
        if case is None:
            raise NotFound("not found")
    else:
        actor = as_actor(actor)
        case = route_services.case_for_change(actor, case_id)
        if not permissions.may_record_work_matters(actor, case):
            raise permissions.deny()
    if case.stage not in (Stage.AFTERCARE, Stage.CLOSED) and channel == ReportChannel.PORTAL:
        raise DomainError(_("Reports can be made after leaving school."))
    report = SelfReport.objects.create(
        case=case,
        reported_at=timezone.now(),
        kind=kind,
        message=message.strip()[:2000],
        contact_phone=contact_phone.strip()[:30],
        channel=channel,
        recorded_by=actor.user if actor else None,
    )
    text = gettext_noop("The youth reports: %(report_kind)s")
    params = {"report_kind": kind}
    _open_signal(
        case,
        kind=SignalKind.SELF_REPORT,
        rule_id="R-NZ-4",
        organisation=school_of(case),
        message=text,
        params=params,
        key=f"self-report-{report.pk}",
    )
    if kind in JOB_LOSS_REPORTS:
        _open_signal(
            case,
            kind=SignalKind.SELF_REPORT,
            rule_id="R-NZ-4",
            organisation=work_service_of(case),
            message=text,
            params=params,
            key=f"self-report-{report.pk}",
        )
    timeline_append(case=case, actor=actor, kind="self_report", data={"report_kind": kind})
    case_processing_log(actor, case, "aftercare.signal", "create")
    return report


@transaction.atomic
def job_loss_threat_record(*, actor, case_id: int, note: str) -> Signal:
    """R-NZ-6: the school or the work service records a threat of job loss; the other party is signalled."""
    actor = as_actor(actor)
    case = route_services.case_for_change(actor, case_id)
    if not permissions.may_record_work_matters(actor, case):
        raise permissions.deny()
    if case.stage not in (Stage.OUTFLOW, Stage.AFTERCARE):
        raise DomainError(_("A threat of job loss is recorded once the youth works."))
    if not note.strip():
        raise DomainError(_("Describe the threat of job loss."))
    from_school = permissions.is_case_school(actor, case)
    other = work_service_of(case) if from_school else school_of(case)
    if other is None:
        raise DomainError(_("No work service is involved yet to signal."))
    signal = _open_signal(
        case,
        kind=SignalKind.JOB_LOSS_THREAT,
        rule_id="R-NZ-6",
        organisation=other,
        message=gettext_noop("Threat of job loss: %(note)s"),
        params={"note": note.strip()[:2000]},
        key=f"job-loss-{uuid.uuid4().hex}",  # each threat is its own signal, even within one clock tick
    )
    assert signal is not None
    timeline_append(case=case, actor=actor, kind="signal_raised", data={"signal_kind": signal.kind})
    case_processing_log(actor, case, "aftercare.signal", "create")
    return signal


def _signal_for_change(actor: Actor, signal_id: int) -> Signal:
    signal = Signal.objects.select_related("case").filter(pk=signal_id).first()
    if signal is None or signal.organisation_id not in actor.organisation_ids():
        raise NotFound("not found")
    route_services.case_get(actor=actor, case_id=signal.case_id, log=False)
    return signal


@transaction.atomic
def signal_acknowledge(*, actor, signal_id: int) -> Signal:
    actor = as_actor(actor)
    signal = _signal_for_change(actor, signal_id)
    if signal.status != SignalStatus.OPEN:
        raise DomainError(_("Only an open signal can be acknowledged."))
    signal.status = SignalStatus.ACKNOWLEDGED
    signal.person = signal.person or actor.user
    signal.save(update_fields=["status", "person", "updated_at"])
    timeline_append(
        case=signal.case,
        actor=actor,
        kind="signal_status",
        data={"signal_kind": signal.kind, "signal_status": signal.status},
    )
    return signal


@transaction.atomic
def signal_resolve(*, actor, signal_id: int, note: str) -> Signal:
    actor = as_actor(actor)
    signal = _signal_for_change(actor, signal_id)
    if signal.status not in (SignalStatus.OPEN, SignalStatus.ACKNOWLEDGED):
        raise DomainError(_("This signal is not open."))
    if not note.strip():
        raise DomainError(_("Write how the signal was resolved."))
    signal.status = SignalStatus.RESOLVED
    signal.resolution_note = note.strip()
    signal.save(update_fields=["status", "resolution_note", "updated_at"])
    timeline_append(
        case=signal.case,
        actor=actor,
        kind="signal_status",
        data={"signal_kind": signal.kind, "signal_status": signal.status},
    )
    return signal


@transaction.atomic
def signals_raise_due(*, on: dt.date | None = None) -> int:
    """Open every scheduled signal whose day has come; returns how many were raised (0 when run again)."""
    on = on or today()
    due = list(
        Signal.objects.select_for_update(skip_locked=True)
        .filter(status=SignalStatus.SCHEDULED, raise_on__lte=on)
        .exclude(case__stage=Stage.WITHDRAWN)
        .order_by("id")
    )
    if not due:
        return 0
    now = timezone.now()
    for signal in due:
        signal.status = SignalStatus.OPEN
        signal.raised_at = now
    Signal.objects.bulk_update(due, ["status", "raised_at"])
    TimelineEvent.objects.bulk_create(
        [
            TimelineEvent(
                case_id=s.case_id,
                kind="signal_raised",
                summary=s.kind,
                data={"signal_kind": s.kind},
            )
            for s in due
        ]
    )
    return len(due)


def cases_close_due(*, on: dt.date | None = None) -> int:
    """R-NZ-7: close every case whose two years of aftercare have passed."""
    on = on or today()
    ids = list(
        Case.objects.filter(stage=Stage.AFTERCARE, aftercare_ends_on__lte=on).values_list(
            "id", flat=True
        )
    )
    for case_id in ids:
        route_services.case_close(actor=None, case_id=case_id, on=on)
    return len(ids)
