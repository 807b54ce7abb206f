"""Reads of outflow meetings, scoped to the acting user (domain.md, "Who sees what").

Everyone with a case role in a region sees that region's meetings (date, place, status, how many
students are on the agenda); the names on an agenda only for the cases the person may see. The
route coordinator sees every case on the agendas of the region.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from routearbeid.core import sqlcache
from routearbeid.core.dates import today
from routearbeid.core.errors import NotFound
from routearbeid.organisations.actors import Actor, as_actor
from routearbeid.organisations.constants import CASE_ROLES, Role
from routearbeid.organisations.models import Organisation
from routearbeid.processing_log.services import processing_log_record
from routearbeid.route.selectors import visible_cases

from .constants import MeetingStatus
from .models import Advice, AgendaItem, MeetingAction, MeetingParticipant, OutflowMeeting

# The functional administrator works on organisations and users, not on meetings: no seat of theirs
# opens a region's meetings.
MEETING_ROLES = tuple(sorted(CASE_ROLES | {Role.ROUTE_COORDINATOR}))


def meeting_region_ids(actor: Actor) -> set[int]:
    return actor.region_ids(*MEETING_ROLES)


def coordinated_region_ids(actor: Actor) -> set[int]:
    """The regions whose meetings, agendas and minutes this actor manages."""
    return actor.region_ids(Role.ROUTE_COORDINATOR)


def _visible_case_ids(actor: Actor):
    return visible_cases(actor).values("id")


def visible_meetings(actor) -> QuerySet[OutflowMeeting]:
    actor = as_actor(actor)
    regions = meeting_region_ids(actor)
    if not regions:
        return OutflowMeeting.objects.none()
    return OutflowMeeting.objects.filter(region_id__in=regions)


def _with_counts(actor: Actor, qs: QuerySet[OutflowMeeting]) -> QuerySet[OutflowMeeting]:
    """Each meeting with `item_count` (all students on the agenda) and `visible_item_count` (the
    ones this actor may see), in the same query."""
    return qs.annotate(
        item_count=Count("agenda_items", distinct=True),
        visible_item_count=Count(
            "agenda_items",
            filter=Q(agenda_items__case_id__in=_visible_case_ids(actor)),
            distinct=True,
        ),
    )


def meeting_list(*, actor, planned: bool) -> QuerySet[OutflowMeeting]:
    """Planned meetings soonest first (overdue ones on top), or the held and cancelled ones latest first."""
    actor = as_actor(actor)
    qs = _with_counts(actor, visible_meetings(actor).select_related("region"))
    if planned:
        return qs.filter(status=MeetingStatus.PLANNED).order_by("scheduled_on", "id")
    return qs.exclude(status=MeetingStatus.PLANNED).order_by("-scheduled_on", "-id")


def meeting_get(*, actor, meeting_id: int) -> OutflowMeeting:
    """The meeting, if it is of one of the actor's regions; otherwise NotFound. Its query (the
    counts carry the actor's access rule) is compiled once per person and day for all meetings
    (core.sqlcache; issue #7)."""
    actor = as_actor(actor)
    try:
        found = sqlcache.objects(
            ("meeting_get", actor.key, today()),
            lambda pk: _with_counts(actor, visible_meetings(actor).select_related("region")).filter(
                pk=pk
            ),
            args=(int(meeting_id),),
        )
    except (ValueError, TypeError, OverflowError):
        found = []
    if len(found) != 1:
        raise NotFound("not found")
    return found[0]


def meeting_participants(*, actor, meeting: OutflowMeeting) -> QuerySet[MeetingParticipant]:
    return meeting.participants.select_related("organisation").order_by(
        "organisation__name", "person_name", "id"
    )


def meeting_agenda(*, actor, meeting: OutflowMeeting, log: bool = True) -> list[AgendaItem]:
    """The agenda items whose case the actor may see, with student, decision, advice and actions.

    A fixed number of queries however long the agenda; reading the names is logged.
    """
    actor = as_actor(actor)
    # compiled once per person and day for all meetings (core.sqlcache; issue #7)
    items = sqlcache.objects(
        ("meeting_agenda", actor.key, today()),
        lambda pk: (
            AgendaItem.objects.filter(meeting_id=pk, case_id__in=_visible_case_ids(actor))
            .select_related("case__student__school", "decision__decided_by")
            .prefetch_related(
                Prefetch(
                    "advice",
                    queryset=Advice.objects.select_related("organisation").order_by(
                        "organisation__name"
                    ),
                ),
                Prefetch(
                    "actions",
                    queryset=MeetingAction.objects.select_related("owner_organisation").order_by(
                        "due_on", "id"
                    ),
                ),
            )
            .order_by("position", "id")
        ),
        args=(meeting.pk,),
        attach={"meeting": meeting},
    )
    if log and items:
        processing_log_record(
            actor=actor,
            operation="read",
            activity="meetings.agenda",
            student_ids=[i.case.student_id for i in items],
        )
    return items


def meeting_action_get(*, actor, meeting: OutflowMeeting, action_id: int) -> MeetingAction:
    """An action of this meeting on a case the actor may see; otherwise NotFound."""
    actor = as_actor(actor)
    action = (
        MeetingAction.objects.filter(
            pk=action_id,
            agenda_item__meeting=meeting,
            agenda_item__case_id__in=_visible_case_ids(actor),
        )
        .select_related("agenda_item")
        .first()
    )
    if action is None:
        raise NotFound("not found")
    return action


def meeting_item_get(*, actor, meeting: OutflowMeeting, agenda_item_id: int) -> AgendaItem:
    """An agenda item of this meeting whose case the actor may see; otherwise NotFound."""
    actor = as_actor(actor)
    item = (
        AgendaItem.objects.filter(
            pk=agenda_item_id, meeting=meeting, case_id__in=_visible_case_ids(actor)
        )
        .select_related("case__student")
        .first()
    )
    if item is None:
        raise NotFound("not found")
    return item


def region_organisations(*, region_id: int) -> list[Organisation]:
    """The organisations of the region (no personal data): the choices for participants, advice and actions."""
    return list(Organisation.objects.filter(region_id=region_id).order_by("name"))
