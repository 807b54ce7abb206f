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
from routearbeid.route.constants import Situation
from routearbeid.route.models import Case, Handover, Involvement
from routearbeid.route.permissions import INVOLVEMENT_ROLE_BY_KIND
from routearbeid.route.selectors import case_access, received_handovers_q, rmc_monitoring_q

from .constants import ACTIVE_SIGNAL_STATUSES
from .models import AftercareCheck, Signal

CHECKIN_HORIZON_DAYS = 30  # check-ins show up a month before they are due
# What each section's rows are shown with (the worklist, its download)
SIGNAL_RELATED = ("case__student", "organisation")
REQUEST_RELATED = ("case__student", "organisation")
ACTION_RELATED = ("agenda_item__case__student", "owner_organisation")
HANDOVER_RELATED = ("case__student__school",)


def _visible(actor: Actor, case: str) -> Q | None:
    """Whether the row's case (`case` is the path to it) is one the actor may see: the same
    condition as the youth page (`visible_cases_q`), tested on that one case id
    (CaseAccess.case_id_q).

    The worklist's queries start from the small, indexed set of candidate rows (the open signals
    of the actor's organisations, the open check-ins of its schools, the open requests and
    actions for them) and apply this check to those rows, instead of selecting them by
    `case_id IN (every case the actor may see)` (issue #7).
    """
    return case_access(actor).case_id_q(f"{case}_id")


def _my_signals(actor: Actor) -> QuerySet[Signal] | None:
    visible = _visible(actor, "case")
    organisations = actor.organisation_ids()
    if visible is None or not organisations:
        return None
    return Signal.objects.filter(
        # served by the partial index signal_active_org_idx (status open or acknowledged)
        Q(person__isnull=True) | Q(person=actor.user),
        visible,
        status__in=ACTIVE_SIGNAL_STATUSES,
        organisation_id__in=organisations,
    )


def my_signals(actor, *, on: dt.date | None = None) -> QuerySet[Signal]:
    actor = as_actor(actor)
    qs = _my_signals(actor)
    if qs is None:
        return Signal.objects.none()
    return qs.select_related(*SIGNAL_RELATED).order_by("due_on", "raise_on", "id")


def _my_checkins(actor: Actor, on: dt.date) -> QuerySet[AftercareCheck] | None:
    if not actor.school_ids:
        return None
    # An overdue check-in stays until it is recorded, also after the case closed (R-NZ-3).
    # Check-ins exist only from outflow on (schedules.schedule_at_outflow, and a retry during
    # aftercare), and a case never leaves aftercare and closed: the case's stage needs no test,
    # so the partial index check_school_open_idx (the school kept on the check-in, not
    # recorded, due order) answers the count alone (issue #7: a school's count at 1,000,000
    # cases read each of its 700 check-ins' cases, 12 ms).
    return AftercareCheck.objects.filter(
        school_id__in=actor.school_ids,
        recorded_on__isnull=True,
        due_on__lte=on + dt.timedelta(days=CHECKIN_HORIZON_DAYS),
    )


def my_checkins(actor, *, on: dt.date | None = None) -> QuerySet[AftercareCheck]:
    actor = as_actor(actor)
    qs = _my_checkins(actor, on or today())
    if qs is None:
        return AftercareCheck.objects.none()
    return qs.select_related("case__student", "retry_of").order_by("due_on", "id")


def _my_involvement_requests(actor: Actor) -> QuerySet[Involvement] | None:
    org_ids: set[int] = set()
    for role in INVOLVEMENT_ROLE_BY_KIND.values():
        org_ids |= actor.organisation_ids(role)
    if not org_ids:
        return None
    visible = _visible(actor, "case")
    if visible is None:
        return None
    return Involvement.objects.filter(
        visible,
        # the partial index involvement_waiting_idx: not answered, the case before aftercare
        # (Involvement.request_lapsed)
        organisation_id__in=org_ids,
        involved_on__isnull=True,
        request_lapsed=False,
    )


def my_involvement_requests(actor) -> QuerySet[Involvement]:
    """Cases waiting for my organisation's involvement and advice (R-OVL-2)."""
    actor = as_actor(actor)
    qs = _my_involvement_requests(actor)
    if qs is None:
        return Involvement.objects.none()
    return qs.select_related(*REQUEST_RELATED).order_by("requested_on", "id")


