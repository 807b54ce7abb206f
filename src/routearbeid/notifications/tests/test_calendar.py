"""The personal calendar feed (/agenda/<token>.ics): my check-ins and meetings, nobody else's,
first names only, a secret link that can be revoked, and every read in the processing log."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from routearbeid.aftercare.models import AftercareCheck
from routearbeid.core.dates import today
from routearbeid.meetings.services import meeting_plan
from routearbeid.notifications import services
from routearbeid.notifications.ical import Event, calendar, escape_text, fold
from routearbeid.notifications.models import CalendarFeed
from routearbeid.processing_log.models import ProcessingLogRecord
from routearbeid.tests.people import Region1


def feed_url(token: str) -> str:
    return reverse("notifications:feed", args=[token])


def unfold(body: str) -> str:
    return body.replace("\r\n ", "")


@pytest.fixture
def aftercare(region1):
    """A youth of school A in aftercare: one check-in overdue, one due soon, one far ahead."""
    case = region1.outflow(region1.ready_for_outflow(first_name="Amira", last_name="Zwartkop"))
    checks = list(AftercareCheck.objects.filter(case=case).order_by("sequence"))
    days = [-3, 10, 200]
    for check, offset in zip(checks, days, strict=False):
        check.due_on = today() + dt.timedelta(days=offset)
        check.save(update_fields=["due_on"])
    return case, checks


def test_feed_lists_my_check_ins_and_meetings(client, region1, aftercare):
    case, checks = aftercare
    meeting = meeting_plan(
        actor=region1.route_coordinator,
        region_id=region1.region.pk,
        scheduled_on=today() + dt.timedelta(days=40),
        place="Stadhuis, zaal 2",
    )
    token = services.calendar_feed_renew(actor=region1.coordinator)
    response = client.get(feed_url(token))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    raw = response.content.decode()
    assert raw.startswith("BEGIN:VCALENDAR\r\n") and raw.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in raw.split("\r\n"))
    body = unfold(raw)
    assert f"UID:checkin-{checks[0].pk}@" in body  # overdue
    assert f"UID:checkin-{checks[1].pk}@" in body  # due soon
    assert f"UID:checkin-{checks[2].pk}@" not in body  # not yet (as in the worklist)
    assert "SUMMARY:Nazorgcontact met Amira (te laat)" in body
    assert f"DTSTART;VALUE=DATE:{checks[1].due_on:%Y%m%d}" in body
    assert f"UID:meeting-{meeting.pk}@" in body
    assert "LOCATION:Stadhuis\\, zaal 2" in body
    assert f"/jongeren/{case.student_id}/" in body


def test_feed_holds_no_personal_details_beyond_the_first_name(client, region1, aftercare):
    case, _checks = aftercare
    student = case.student
    token = services.calendar_feed_renew(actor=region1.coordinator)
    body = unfold(client.get(feed_url(token)).content.decode())
    assert "Amira" in body
    for value in ("Zwartkop", student.date_of_birth.strftime("%Y%m%d"), student.pgn or "no-pgn"):
        assert value not in body


def test_another_users_events_never_appear(client, region1, aftercare):
    """Need-to-know: the other school's coordinator sees not our check-ins; another region's
    meeting is in nobody's feed here; the administrator's feed is empty."""
    other_region = Region1.build("Regio Twee")
    other_meeting = meeting_plan(
        actor=other_region.route_coordinator,
        region_id=other_region.region.pk,
        scheduled_on=today() + dt.timedelta(days=5),
    )
    own = unfold(
        client.get(
            feed_url(services.calendar_feed_renew(actor=region1.coordinator))
        ).content.decode()
    )
    assert "Amira" in own
    assert f"meeting-{other_meeting.pk}@" not in own
    for user in (region1.other_coordinator, region1.admin, region1.swv_officer):
        body = client.get(feed_url(services.calendar_feed_renew(actor=user))).content.decode()
        assert "Amira" not in body
        assert "checkin-" not in body
        assert f"meeting-{other_meeting.pk}@" not in body


def test_meetings_in_the_feed_include_every_meeting_of_my_worklist(region1):
    """The feed's meetings have the scope of aftercare.selectors.my_meetings (looking further)."""
    from routearbeid.aftercare.selectors import my_meetings
    from routearbeid.notifications.selectors import calendar_meetings
    from routearbeid.organisations.actors import actor_for

    for days in (1, 6, 60):
        meeting_plan(
            actor=region1.route_coordinator,
            region_id=region1.region.pk,
            scheduled_on=today() + dt.timedelta(days=days),
        )
    for user in (
        region1.coordinator,
        region1.route_coordinator,
        region1.admin,
        region1.rmc_officer,
    ):
        actor = actor_for(user)
        week = set(my_meetings(actor).values_list("pk", flat=True))
        assert week <= set(calendar_meetings(actor).values_list("pk", flat=True))


