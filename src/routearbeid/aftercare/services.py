"""Aftercare writes: check-ins (R-NZ-2), self-reports (R-NZ-4), job-loss threats (R-NZ-6), signals
raised by hand, the work service's follow-up, the RMC's monitoring notes, raising due signals and
closing cases when aftercare ends (R-NZ-7)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from routearbeid.core.dates import today
from routearbeid.core.errors import DomainError, NotFound
from routearbeid.core.phone import WRONG_NUMBER, phone_clean
from routearbeid.notifications.services import signals_raised
from routearbeid.organisations.actors import Actor, as_actor
from routearbeid.organisations.constants import Role
from routearbeid.organisations.models import User
from routearbeid.processing_log.services import case_processing_log
from routearbeid.route import permissions
from routearbeid.route import services as route_services
from routearbeid.route.constants import Situation, Stage
from routearbeid.route.models import Case, TimelineEvent
from routearbeid.route.timeline import timeline_append

from .constants import (
    JOB_LOSS_REPORTS,
    MANUAL_SIGNAL_KINDS,
    NO_SITUATION_WITHOUT_CONTACT,
    FollowUpWith,
    ReportChannel,
    SelfReportKind,
    SignalKind,
    SignalStatus,
    situation_without_contact,
)
from .models import (
    AftercareCheck,
    FollowUpContact,
    MonitoringNote,
    SelfReport,
    Signal,
    WorkServiceFollowUp,
)
from .schedules import cancel_key, schedule_checkin_overdue, school_of, work_service_of

AFTER_OUTFLOW = (Stage.AFTERCARE, Stage.CLOSED)


def _open_signal(
    case, *, kind, rule_id, organisation, message, key, params=None, due_on=None, person=None
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
        person=person,
        status=SignalStatus.OPEN,
        raise_on=today(),
        due_on=due_on or today(),
        raised_at=now,
        message=message[:300],
        params=params or {},
        key=key,
    )
    # The e-mail to the people it is addressed to goes out once the signal is committed.
    transaction.on_commit(lambda: signals_raised([signal.pk]))
    return signal


def _contact_seen(case: Case, on: dt.date, situation: str = "") -> list[str]:
    """Keep the case's last contact and last known situation (R-NZ-7, R-RMC-1) up to date."""
    if case.last_contact_on is not None and on < case.last_contact_on:
        return []
    case.last_contact_on = on
    fields = ["last_contact_on"]
    if situation:
        case.last_known_situation = situation
        fields.append("last_known_situation")
    return fields


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
    if situation_without_contact(contact_made, situation):
        raise DomainError(NO_SITUATION_WITHOUT_CONTACT, rule_ids=("R-NZ-2",))
    check.recorded_on = recorded_on
    check.contact_made = contact_made
    check.situation = situation if contact_made else Situation.UNKNOWN
    check.notes = notes.strip()
    check.follow_up = follow_up.strip()
    check.recorded_by = actor.user
    check.save()
    fields = ["updated_at"]
    if contact_made:
        fields += _contact_seen(case, recorded_on, check.situation)
    case.save(update_fields=fields)
    cancel_key(case, f"checkin-{check.sequence}", note=_("Check-in recorded"))
    if contact_made:
        timeline_append(
            case=case,
            actor=actor,
            kind="checkin_recorded",
            data={"sequence": check.sequence, "situation": check.situation},
        )
    else:
        retry = _checkin_retry(case, check, recorded_on)
        timeline_append(
            case=case,
            actor=actor,
            kind="checkin_not_reached",
            data={
                "sequence": check.sequence,
                "date": retry.due_on.strftime("%d-%m-%Y") if retry else "–",
            },
        )
    case_processing_log(actor, case, "aftercare.checkin")
    return check


def _checkin_retry(
    case: Case, check: AftercareCheck, recorded_on: dt.date
) -> AftercareCheck | None:
    """R-NZ-2: 'could not reach' schedules a new try after the region's retry days, during aftercare."""
    if case.stage != Stage.AFTERCARE:
        return None
    region = case.student.school.region
    last = case.checks.aggregate(last=Max("sequence"))["last"] or 0
    retry = AftercareCheck.objects.create(
        case=case,
        sequence=last + 1,
        due_on=recorded_on + dt.timedelta(days=region.checkin_retry_days),
        retry_of=check.retry_of or check,
    )
    schedule_checkin_overdue(case, retry)  # R-NZ-3 holds for the retry too
    return retry


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
    try:
        contact_phone = phone_clean(contact_phone)
    except ValueError:
        raise DomainError(WRONG_NUMBER) from None
    report = SelfReport.objects.create(
        case=case,
        reported_at=timezone.now(),
        kind=kind,
        message=message.strip()[:2000],
        contact_phone=contact_phone,
        channel=channel,
        recorded_by=actor.user if actor else None,
    )
    # A youth who reports having lost the job is not working (the last known situation).
    lost = Situation.NOT_WORKING_SEEKING if kind == SelfReportKind.LOST_JOB else ""
    if fields := _contact_seen(case, timezone.localdate(report.reported_at), lost):
        case.save(update_fields=[*fields, "updated_at"])
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


