"""Reads of notifications: the events of a person's calendar feed, and their own settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext

from routearbeid.aftercare.selectors import my_checkins
from routearbeid.core.dates import today
from routearbeid.meetings.constants import MeetingStatus
from routearbeid.meetings.models import OutflowMeeting
from routearbeid.organisations.actors import Actor
from routearbeid.organisations.constants import Role

from .constants import CALENDAR_MEETING_DAYS
from .ical import Event
from .models import CalendarFeed
from .services import absolute_url, calendar_token_hash


def calendar_feed_user(*, token: str):
    """The active owner of a calendar token, or None (unknown, revoked or renewed token)."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=calendar_token_hash(token), user__is_active=True)
        .first()
    )
    return feed.user if feed else None


def calendar_feed_of(*, actor: Actor) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=actor.user).first()


def calendar_meetings(actor: Actor, *, on: dt.date | None = None):
    """Planned outflow meetings of the actor's regions, for case roles and route coordinators
    (the scope of aftercare.selectors.my_meetings, looking further ahead for a calendar)."""
    on = on or today()
    if not actor.works_on_cases and not actor.has_role(Role.ROUTE_COORDINATOR):
        return OutflowMeeting.objects.none()
    return OutflowMeeting.objects.filter(
        region_id__in=actor.region_ids(),
        status=MeetingStatus.PLANNED,
        scheduled_on__gte=on,
        scheduled_on__lte=on + dt.timedelta(days=CALENDAR_MEETING_DAYS),
    ).order_by("scheduled_on", "pk")


@dataclass
class CalendarContent:
    events: list[Event]
    student_ids: list[int]


def calendar_events(actor: Actor, *, on: dt.date | None = None, host: str) -> CalendarContent:
    """My due and overdue check-ins (by first name only) and my planned outflow meetings."""
    on = on or today()
    events: list[Event] = []
    student_ids: list[int] = []
    for check in my_checkins(actor, on=on):
        student = check.case.student
        student_ids.append(student.pk)
        summary = gettext("Check-in with %(first_name)s") % {"first_name": student.first_name}
        if check.due_on < on:
            summary = gettext("%(summary)s (overdue)") % {"summary": summary}
        url = absolute_url(reverse("route:student", args=[student.pk]))
        events.append(
            Event(
                uid=f"checkin-{check.pk}@{host}",
                day=check.due_on,
                summary=summary,
                description=gettext(
                    "Aftercare check-in %(number)s. Record it on the youth's page: %(url)s"
                )
                % {"number": check.sequence, "url": url},
                url=url,
            )
        )
    for meeting in calendar_meetings(actor, on=on):
        url = absolute_url(reverse("meetings:detail", args=[meeting.pk]))
        events.append(
            Event(
                uid=f"meeting-{meeting.pk}@{host}",
                day=meeting.scheduled_on,
                summary=gettext("Outflow meeting"),
                description=gettext("Agenda and preparation: %(url)s") % {"url": url},
                url=url,
                location=meeting.place,
            )
        )
    events.sort(key=lambda e: (e.day, e.uid))
    return CalendarContent(events=events, student_ids=student_ids)
