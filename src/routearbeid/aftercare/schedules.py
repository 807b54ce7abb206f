"""What is scheduled when a youth leaves school: check-ins and dated signals.

Signals are rows with a `raise_on` date (status "scheduled"); the daily raiser opens the ones
that have come due. Keys make scheduling idempotent: scheduling twice never makes two rows.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from routearbeid.core.dates import add_months
from routearbeid.employment.constants import (
    DOELGROEPVERKLARING_MONTHS,
    DOELGROEPVERKLARING_WARNING_DAYS,
    EmploymentKind,
    ProvisionKind,
    ProvisionStatus,
)
from routearbeid.organisations.constants import OrganisationKind
from routearbeid.organisations.models import Organisation
from routearbeid.route.constants import Stage
from routearbeid.route.models import Case, handover_of

from .constants import SignalKind, SignalStatus
from .models import AftercareCheck, Signal, WorkServiceFollowUp


def school_of(case: Case) -> Organisation:
    return case.student.school


def involved_organisation(case: Case, kind: str) -> Organisation | None:
    involvement = (
        case.involvements.filter(organisation__kind=kind).select_related("organisation").first()
    )
    return involvement.organisation if involvement else None


def work_service_of(case: Case) -> Organisation | None:
    """The work service that took the youth over (the handover), else the one involved."""
    handover = handover_of(case)
    if handover and handover.receiving_organisation.kind == OrganisationKind.WORK_SERVICE:
        return handover.receiving_organisation
    return involved_organisation(case, OrganisationKind.WORK_SERVICE)


def work_service_following(case: Case) -> Organisation | None:
    """The work service while it follows the youth: until it records the end of its follow-up."""
    follow_up = WorkServiceFollowUp.objects.filter(case=case).select_related("organisation").first()
    if follow_up is not None:
        return None if follow_up.ended_on else follow_up.organisation
    return work_service_of(case)


def schedule(
    case: Case,
    *,
    kind: str,
    rule_id: str,
    organisation: Organisation | None,
    raise_on: dt.date,
    due_on: dt.date | None,
    message: str,
    key: str,
    params: dict | None = None,
) -> Signal | None:
    """`message` is an untranslated template (gettext_noop); it is translated when shown."""
    if organisation is None:
        return None
    signal, created = Signal.objects.get_or_create(
        case=case,
        organisation=organisation,
        key=key,
        defaults={
            "kind": kind,
            "rule_id": rule_id,
            "status": SignalStatus.SCHEDULED,
            "raise_on": raise_on,
            "due_on": due_on,
            "message": message[:300],
            "params": params or {},
        },
    )
    if (
        not created
        and signal.status == SignalStatus.SCHEDULED
        and (
            signal.raise_on != raise_on
            or signal.due_on != due_on
            or signal.params != (params or {})
        )
    ):
        signal.raise_on, signal.due_on, signal.message = raise_on, due_on, message[:300]
        signal.params = params or {}
        signal.save(update_fields=["raise_on", "due_on", "message", "params", "updated_at"])
    return signal


def cancel_key(case: Case, key: str, note: str | Promise = "") -> int:
    """The cause is gone: a scheduled signal is cancelled, one already raised is resolved."""
    return _cancel(Signal.objects.filter(case=case, key=key), note)


def _cancel(signals: QuerySet[Signal], note: str | Promise) -> int:
    cancelled = signals.filter(status=SignalStatus.SCHEDULED).update(status=SignalStatus.CANCELLED)
    signals.filter(status__in=[SignalStatus.OPEN, SignalStatus.ACKNOWLEDGED]).update(
        status=SignalStatus.RESOLVED, resolution_note=str(note or _("No longer needed"))
    )
    return cancelled


# R-RMC-1: the "monitoring ends" signal; when the end moves after it was raised
# (route.services.monitoring_ends_follow), the new one is keyed "<key>-<yyyymmdd>".
MONITORING_END_KEY = "rmc-monitoring-end"


def monitoring_end_signals(case_ids: list[int]) -> QuerySet[Signal]:
    """Every "monitoring ends" signal of these cases, the first and those of a moved end."""
    return Signal.objects.filter(case_id__in=case_ids).filter(
        Q(key=MONITORING_END_KEY) | Q(key__startswith=f"{MONITORING_END_KEY}-")
    )


def cancel_monitoring_end(case: Case, note: str | Promise) -> int:
    """R-RMC-1: the monitoring has ended otherwise (a startkwalificatie)."""
    return _cancel(monitoring_end_signals([case.pk]), note)


def cancel_scheduled(case: Case) -> int:
    return Signal.objects.filter(case=case, status=SignalStatus.SCHEDULED).update(
        status=SignalStatus.CANCELLED
    )


def checkin_dates(outflow_on: dt.date, *, years: int, per_year: int) -> list[dt.date]:
    # R-NZ-1: 2 years, 2 a year: outflow + 6, 12, 18 and 24 months (setting). The offsets are
    # computed per check-in (not as a fixed step of 12 // per_year months), so that with a number
    # per year that does not divide 12 the last check-in still falls on the end of aftercare.
    return [add_months(outflow_on, (12 * i) // per_year) for i in range(1, years * per_year + 1)]


def schedule_at_outflow(case: Case) -> None:
    """R-NZ-1 check-ins, then every dated signal that follows from the case."""
    region = case.student.school.region
    assert case.outflow_on is not None
    for sequence, due_on in enumerate(
        checkin_dates(
            case.outflow_on, years=region.aftercare_years, per_year=region.checkins_per_year
        ),
        start=1,
    ):
        AftercareCheck.objects.get_or_create(
            case=case, sequence=sequence, defaults={"due_on": due_on}
        )
    # The work service that took the youth over follows how work goes from outflow on.
    work_service = work_service_of(case)
    if work_service is not None:
        WorkServiceFollowUp.objects.get_or_create(
            case=case, defaults={"organisation": work_service, "started_on": case.outflow_on}
        )
    schedule_for_case(case)


def schedule_for_case(case: Case) -> None:
    """(Re)schedule every dated signal of a case in aftercare; safe to call again."""
    if case.stage != Stage.AFTERCARE:
        return
    region = case.student.school.region
    school = school_of(case)
    # R-NZ-5: the work service is signalled for as long as it follows the youth
    work_service = work_service_following(case)

    for check in case.checks.filter(recorded_on__isnull=True):
        schedule_checkin_overdue(case, check)

    # R-NZ-5: a fixed-term contract: ask about continuation 3 months before its end (setting)
    for employment in case.employments.filter(
        kind=EmploymentKind.FIXED_TERM, ended_on__isnull=True
    ):
        assert employment.ends_on is not None
        raise_on = add_months(employment.ends_on, -region.contract_end_notice_months)
        for organisation in (work_service, school):
            schedule(
                case,
                kind=SignalKind.CONTRACT_END,
                rule_id="R-NZ-5",
                organisation=organisation,
                raise_on=raise_on,
                due_on=employment.ends_on,
                message=gettext_noop("The contract ends on %(date)s: ask about continuation."),
                params={"date": employment.ends_on.strftime("%d-%m-%Y")},
                key=f"contract-end-{employment.pk}",
            )

    for provision in case.provisions.all():
        schedule_provision_signals(case, provision)

    # R-UIT-2: the exemption's end date raises a signal to Leerplicht 1 month before
    leerplicht = involved_organisation(case, OrganisationKind.LEERPLICHT)
    for exemption in case.exemptions.all():
        schedule(
            case,
            kind=SignalKind.EXEMPTION_END,
            rule_id="R-UIT-2",
            organisation=leerplicht,
            raise_on=add_months(exemption.ends_on, -1),
            due_on=exemption.ends_on,
            message=gettext_noop("Exemption %(ref)s ends on %(date)s."),
            params={"ref": exemption.reference, "date": exemption.ends_on.strftime("%d-%m-%Y")},
            key=f"exemption-end-{exemption.pk}",
        )

    # R-NZ-7: aftercare ends at outflow + 2 years; the school is told on the day
    if case.aftercare_ends_on:
        schedule(
            case,
            kind=SignalKind.AFTERCARE_END,
            rule_id="R-NZ-7",
            organisation=school,
            raise_on=case.aftercare_ends_on,
            due_on=case.aftercare_ends_on,
            message=gettext_noop(
                "Aftercare ends on %(date)s; the case closes with the last known situation."
            ),
            params={"date": case.aftercare_ends_on.strftime("%d-%m-%Y")},
            key="aftercare-end",
        )

    # R-RMC-1: monitoring until the 23rd birthday (setting) without startkwalificatie
    if case.rmc_monitoring_ends_on:
        schedule(
            case,
            kind=SignalKind.RMC_MONITORING_END,
            rule_id="R-RMC-1",
            organisation=involved_organisation(case, OrganisationKind.RMC),
            raise_on=case.rmc_monitoring_ends_on,
            due_on=case.rmc_monitoring_ends_on,
            message=gettext_noop("RMC monitoring ends on %(date)s (age limit)."),
            params={"date": case.rmc_monitoring_ends_on.strftime("%d-%m-%Y")},
            key=MONITORING_END_KEY,
        )


def schedule_checkin_overdue(case: Case, check: AftercareCheck) -> Signal | None:
    # R-NZ-3: a check-in not recorded 30 days after its due date (setting)
    region = case.student.school.region
    return schedule(
        case,
        kind=SignalKind.CHECKIN_OVERDUE,
        rule_id="R-NZ-3",
        organisation=school_of(case),
        raise_on=check.due_on + dt.timedelta(days=region.checkin_overdue_days),
        due_on=check.due_on,
        # A retry is named after the check-in it tries again, as on the worklist.
        message=(
            gettext_noop("Check-in %(n)s (new try) was due on %(date)s and has not been recorded.")
            if check.retry_of_id
            else gettext_noop("Check-in %(n)s was due on %(date)s and has not been recorded.")
        ),
        params={
            "n": check.retry_of.sequence if check.retry_of else check.sequence,
            "date": check.due_on.strftime("%d-%m-%Y"),
        },
        key=f"checkin-{check.sequence}",
    )


def schedule_aba_signal(case: Case, aba) -> None:
    # R-ABA-3: no decision 8 weeks after submission (setting)
    region = case.student.school.region
    due = aba.submitted_on + dt.timedelta(weeks=region.aba_decision_weeks)
    schedule(
        case,
        kind=SignalKind.ABA_NO_DECISION,
        rule_id="R-ABA-3",
        organisation=school_of(case),
        raise_on=due,
        due_on=due,
        message=gettext_noop("The ABA filed on %(date)s has no decision yet: contact UWV."),
        params={"date": aba.submitted_on.strftime("%d-%m-%Y")},
        key=f"aba-{aba.pk}",
    )


def schedule_provision_signals(case: Case, provision) -> None:
    """R-ABA-4: request the doelgroepverklaring within 3 months of the job's start (signal 2 weeks before)."""
    if provision.kind != ProvisionKind.LKV or provision.employment is None:
        return
    if provision.status in (ProvisionStatus.REFUSED, ProvisionStatus.ENDED):
        cancel_key(case, f"dgv-{provision.pk}")
        cancel_key(case, f"lkv-end-{provision.pk}")
        return
    organisation = work_service_of(case) or school_of(case)
    deadline = add_months(provision.employment.starts_on, DOELGROEPVERKLARING_MONTHS)
    if provision.doelgroepverklaring_requested_on is None:
        schedule(
            case,
            kind=SignalKind.DOELGROEPVERKLARING,
            rule_id="R-ABA-4",
            organisation=organisation,
            raise_on=deadline - dt.timedelta(days=DOELGROEPVERKLARING_WARNING_DAYS),
            due_on=deadline,
            message=gettext_noop("Request the doelgroepverklaring for the LKV before %(date)s."),
            params={"date": deadline.strftime("%d-%m-%Y")},
            key=f"dgv-{provision.pk}",
        )
    else:
        cancel_key(case, f"dgv-{provision.pk}")
    if provision.ends_on:
        schedule(
            case,
            kind=SignalKind.LKV_END,
            rule_id="R-ABA-4",
            organisation=organisation,
            raise_on=add_months(provision.ends_on, -1),
            due_on=provision.ends_on,
            message=gettext_noop(
                "The LKV ends on %(date)s (at most 3 years from the start of the job)."
            ),
            params={"date": provision.ends_on.strftime("%d-%m-%Y")},
            key=f"lkv-end-{provision.pk}",
        )


def cancel_employment_signals(case: Case, employment) -> None:
    cancel_key(case, f"contract-end-{employment.pk}")
