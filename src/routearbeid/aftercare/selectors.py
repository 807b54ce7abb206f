"""The worklist (werkvoorraad): what needs the acting user's action, soonest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from routearbeid.core.dates import add_months, today
from routearbeid.core.errors import NotFound
from routearbeid.meetings.constants import MeetingStatus
from routearbeid.meetings.models import MeetingAction, OutflowMeeting
from routearbeid.organisations.actors import Actor, as_actor
from routearbeid.organisations.constants import CASE_ROLES, Role
from routearbeid.route.constants import Situation, Stage
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
        # An overdue check-in stays until it is recorded, also after the case closed (R-NZ-3).
        AftercareCheck.objects.filter(
            recorded_on__isnull=True,
            due_on__lte=on + dt.timedelta(days=CHECKIN_HORIZON_DAYS),
            case__stage__in=[Stage.AFTERCARE, Stage.CLOSED],
            case__student__school_id__in=actor.school_ids,
        )
        .select_related("case__student", "retry_of")
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
    """Open actions of the outflow table for my organisation, on youth I may see.

    Only the people at the table (case roles, route coordinators) get them: a functional
    administrator or privacy officer of the same organisation sees no names (need to know).
    """
    actor = as_actor(actor)
    visible = _visible_case_ids(actor)
    owners = actor.organisation_ids(*CASE_ROLES, Role.ROUTE_COORDINATOR)
    if visible is None or not owners:
        return MeetingAction.objects.none()
    return (
        MeetingAction.objects.filter(
            done_on__isnull=True,
            owner_organisation_id__in=owners,
            agenda_item__case_id__in=visible,
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


# --- The RMC's monitoring list (R-RMC-1) --------------------------------------------------------

MONITORING_SORTS = {
    "name": ("student__last_name", "student__first_name", "id"),
    "age": ("-student__date_of_birth", "id"),
    "school": ("student__school__name", "student__last_name", "id"),
    "outflow": ("-outflow_on", "id"),
    "contact": (F("last_contact_on").asc(nulls_first=True), "outflow_on", "id"),
    "signals": ("-open_signals", "student__last_name", "id"),
}
NO_CONTACT_MONTHS = (3, 6, 12)


def _small_int(text: str) -> int | None:
    """A database id or a small number from a query string; anything else (also "²" or twenty
    digits, which `str.isdigit` accepts) is None, so a filter is ignored, never a server error."""
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        return None
    return int(text)


def monitoring_regions(actor) -> set[int]:
    return as_actor(actor).region_ids(Role.RMC_OFFICER)


def monitoring_list(actor, params, *, on: dt.date | None = None) -> tuple[QuerySet[Case], dict]:
    """Every youth of the RMC's region without startkwalificatie, from outflow until the age
    limit (R-RMC-1, Region.rmc_age_limit), whether or not the RMC was involved; with the open
    signal count in the same query. Only RMC officers: anyone else gets NotFound."""
    actor = as_actor(actor)
    on = on or today()
    regions = monitoring_regions(actor)
    if not regions:
        raise NotFound("not found")
    open_signals = (
        Signal.objects.filter(case=OuterRef("pk"), status__in=ACTIVE_SIGNAL_STATUSES)
        .order_by()
        .values("case")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = (
        Case.objects.filter(
            # the same condition as the RMC's part of visible_cases_q: the youth page opens
            student__school__region_id__in=regions,
            stage__in=[Stage.AFTERCARE, Stage.CLOSED],
            student__has_basic_qualification=False,
            rmc_monitoring_ends_on__gt=on,
        )
        .select_related("student__school")
        .annotate(open_signals=Coalesce(Subquery(open_signals), 0))
    )
    school = str(params.get("school") or "")
    school_id = _small_int(school)
    if school_id is not None:
        qs = qs.filter(student__school_id=school_id)
    else:
        school = ""
    situation = str(params.get("situation") or "")
    if situation == Situation.UNKNOWN:
        qs = qs.filter(last_known_situation__in=["", Situation.UNKNOWN])
    elif situation in Situation.values:
        qs = qs.filter(last_known_situation=situation)
    else:
        situation = ""
    months = str(params.get("no_contact") or "")
    if _small_int(months) in NO_CONTACT_MONTHS:
        cutoff = add_months(on, -int(months))
        # never in contact since outflow counts from the outflow date
        qs = qs.filter(
            Q(last_contact_on__lt=cutoff) | Q(last_contact_on__isnull=True, outflow_on__lt=cutoff)
        )
    else:
        months = ""
    sort = str(params.get("sort") or "")
    if sort not in MONITORING_SORTS:
        sort = "name"
    qs = qs.order_by(*MONITORING_SORTS[sort])
    filters = {"school": school, "situation": situation, "no_contact": months, "sort": sort}
    return qs, filters
