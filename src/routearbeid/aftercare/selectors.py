"""The worklist (werkvoorraad): what needs the acting user's action, soonest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from routearbeid.core.dates import today
from routearbeid.meetings.constants import MeetingStatus
from routearbeid.meetings.models import MeetingAction, OutflowMeeting
from routearbeid.organisations.actors import Actor, as_actor
from routearbeid.route.constants import Stage
from routearbeid.route.models import Case, Involvement
from routearbeid.route.permissions import INVOLVEMENT_ROLE_BY_KIND
from routearbeid.route.selectors import visible_cases_q

from .constants import ACTIVE_SIGNAL_STATUSES
from .models import AftercareCheck, Signal

CHECKIN_HORIZON_DAYS = 30  # check-ins show up a month before they are due


def _visible_case_ids(actor: Actor):
    condition = visible_cases_q(actor)
    if condition is None:
        return None
    return Case.objects.filter(condition).values("id")


def my_signals(actor, *, on: dt.date | None = None) -> QuerySet[Signal]:
    actor = as_actor(actor)
    visible = _visible_case_ids(actor)
    if visible is None:
        return Signal.objects.none()
    return (
        Signal.objects.filter(
            status__in=ACTIVE_SIGNAL_STATUSES,
            organisation_id__in=actor.organisation_ids(),
            case_id__in=visible,
        )
        .filter(Q(person__isnull=True) | Q(person=actor.user))
        .select_related("case__student", "organisation")
        .order_by("due_on", "raise_on", "id")
    )


def my_checkins(actor, *, on: dt.date | None = None) -> QuerySet[AftercareCheck]:
    actor = as_actor(actor)
    on = on or today()
    if not actor.school_ids:
        return AftercareCheck.objects.none()
    return (
        AftercareCheck.objects.filter(
            recorded_on__isnull=True,
            due_on__lte=on + dt.timedelta(days=CHECKIN_HORIZON_DAYS),
            case__stage=Stage.AFTERCARE,
            case__student__school_id__in=actor.school_ids,
        )
        .select_related("case__student")
        .order_by("due_on", "id")
    )


def my_involvement_requests(actor) -> QuerySet[Involvement]:
    """Cases waiting for my organisation's involvement and advice (R-OVL-2)."""
    actor = as_actor(actor)
    org_ids: set[int] = set()
    for role in INVOLVEMENT_ROLE_BY_KIND.values():
        org_ids |= actor.organisation_ids(role)
    visible = _visible_case_ids(actor)
    if not org_ids or visible is None:
        return Involvement.objects.none()
    return (
        Involvement.objects.filter(
            organisation_id__in=org_ids,
            involved_on__isnull=True,
            case_id__in=visible,
            case__stage__in=[Stage.CONSULTATION, Stage.ABA, Stage.HANDOVER, Stage.OUTFLOW],
        )
        .select_related("case__student", "organisation")
        .order_by("requested_on", "id")
    )


def my_actions(actor) -> QuerySet[MeetingAction]:
    actor = as_actor(actor)
    return (
        MeetingAction.objects.filter(
            done_on__isnull=True, owner_organisation_id__in=actor.organisation_ids()
        )
        .filter(Q(owner__isnull=True) | Q(owner=actor.user))
        .select_related("agenda_item__case__student", "owner_organisation")
        .order_by("due_on", "id")
    )


def my_meetings(actor, *, on: dt.date | None = None) -> QuerySet[OutflowMeeting]:
    actor = as_actor(actor)
    on = on or today()
    if not actor.works_on_cases and not actor.has_role("route_coordinator"):
        return OutflowMeeting.objects.none()
    return OutflowMeeting.objects.filter(
        region_id__in=actor.region_ids(),
        status=MeetingStatus.PLANNED,
        scheduled_on__gte=on,
        scheduled_on__lte=on + dt.timedelta(days=7),
    ).order_by("scheduled_on")


@dataclass
class WorklistCounts:
    signals: int
    checkins: int
    involvements: int
    actions: int

    @property
    def total(self) -> int:
        return self.signals + self.checkins + self.involvements + self.actions


def worklist_counts(actor) -> WorklistCounts:
    actor = as_actor(actor)
    on = today()
    return WorklistCounts(
        signals=my_signals(actor).count(),
        checkins=my_checkins(actor).filter(due_on__lte=on).count(),
        involvements=my_involvement_requests(actor).count(),
        actions=my_actions(actor).count(),
    )
