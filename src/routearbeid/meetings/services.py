"""Outflow meetings: planning, agenda, advice, decisions (R-OVL-1, R-OVL-4) and actions."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from routearbeid.core.dates import today
from routearbeid.core.errors import DomainError, NotFound
from routearbeid.organisations.actors import Actor, as_actor
from routearbeid.organisations.constants import CASE_ROLES, Role
from routearbeid.organisations.models import Organisation, Region
from routearbeid.processing_log.services import case_processing_log
from routearbeid.route import permissions
from routearbeid.route import services as route_services
from routearbeid.route.constants import OutflowProfile
from routearbeid.route.timeline import timeline_append

from .constants import MeetingStatus
from .models import Advice, AgendaItem, Decision, MeetingAction, MeetingParticipant, OutflowMeeting


def _require_coordinator(actor: Actor, region_id: int) -> None:
    if region_id not in actor.region_ids(Role.ROUTE_COORDINATOR):
        raise permissions.deny(
            _("Only the route coordinator of the region manages outflow meetings.")
        )


def _meeting_region_ids(actor: Actor) -> set[int]:
    """Regions whose meetings the actor takes part in (case roles and route coordinators; not admins)."""
    return actor.region_ids(*CASE_ROLES, Role.ROUTE_COORDINATOR)


def meeting_get_for_change(actor: Actor, meeting_id: int) -> OutflowMeeting:
    meeting = OutflowMeeting.objects.select_for_update().filter(pk=meeting_id).first()
    if meeting is None or meeting.region_id not in _meeting_region_ids(actor):
        raise NotFound("not found")
    return meeting


@transaction.atomic
def meeting_plan(
    *, actor, region_id: int, scheduled_on: dt.date, place: str = ""
) -> OutflowMeeting:
    """A new meeting of the region. A date in the past is refused by the planning form (screen and
    API), not here: the demo region and the tests record meetings that took place before."""
    actor = as_actor(actor)
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        raise NotFound("not found")
    _require_coordinator(actor, region.pk)
    return OutflowMeeting.objects.create(
        region=region, scheduled_on=scheduled_on, place=place.strip()
    )


@transaction.atomic
def meeting_participant_add(
    *, actor, meeting_id: int, organisation_id: int, person_name: str, person_id: int | None = None
) -> MeetingParticipant:
    actor = as_actor(actor)
    meeting = meeting_get_for_change(actor, meeting_id)
    _require_coordinator(actor, meeting.region_id)
    organisation = Organisation.objects.filter(
        pk=organisation_id, region_id=meeting.region_id
    ).first()
    if organisation is None:
        raise DomainError(_("Choose an organisation of the region."))
    if not person_name.strip():
        raise DomainError(_("Give the participant's name."))
    return MeetingParticipant.objects.create(
        meeting=meeting,
        organisation=organisation,
        person_name=person_name.strip(),
        person_id=person_id,
    )


@transaction.atomic
def agenda_item_add(*, actor, meeting_id: int, case_id: int) -> AgendaItem:
    """Put a case on the agenda; the school of the student or the route coordinator may do so."""
    actor = as_actor(actor)
    meeting = meeting_get_for_change(actor, meeting_id)
    case = route_services.case_for_change(actor, case_id)
    if case.student.school.region_id != meeting.region_id:
        raise DomainError(_("The student's school is not in the region of this outflow meeting."))
    if not (
        permissions.may_manage_case(actor, case)
        or meeting.region_id in actor.region_ids(Role.ROUTE_COORDINATOR)
    ):
        raise permissions.deny()
    if meeting.status != MeetingStatus.PLANNED:
        raise DomainError(_("Students can only be added to a planned outflow meeting."))
    if not case.is_open:
        raise DomainError(_("This case is closed or withdrawn."))
    item, created = AgendaItem.objects.get_or_create(
        meeting=meeting, case=case, defaults={"position": meeting.agenda_items.count() + 1}
    )
    if created:
        timeline_append(
            case=case,
            actor=actor,
            kind="meeting_agenda",
            data={"date": meeting.scheduled_on.strftime("%d-%m-%Y")},
        )
        case_processing_log(actor, case, "meetings.agenda", "create")
    return item


@transaction.atomic
def meeting_hold(
    *, actor, meeting_id: int, held_on: dt.date | None = None, minutes: str = ""
) -> OutflowMeeting:
    """Mark the meeting as held (R-OVL-1 counts only meetings that took place)."""
    actor = as_actor(actor)
    meeting = meeting_get_for_change(actor, meeting_id)
    _require_coordinator(actor, meeting.region_id)
    held_on = held_on or today()
    if held_on > today():
        raise DomainError(_("A meeting cannot be marked as held on a date in the future."))
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError(_("This meeting was cancelled."))
    if meeting.status == MeetingStatus.HELD:
        raise DomainError(_("This meeting has already been marked as held."))
    # A meeting may be held before the date it was planned for (the hold form proposes today), but
    # not before it was planned at all: not before that date nor the day it was entered, whichever
    # is earlier (a meeting entered afterwards has its own date as the bound).
    earliest = min(meeting.scheduled_on, timezone.localdate(meeting.created_at))
    if held_on < earliest:
        raise DomainError(
            _("A meeting cannot be marked as held before it was planned (%(date)s).")
            % {"date": earliest.strftime("%d-%m-%Y")}
        )
    meeting.status = MeetingStatus.HELD
    meeting.held_on = held_on
    meeting.minutes = minutes.strip()
    meeting.save(update_fields=["status", "held_on", "minutes", "updated_at"])
    return meeting


@transaction.atomic
def meeting_minutes_record(*, actor, meeting_id: int, minutes: str) -> OutflowMeeting:
    """The general minutes of a held meeting (may be cleared)."""
    actor = as_actor(actor)
    meeting = meeting_get_for_change(actor, meeting_id)
    _require_coordinator(actor, meeting.region_id)
    if meeting.status != MeetingStatus.HELD:
        raise DomainError(_("Minutes are written once the meeting has been held."))
    meeting.minutes = minutes.strip()[:20000]
    meeting.save(update_fields=["minutes", "updated_at"])
    return meeting


def _item_for_change(actor: Actor, agenda_item_id: int) -> AgendaItem:
    """The agenda item, if its meeting is of the actor's region and the actor may see its case."""
    from routearbeid.route.selectors import case_get

    item = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("meeting", "case__student__school")
        .filter(pk=agenda_item_id)
        .first()
    )
    if item is None or item.meeting.region_id not in _meeting_region_ids(actor):
        raise NotFound("not found")
    case_get(actor=actor, case_id=item.case_id, log=False)
    return item