@transaction.atomic
def signal_raise(
    *,
    actor,
    case_id: int,
    kind: str,
    note: str,
    person_id: int | None = None,
    due_on: dt.date | None = None,
) -> Signal:
    """A signal raised by hand: the school asks the work service to contact the youth again
    (seed, step 5: "the school can then contact Halte Werk again"), optionally to one person."""
    actor = as_actor(actor)
    case = route_services.case_for_change(actor, case_id)
    if not permissions.may_manage_case(actor, case):
        raise permissions.deny(_("The school asks the work service to get in touch again."))
    if kind not in MANUAL_SIGNAL_KINDS:
        raise DomainError(_("Choose what the signal is about."))
    if case.stage not in AFTER_OUTFLOW:
        raise DomainError(_("This signal can be raised once the youth has left school."))
    if not note.strip():
        raise DomainError(_("Write what the work service should know."))
    if due_on is not None and due_on < today():
        raise DomainError(_("The date to act by cannot be in the past."))
    work_service = work_service_of(case)
    if work_service is None:
        raise DomainError(_("No work service is involved yet to signal."))
    person = None
    if person_id is not None:
        person = User.objects.filter(
            pk=person_id,
            is_active=True,
            memberships__organisation=work_service,
            memberships__role=Role.WORK_SERVICE_MANAGER,
        ).first()
        if person is None:
            raise DomainError(_("Choose a client manager of the work service."))
    signal = _open_signal(
        case,
        kind=kind,
        rule_id="R-NZ-4",
        organisation=work_service,
        person=person,
        message=gettext_noop("Please contact the youth again: %(note)s"),
        params={"note": note.strip()[:2000]},
        due_on=due_on,
        key=f"manual-{uuid.uuid4().hex}",
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


RAISE_BATCH = 1000  # signals opened by one UPDATE


@transaction.atomic
def signals_raise_due(*, on: dt.date | None = None) -> int:
    """Open every scheduled signal whose day has come; returns how many this run raised.

    Idempotent and safe with two workers at once: rows are picked through the partial index on
    `raise_on` (status "scheduled"), locked with SKIP LOCKED so that another worker passes them
    by, and opened by conditional UPDATEs (scheduled -> open), one per batch of RAISE_BATCH ids,
    that only count the rows this worker changed; each opened signal gets its timeline event in
    the same batch, and the notifications are one call after the commit. So the cost grows with
    what is due, not with all cases, and the number of queries with the batches, not with the
    signals. On PostgreSQL a batch is one statement (_RAISE_SQL); elsewhere the ORM does the same.
    """
    on = on or today()
    # The signals alone, through the partial index on raise_on, in its order. PostgreSQL cannot
    # tell how few scheduled signals are due (the columns' statistics say most signals lie in
    # the past: it expects a million rows for 422), so any other shape reads far more: a join
    # with the cases read every case, an ORDER BY id walked the whole primary key, and in no
    # order it may scan the (organisation, status, due_on) index for every scheduled signal
    # (0.7-3 s at 1,000,000 cases; issue #7). Ordered by raise_on, the partial index is the
    # only plan that needs no sort. The cases are read by primary key afterwards, in batches.
    locked = list(
        Signal.objects.select_for_update(skip_locked=True)
        .filter(status=SignalStatus.SCHEDULED, raise_on__lte=on)
        .order_by("raise_on")
        .values_list("id", "case_id", "kind")
    )
    if not locked:
        return 0
    locked.sort()
    now = timezone.now()
    if connection.vendor == "postgresql":
        raised = _raise_set_based([pk for pk, _case, _kind in locked], now)
    else:
        raised = _raise_by_orm(locked, now)
    if not raised:
        return 0
    transaction.on_commit(lambda: signals_raised(raised))
    return len(raised)


# One statement per batch on PostgreSQL (issue #7): the locked signals of a withdrawn case are
# cancelled (R-END-1), the others opened, and each opened signal's timeline event inserted from
# the UPDATE's RETURNING, so no row makes a round trip through Python. `status = 'scheduled'`
# again in the UPDATE: only the rows this statement changes count.
_RAISE_SQL = f"""
WITH changed AS (
    UPDATE {Signal._meta.db_table} AS s
    SET status = CASE WHEN c.stage = %(withdrawn)s THEN %(cancelled)s ELSE %(open)s END,
        raised_at = CASE WHEN c.stage = %(withdrawn)s THEN s.raised_at ELSE %(now)s END
    FROM {Case._meta.db_table} AS c
    WHERE s.id = ANY(%(ids)s) AND s.status = %(scheduled)s AND c.id = s.case_id
    RETURNING s.id, s.case_id, s.kind, s.status
), events AS (
    INSERT INTO {TimelineEvent._meta.db_table} (case_id, at, kind, summary, data)
    SELECT case_id, %(now)s, 'signal_raised', kind, jsonb_build_object('signal_kind', kind)
    FROM changed WHERE status = %(open)s
)
SELECT id FROM changed WHERE status = %(open)s ORDER BY id
"""


def _raise_set_based(ids: list[int], now) -> list[int]:
    raised: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(ids), RAISE_BATCH):
            cursor.execute(
                _RAISE_SQL,
                {
                    "ids": ids[start : start + RAISE_BATCH],
                    "now": now,
                    "withdrawn": Stage.WITHDRAWN,
                    "scheduled": SignalStatus.SCHEDULED,
                    "open": SignalStatus.OPEN,
                    "cancelled": SignalStatus.CANCELLED,
                },
            )
            raised.extend(row[0] for row in cursor.fetchall())
    return raised