def _my_handovers(actor: Actor) -> QuerySet[Handover] | None:
    # The handovers through which the actor sees their cases are their own reason to see them
    # (route.selectors.received_handovers_q): no test of each case, the waiting ones read from
    # the partial index handover_waiting_idx (not accepted, the case not ended:
    # Handover.acceptance_lapsed) by organisation and region, in their order.
    received = received_handovers_q(actor)
    if received is None:
        return None
    return Handover.objects.filter(received, accepted_on__isnull=True, acceptance_lapsed=False)


def my_handovers(actor) -> QuerySet[Handover]:
    """Warm handovers to my organisation that nobody there has accepted yet, the longest
    waiting first (R-HO-1: from the handover on, the receiving organisation sees the case). A
    case that has ended needs no acceptance any more."""
    actor = as_actor(actor)
    qs = _my_handovers(actor)
    if qs is None:
        return Handover.objects.none()
    return qs.select_related(*HANDOVER_RELATED).order_by("handed_over_on", "id")


def _my_actions(actor: Actor) -> QuerySet[MeetingAction] | None:
    owners = actor.organisation_ids(*CASE_ROLES, Role.ROUTE_COORDINATOR)
    if not owners:
        return None
    visible = _visible(actor, "agenda_item__case")
    if visible is None:
        return None
    return MeetingAction.objects.filter(
        Q(owner__isnull=True) | Q(owner=actor.user),
        visible,
        done_on__isnull=True,
        owner_organisation_id__in=owners,
    )


def my_actions(actor) -> QuerySet[MeetingAction]:
    """Open actions of the outflow table for my organisation, on youth I may see.

    Only the people at the table (case roles, route coordinators) get them: a functional
    administrator or privacy officer of the same organisation sees no names (need to know).
    """
    actor = as_actor(actor)
    qs = _my_actions(actor)
    if qs is None:
        return MeetingAction.objects.none()
    return qs.select_related(*ACTION_RELATED).order_by("due_on", "id")


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
    handovers: int = 0
    # the check-ins the worklist lists: also those due within CHECKIN_HORIZON_DAYS
    checkins_listed: int = 0

    @property
    def total(self) -> int:
        return self.signals + self.checkins + self.involvements + self.actions + self.handovers


def _count(qs: QuerySet | None) -> int:
    return 0 if qs is None else qs.order_by().count()


def checkin_numbers(actor, *, on: dt.date) -> tuple[int, int]:
    """How many open check-ins the worklist lists (due within the horizon) and how many are due
    by `on`, in one query."""
    checkins = _my_checkins(as_actor(actor), on)
    if checkins is None:
        return 0, 0
    numbers = checkins.order_by().aggregate(
        listed=Count("id"), due=Count("id", filter=Q(due_on__lte=on))
    )
    return numbers["listed"], numbers["due"]


def worklist_counts(actor, *, on: dt.date | None = None) -> WorklistCounts:
    """The worklist's numbers: the badge in the navigation (check-ins due today or earlier) and
    the size of each section of the worklist (check-ins also when due within the horizon).

    At most five COUNT queries, each on the candidate rows of one section (none for a section
    the actor's roles do not have); the check-in numbers come from one query."""
    actor = as_actor(actor)
    on = on or today()
    listed, due = checkin_numbers(actor, on=on)
    return WorklistCounts(
        signals=_count(_my_signals(actor)),
        checkins=due,
        involvements=_count(_my_involvement_requests(actor)),
        actions=_count(_my_actions(actor)),
        handovers=_count(_my_handovers(actor)),
        checkins_listed=listed,
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
    limit (R-RMC-1, Region.rmc_age_limit), whether or not the RMC was involved; with the count
    of the RMC's own open signals in the same query. Only RMC officers: anyone else gets NotFound."""
    actor = as_actor(actor)
    on = on or today()
    regions = monitoring_regions(actor)
    if not regions:
        raise NotFound("not found")
    open_signals = (
        # the RMC's own open signals, as the youth list counts them: the school's and the work
        # service's signals are not the RMC's to see (its youth page does not show them)
        Signal.objects.filter(
            case=OuterRef("pk"),
            status__in=ACTIVE_SIGNAL_STATUSES,
            organisation_id__in=actor.organisation_ids(),
        )
        .order_by()
        .values("case")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = (
        # the same condition as the RMC's part of visible_cases_q: the youth page opens
        Case.objects.filter(rmc_monitoring_q(regions, on))
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
