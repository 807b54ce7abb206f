"""R-END-2: every change to a case becomes an event on its timeline (who, when, what)."""

from __future__ import annotations

import contextlib
from typing import Any

from django.utils.translation import gettext_lazy as _

from routearbeid.organisations.actors import Actor

from .models import Case, TimelineEvent

# What each kind of event says on screen; %(…)s come from the event's data.
EVENT_TEXT = {
    "case_opened": _("Case opened"),
    "stage_changed": _("Stage changed to %(stage)s"),
    "involvement_requested": _("%(organisation)s asked to take part"),
    "involvement_recorded": _("Involvement of %(organisation)s recorded"),
    "profile_established": _('Outflow profile "work" established'),
    "case_withdrawn": _("Case withdrawn: %(reason)s"),
    "aba_submitted": _("ABA filed at UWV"),
    "aba_updated": _("ABA updated"),
    "aba_skipped": _("ABA step skipped: %(reason)s"),
    "practice_route_recorded": _("Praktijkroute (wage value measurement) recorded"),
    "provision_recorded": _("Provision %(provision_kind)s: %(provision_status)s"),
    "handover_recorded": _("Warm handover to %(organisation)s recorded"),
    "handover_accepted": _("Warm handover accepted"),
    "handover_document": _("Handover document generated"),
    "guardians_recorded": _("Involvement of parents or guardians recorded"),
    "employment_recorded": _("Job at %(employer)s recorded"),
    "employment_ended": _("Job at %(employer)s ended"),
    "exemption_recorded": _("Exemption decision %(reference)s recorded"),
    "outflow": _("Outflow into work; deregistered by the school on %(deregistered_on)s"),
    "checkin_recorded": _("Check-in %(sequence)s recorded: %(situation)s"),
    "checkin_not_reached": _("Check-in %(sequence)s: youth not reached; try again by %(date)s"),
    "follow_up_contact": _(
        "Follow-up contact of the work service with: %(with_whom)s; situation: %(situation)s; "
        "next step: %(next_step)s"
    ),
    "follow_up_ended": _("Follow-up by the work service ended: %(reason)s"),
    "monitoring_note": _("Monitoring note by the RMC"),
    "portal_link_made": _("New report page link for the youth (an older one stops working)"),
    "portal_link_revoked": _("Report page link revoked"),
    "self_report": _("Self-report: %(report_kind)s"),
    "signal_raised": _("Signal: %(signal_kind)s"),
    "signal_status": _("Signal %(signal_kind)s: %(signal_status)s"),
    "basic_qualification_recorded": _("Startkwalificatie recorded; RMC monitoring ends"),
    # services.monitoring_ends_follow: the age limit of the region or the date of birth changed
    "rmc_monitoring_end_moved": _(
        "RMC monitoring now ends on %(to)s instead of %(from)s (age limit %(limit)s)"
    ),
    "case_closed": _("Case closed after aftercare"),
    "meeting_agenda": _("Put on the agenda of the outflow meeting of %(date)s"),
    "meeting_advice": _("Advice of %(organisation)s at the outflow meeting"),
    "meeting_decision": _("Outflow meeting decided: %(profile)s"),
    "meeting_action": _("Action for %(organisation)s: %(description)s"),
    # privacy.retention: the retention period ended, the personal data became placeholders
    "anonymised": _("Personal data anonymised: the retention period has ended"),
}


def _choice_labels() -> dict:
    """Data keys that hold a stored choice value, shown as its label in the reader's language."""
    from routearbeid.aftercare.constants import (
        FollowUpWith,
        SelfReportKind,
        SignalKind,
        SignalStatus,
    )
    from routearbeid.employment.constants import ProvisionKind, ProvisionStatus

    from .constants import OutflowProfile, Situation, Stage

    return {
        "stage": Stage,
        "profile": OutflowProfile,
        "report_kind": SelfReportKind,
        "provision_kind": ProvisionKind,
        "provision_status": ProvisionStatus,
        "signal_kind": SignalKind,
        "signal_status": SignalStatus,
        "with_whom": FollowUpWith,
        "situation": Situation,
    }


def _display_data(data: dict[str, Any]) -> dict[str, Any]:
    shown = dict(data)
    for key, choices in _choice_labels().items():
        if key in shown:
            with contextlib.suppress(ValueError):
                shown[key] = str(choices(shown[key]).label)
    return shown


def timeline_append(
    *, case: Case, actor: Actor | None, kind: str, data: dict[str, Any] | None = None
) -> TimelineEvent:
    event = timeline_event(case_id=case.pk, actor=actor, kind=kind, data=data)
    event.case = case
    event.save(force_insert=True)
    return event


def timeline_event(
    *, case_id: int, actor: Actor | None, kind: str, data: dict[str, Any] | None = None
) -> TimelineEvent:
    """The event, not yet saved (for bulk_create; timeline_append saves one)."""
    if kind not in EVENT_TEXT:
        raise ValueError(f"unknown timeline event kind {kind!r}")
    data = {k: (str(v) if v is not None else "") for k, v in (data or {}).items()}
    try:
        summary = str(EVENT_TEXT[kind]) % _display_data(data) if data else str(EVENT_TEXT[kind])
    except (KeyError, ValueError, TypeError):
        summary = str(EVENT_TEXT[kind])
    return TimelineEvent(
        case_id=case_id,
        actor=actor.user if actor else None,
        organisation_id=actor.primary_organisation_id() if actor else None,
        kind=kind,
        summary=summary[:300],
        data=data,
    )


def describe(event: TimelineEvent) -> str:
    """The event in the language of the current request."""
    template = EVENT_TEXT.get(event.kind)
    if template is None:
        return event.summary
    try:
        return str(template) % _display_data(event.data) if event.data else str(template)
    except (KeyError, ValueError, TypeError):
        return event.summary