def _raise_by_orm(locked: list[tuple[int, int, str]], now) -> list[int]:
    """The same as _RAISE_SQL through the ORM (SQLite): conditional UPDATEs per batch, the
    timeline events in one bulk insert."""
    case_ids = sorted({case_id for _pk, case_id, _kind in locked})
    stages: dict[int, str] = {}
    for start in range(0, len(case_ids), RAISE_BATCH):
        stages.update(
            Case.objects.filter(pk__in=case_ids[start : start + RAISE_BATCH]).values_list(
                "id", "stage"
            )
        )
    # A withdrawn case gets no aftercare (R-END-1): its leftovers are cancelled, not raised.
    withdrawn = [pk for pk, case_id, _kind in locked if stages.get(case_id) == Stage.WITHDRAWN]
    for start in range(0, len(withdrawn), RAISE_BATCH):
        Signal.objects.filter(
            pk__in=withdrawn[start : start + RAISE_BATCH], status=SignalStatus.SCHEDULED
        ).update(status=SignalStatus.CANCELLED)
    candidates = [row for row in locked if stages.get(row[1]) != Stage.WITHDRAWN]
    raised: list[tuple[int, int, str]] = []
    for start in range(0, len(candidates), RAISE_BATCH):
        batch = candidates[start : start + RAISE_BATCH]
        ids = [pk for pk, _case, _kind in batch]
        changed = Signal.objects.filter(pk__in=ids, status=SignalStatus.SCHEDULED).update(
            status=SignalStatus.OPEN, raised_at=now
        )
        if changed == len(batch):
            raised.extend(batch)
        elif changed:
            # Only those this UPDATE opened (raised_at is this run's moment) count.
            mine = set(
                Signal.objects.filter(
                    pk__in=ids, status=SignalStatus.OPEN, raised_at=now
                ).values_list("pk", flat=True)
            )
            raised.extend(row for row in batch if row[0] in mine)
    TimelineEvent.objects.bulk_create(
        [
            TimelineEvent(
                case_id=case_id, kind="signal_raised", summary=kind, data={"signal_kind": kind}
            )
            for _pk, case_id, kind in raised
        ],
        batch_size=RAISE_BATCH,
    )
    return [pk for pk, _case, _kind in raised]


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


# --- The work service's own follow-up ----------------------------------------------------------


def _follow_up_for_change(actor: Actor, case: Case) -> WorkServiceFollowUp:
    """The follow-up of the work service that took the youth over; only its client managers."""
    work_service = work_service_of(case)
    if work_service is None or work_service.pk not in actor.organisation_ids(
        Role.WORK_SERVICE_MANAGER
    ):
        raise permissions.deny(_("The follow-up is recorded by the work service that took over."))
    if case.stage not in AFTER_OUTFLOW or case.outflow_on is None:
        raise DomainError(_("The follow-up starts when the youth has left school."))
    follow_up, _created = WorkServiceFollowUp.objects.get_or_create(
        case=case, defaults={"organisation": work_service, "started_on": case.outflow_on}
    )
    return follow_up


def work_service_may_follow_up(actor: Actor, case: Case) -> bool:
    """Whether the actor's work service follows this youth now (offers the follow-up forms)."""
    if case.stage not in AFTER_OUTFLOW or not actor.has_role(Role.WORK_SERVICE_MANAGER):
        return False
    work_service = work_service_of(case)
    if work_service is None or work_service.pk not in actor.organisation_ids(
        Role.WORK_SERVICE_MANAGER
    ):
        return False
    try:
        # read with the case where the page read it (route.views._case_for_student), else here
        follow_up = case.work_service_follow_up
    except WorkServiceFollowUp.DoesNotExist:
        return True
    return follow_up.ended_on is None