@transaction.atomic
def advice_record(*, actor, agenda_item_id: int, organisation_id: int, text: str) -> Advice:
    actor = as_actor(actor)
    item = _item_for_change(actor, agenda_item_id)
    if not (
        organisation_id in actor.organisation_ids()
        or item.meeting.region_id in actor.region_ids(Role.ROUTE_COORDINATOR)
    ):
        raise permissions.deny(_("You can only record the advice of your own organisation."))
    organisation = Organisation.objects.filter(
        pk=organisation_id, region_id=item.meeting.region_id
    ).first()
    if organisation is None:
        raise DomainError(_("Choose an organisation of the region."))
    if not text.strip():
        raise DomainError(_("Write the advice."))
    advice, _created = Advice.objects.update_or_create(
        agenda_item=item,
        organisation=organisation,
        defaults={"text": text.strip(), "given_by": actor.user},
    )
    timeline_append(
        case=item.case, actor=actor, kind="meeting_advice", data={"organisation": organisation.name}
    )
    case_processing_log(actor, item.case, "meetings.agenda")
    return advice


@transaction.atomic
def decision_record(
    *, actor, agenda_item_id: int, outflow_profile: str, reason: str, on: dt.date | None = None
) -> Decision:
    """The meeting's decision: "work" establishes the profile (R-OVL-1/2/3); another profile
    withdraws the case with the decision as reason (R-OVL-4)."""
    actor = as_actor(actor)
    item = _item_for_change(actor, agenda_item_id)
    _require_coordinator(actor, item.meeting.region_id)
    if outflow_profile not in OutflowProfile.values:
        raise DomainError(_("Choose an outflow profile."))
    if outflow_profile != OutflowProfile.WORK and not reason.strip():
        # R-OVL-4: the decision is the reason the case is withdrawn (for "work", R-OVL-3 asks why
        # education is not the better option; the route itself checks that)
        raise DomainError(_("Write down the reason for the decision."), rule_ids=("R-OVL-4",))
    if item.meeting.status != MeetingStatus.HELD:
        raise DomainError(
            _("Record the decision after the meeting has taken place (mark it as held first).")
        )
    if hasattr(item, "decision"):
        raise DomainError(_("A decision was already recorded for this student at this meeting."))
    on = on or item.meeting.held_on or today()
    if on > today() or (item.meeting.held_on and on < item.meeting.held_on):
        raise DomainError(
            _("The decision date is the day of the meeting or later, and not in the future.")
        )
    if outflow_profile == OutflowProfile.WORK:
        route_services.case_profile_establish(
            actor=actor, case_id=item.case_id, reason=reason, on=on
        )
    else:
        # R-OVL-4: another profile withdraws the case with the decision as its reason
        label = OutflowProfile(outflow_profile).label
        text = f"{_('Outflow meeting decided')}: {label}. {reason.strip()}".strip()
        route_services.case_withdraw(actor=actor, case_id=item.case_id, reason=text, on=on)
        from routearbeid.route.models import Case

        Case.objects.filter(pk=item.case_id).update(outflow_profile=outflow_profile)
    decision = Decision.objects.create(
        agenda_item=item,
        outflow_profile=outflow_profile,
        reason=reason.strip(),
        decided_on=on,
        decided_by=actor.user,
    )
    timeline_append(
        case=item.case,
        actor=actor,
        kind="meeting_decision",
        data={"profile": outflow_profile},
    )
    return decision