def test_revoked_or_renewed_link_gives_not_found(client, region1, aftercare):
    first = services.calendar_feed_renew(actor=region1.coordinator)
    second = services.calendar_feed_renew(actor=region1.coordinator)
    assert client.get(feed_url(first)).status_code == 404
    assert client.get(feed_url(second)).status_code == 200
    services.calendar_feed_revoke(actor=region1.coordinator)
    assert client.get(feed_url(second)).status_code == 404
    assert client.get(feed_url("x" * 43)).status_code == 404


def test_link_of_a_deactivated_user_gives_not_found(client, region1):
    token = services.calendar_feed_renew(actor=region1.coordinator)
    region1.coordinator.is_active = False
    region1.coordinator.save()
    assert client.get(feed_url(token)).status_code == 404


def test_token_is_stored_hashed_only(region1):
    token = services.calendar_feed_renew(actor=region1.coordinator)
    assert len(token) >= 43
    feed = CalendarFeed.objects.get(user=region1.coordinator)
    assert token not in feed.token_hash
    assert feed.token_hash == services.calendar_token_hash(token)


def test_feed_reads_are_in_the_processing_log(client, region1, aftercare):
    case, _checks = aftercare
    token = services.calendar_feed_renew(actor=region1.coordinator)
    before = ProcessingLogRecord.objects.filter(activity="aftercare.checkin", operation="read")
    count = before.count()
    client.get(feed_url(token))
    records = ProcessingLogRecord.objects.filter(
        activity="aftercare.checkin", operation="read"
    ).order_by("-pk")
    assert records.count() == count + 1
    record = records.first()
    assert record is not None
    assert (record.actor_id, record.subject_student_id) == (region1.coordinator.pk, case.student_id)
    assert CalendarFeed.objects.get(user=region1.coordinator).last_read_at is not None


def test_calendar_page_shows_a_new_link_once_and_revokes_it(client, region1):
    client.force_login(region1.coordinator)
    url = reverse("notifications:calendar")
    page = client.get(url)
    assert "Maak een agendalink" in page.content.decode()
    made = client.post(url, {"action": "renew"}).content.decode()
    link = re.search(r'value="(https?://[^"]+\.ics)"', made)
    assert link is not None
    path = link.group(1).split("://", 1)[1].split("/", 1)[1]
    assert client.get(f"/{path}").status_code == 200
    again = client.get(url).content.decode()
    assert link.group(1) not in again  # shown once
    assert 'value="revoke"' in again
    client.post(url, {"action": "revoke"})
    assert client.get(f"/{path}").status_code == 404
    assert not CalendarFeed.objects.filter(user=region1.coordinator).exists()


def test_calendar_page_ignores_bad_input(client, region1):
    client.force_login(region1.coordinator)
    response = client.post(reverse("notifications:calendar"), {"action": "delete-all"})
    assert response.status_code == 302
    assert not CalendarFeed.objects.exists()


def test_settings_pages_need_a_login(client):
    for name in ("notifications:calendar", "notifications:preferences"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/inloggen/" in response["Location"] or "login" in response["Location"]


def test_ical_text_is_escaped_and_long_lines_are_folded_without_splitting_characters():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "é" * 80
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line
    body = calendar(
        name="Test",
        events=[Event(uid="u1@x", day=dt.date(2026, 3, 31), summary="Een, twee")],
        stamp=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    assert "DTSTART;VALUE=DATE:20260331\r\nDTEND;VALUE=DATE:20260401\r\n" in body
    assert "SUMMARY:Een\\, twee\r\n" in body
    assert "DTSTAMP:20260101T000000Z\r\n" in body