@transaction.atomic
def follow_up_contact_record(
    *,
    actor,
    case_id: int,
    contact_on: dt.date,
    with_whom: str,
    situation: str,
    next_step: str = "",
    notes: str = "",
) -> FollowUpContact:
    """The work service's follow-up contact with the youth or the employer (seed: Halte Werk
    "has taken over" the youth and follows how work goes); the school sees it on the timeline."""
    actor = as_actor(actor)
    case = route_services.case_for_change(actor, case_id)
    follow_up = _follow_up_for_change(actor, case)
    if follow_up.ended_on is not None:
        raise DomainError(_("The follow-up by the work service has ended."))
    errors = []
    if with_whom not in FollowUpWith.values:
        errors.append(_("Choose with whom there was contact."))
    if situation not in Situation.values:
        errors.append(_("Choose the youth's situation."))
    if contact_on > today():
        errors.append(_("The date of contact cannot be in the future."))
    elif case.outflow_on and contact_on < case.outflow_on:
        errors.append(_("The date of contact cannot be before the outflow."))
    if errors:
        raise DomainError(" ".join(str(e) for e in errors))
    contact = FollowUpContact.objects.create(
        case=case,
        organisation=follow_up.organisation,
        contact_on=contact_on,
        with_whom=with_whom,
        situation=situation,
        next_step=next_step.strip()[:300],
        notes=notes.strip()[:4000],
        recorded_by=actor.user,
    )
    if fields := _contact_seen(case, contact_on, situation):
        case.save(update_fields=[*fields, "updated_at"])
    timeline_append(
        case=case,
        actor=actor,
        kind="follow_up_contact",
        data={
            "with_whom": with_whom,
            "situation": situation,
            "next_step": contact.next_step or "–",
        },
    )
    case_processing_log(actor, case, "aftercare.follow_up", "create")
    return contact


@transaction.atomic
def follow_up_end(*, actor, case_id: int, ended_on: dt.date, reason: str) -> WorkServiceFollowUp:
    """The work service stops following the youth; its signals still to come are cancelled (R-NZ-5)."""
    actor = as_actor(actor)
    case = route_services.case_for_change(actor, case_id)
    follow_up = _follow_up_for_change(actor, case)
    if follow_up.ended_on is not None:
        raise DomainError(_("The follow-up by the work service has already ended."))
    if not reason.strip():
        raise DomainError(_("Write why the follow-up ends."))
    if ended_on > today() or ended_on < follow_up.started_on:
        raise DomainError(_("The end date lies between the start of the follow-up and today."))
    follow_up.ended_on = ended_on
    follow_up.end_reason = reason.strip()[:2000]
    follow_up.ended_by = actor.user
    follow_up.save(update_fields=["ended_on", "end_reason", "ended_by", "updated_at"])
    Signal.objects.filter(
        case=case, organisation=follow_up.organisation, status=SignalStatus.SCHEDULED
    ).update(status=SignalStatus.CANCELLED)
    timeline_append(
        case=case, actor=actor, kind="follow_up_ended", data={"reason": follow_up.end_reason}
    )
    case_processing_log(actor, case, "aftercare.follow_up")
    return follow_up


# --- The RMC's monitoring notes (R-RMC-1) ------------------------------------------------------


@transaction.atomic
def monitoring_note_record(
    *, actor, case_id: int, text: str, noted_on: dt.date | None = None
) -> MonitoringNote:
    actor = as_actor(actor)
    case = route_services.case_for_change(actor, case_id)
    region_id = case.student.school.region_id
    rmc = next(
        (s for s in actor.seats if s.role == Role.RMC_OFFICER and s.region_id == region_id), None
    )
    if rmc is None:
        raise permissions.deny(_("Monitoring notes are kept by the RMC."))
    if case.stage not in (Stage.AFTERCARE, Stage.CLOSED):
        raise DomainError(
            _("Monitoring starts when the youth leaves school."), rule_ids=("R-RMC-1",)
        )
    noted_on = noted_on or today()
    if not text.strip():
        raise DomainError(_("Write the note."))
    if noted_on > today():
        raise DomainError(_("The date cannot be in the future."))
    note = MonitoringNote.objects.create(
        case=case,
        organisation_id=rmc.organisation_id,
        noted_on=noted_on,
        text=text.strip()[:4000],
        recorded_by=actor.user,
    )
    timeline_append(case=case, actor=actor, kind="monitoring_note")
    case_processing_log(actor, case, "aftercare.monitoring", "create")
    return note