def _require_due_after_meeting(meeting: OutflowMeeting, due_on: dt.date) -> None:
    """An action is agreed at the meeting: it is not due before the day the meeting was held. A
    meeting still to be held may take place earlier than planned, so then the bound is its date
    or today, whichever is earlier."""
    meeting_on = meeting.held_on or meeting.scheduled_on
    if due_on >= min(meeting_on, today()):
        return
    if meeting_on <= today():
        raise DomainError(
            _("An action cannot be due before the date of the meeting (%(date)s).")
            % {"date": meeting_on.strftime("%d-%m-%Y")}
        )
    raise DomainError(_("An action cannot be due on a date in the past."))


@transaction.atomic
def action_add(
    *,
    actor,
    agenda_item_id: int,
    description: str,
    owner_organisation_id: int,
    due_on: dt.date,
    owner_id: int | None = None,
) -> MeetingAction:
    actor = as_actor(actor)
    item = _item_for_change(actor, agenda_item_id)
    _require_coordinator(actor, item.meeting.region_id)
    organisation = Organisation.objects.filter(
        pk=owner_organisation_id, region_id=item.meeting.region_id
    ).first()
    if organisation is None:
        raise DomainError(_("Choose an organisation of the region."))
    if not description.strip():
        raise DomainError(_("Describe the action."))
    _require_due_after_meeting(item.meeting, due_on)
    action = MeetingAction.objects.create(
        agenda_item=item,
        description=description.strip(),
        owner_organisation=organisation,
        owner_id=owner_id,
        due_on=due_on,
    )
    timeline_append(
        case=item.case,
        actor=actor,
        kind="meeting_action",
        data={"organisation": organisation.name, "description": action.description},
    )
    return action


@transaction.atomic
def action_done(*, actor, action_id: int, on: dt.date | None = None) -> MeetingAction:
    actor = as_actor(actor)
    action = (
        MeetingAction.objects.select_related("agenda_item__meeting").filter(pk=action_id).first()
    )
    if action is None or not (
        action.owner_organisation_id in actor.organisation_ids()
        or action.agenda_item.meeting.region_id in actor.region_ids(Role.ROUTE_COORDINATOR)
    ):
        raise NotFound("not found")
    if action.done_on is not None:
        raise DomainError(_("This action is already done."))
    if on is not None and on > today():
        raise DomainError(_("An action cannot be marked as done on a date in the future."))
    action.done_on = on or today()
    action.save(update_fields=["done_on", "updated_at"])
    return action
