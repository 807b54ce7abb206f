"""The outflow-meeting screens (/uitstroomtafels/): list, meeting page, printable agenda and minutes.

Every permission test has a person who must see a student ("must show up") and one who must not
("must not show up"). Bad input never changes anything and never gives a server error (the test
client raises on a 500).
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from routearbeid.meetings import services as meetings
from routearbeid.meetings.constants import MeetingStatus
from routearbeid.meetings.models import (
    Advice,
    AgendaItem,
    Decision,
    MeetingAction,
    MeetingParticipant,
    OutflowMeeting,
)
from routearbeid.processing_log.models import ProcessingLogRecord
from routearbeid.route import services as route
from routearbeid.route.constants import OutflowProfile, Stage
from routearbeid.route.models import Case, TimelineEvent
from routearbeid.tests.people import Region1

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = dt.date(2025, 3, 10)
WORK_REASON = "Wil direct werken; mbo 2 is nu geen haalbare optie."


@pytest.fixture(autouse=True)
def fixed_today():
    with time_machine.travel(dt.datetime(2025, 3, 10, 10, 0, tzinfo=AMSTERDAM), tick=False):
        yield


@pytest.fixture
def region2(db) -> Region1:
    return Region1.build("Regio Twee")


def nl(message: str) -> str:
    """What a Dutch user reads for an English source string."""
    with translation.override("nl"):
        return translation.gettext(message)


def as_user(client, user):
    client.force_login(user)
    return client


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def plan(region1, on=TODAY, place="") -> OutflowMeeting:
    return meetings.meeting_plan(
        actor=region1.route_coordinator, region_id=region1.region.pk, scheduled_on=on, place=place
    )


def school_a_case(region1, first="Amira", last="Anwar", *, involved=True) -> Case:
    """A case of school A (coordinator), 17 years old, RMC and Leerplicht involved (R-OVL-2)."""
    case = region1.open_case(
        age=17, on=TODAY - dt.timedelta(days=30), first_name=first, last_name=last
    )
    if involved:
        region1.involve(case, on=TODAY - dt.timedelta(days=20))
    return case


def school_b_case(region1, first="Bram", last="Bakker") -> Case:
    student = region1.student(age=17, school=region1.other_school, first_name=first, last_name=last)
    return route.case_open(
        actor=region1.other_coordinator,
        student_id=student.pk,
        opened_on=TODAY - dt.timedelta(days=30),
    )


def put_on_agenda(region1, meeting, case, actor=None) -> AgendaItem:
    # The school does this from the youth's page; here through the service.
    school = (
        region1.other_coordinator
        if case.student.school_id == region1.other_school.pk
        else region1.coordinator
    )
    return meetings.agenda_item_add(actor=actor or school, meeting_id=meeting.pk, case_id=case.pk)


def hold(region1, meeting):
    return meetings.meeting_hold(
        actor=region1.route_coordinator, meeting_id=meeting.pk, held_on=TODAY
    )


def case_state(case) -> tuple:
    case = Case.objects.get(pk=case.pk)
    return (
        case.stage,
        case.outflow_profile,
        case.ended_on,
        case.end_reason,
        TimelineEvent.objects.filter(case=case).count(),
    )


def detail_url(meeting) -> str:
    return reverse("meetings:detail", args=[meeting.pk])


def decision_url(item) -> str:
    return reverse("meetings:decision", args=[item.meeting_id, item.pk])


def alert_texts(html: str) -> str:
    """The text inside the role="alert" blocks of a page (where errors must be)."""
    blocks = re.findall(r'<div[^>]*role="alert"[^>]*>(.*?)</div>', html, flags=re.S)
    assert blocks, "the page shows no error with role=alert"
    return " ".join(re.sub(r"<[^>]+>", " ", b) for b in blocks)


# --- the list ------------------------------------------------------------------------------------


def test_route_coordinator_plans_a_meeting_from_the_list(client, region1):
    """The route coordinator plans a meeting (date, place); it is listed, soonest planned first."""
    as_user(client, region1.route_coordinator)
    later = plan(region1, on=TODAY + dt.timedelta(days=90), place="Later")
    page = page_of(client.get(reverse("meetings:list")))
    assert 'action="/uitstroomtafels/plannen/"' in page
    response = client.post(
        reverse("meetings:plan"),
        {
            "plan-region": region1.region.pk,
            "plan-scheduled_on": "2025-04-01",
            "plan-place": "Stadhuis Alkmaar",
        },
    )
    meeting = OutflowMeeting.objects.get(place="Stadhuis Alkmaar")
    assert response.status_code == 302
    assert response["Location"] == detail_url(meeting)
    assert (meeting.region, meeting.scheduled_on, meeting.status) == (
        region1.region,
        dt.date(2025, 4, 1),
        MeetingStatus.PLANNED,
    )
    page = page_of(client.get(response["Location"]))
    assert nl("The outflow meeting has been planned.") in page
    listing = page_of(client.get(reverse("meetings:list")))
    assert listing.index(detail_url(meeting)) < listing.index(detail_url(later))
    assert "01-04-2025" in listing and "Stadhuis Alkmaar" in listing


@pytest.mark.parametrize(
    "who", ["coordinator", "rmc_officer", "leerplicht_officer", "work_service_manager"]
)
def test_case_roles_see_the_meetings_of_the_region_but_no_plan_form(client, region1, region2, who):
    """Everyone with a case role in the region sees the meetings (not those of another region);
    only the route coordinator plans."""
    own = plan(region1, place="Eigen regio")
    other = plan(region2, place="Andere regio")
    as_user(client, getattr(region1, who))
    page = page_of(client.get(reverse("meetings:list")))
    assert detail_url(own) in page and "Eigen regio" in page
    assert detail_url(other) not in page and "Andere regio" not in page
    assert reverse("meetings:plan") not in page
    response = client.post(
        reverse("meetings:plan"),
        {"plan-region": region1.region.pk, "plan-scheduled_on": "2025-04-01"},
    )
    assert response.status_code == 404
    assert OutflowMeeting.objects.count() == 2
    assert client.get(detail_url(other)).status_code == 404


def test_list_shows_how_many_students_but_not_who(client, region1):
    """The list shows the number of agenda items; the names only on the meeting page, and only of
    cases the person may see."""
    meeting = plan(region1)
    put_on_agenda(region1, meeting, school_a_case(region1, involved=False))
    put_on_agenda(region1, meeting, school_b_case(region1))
    for person in (region1.coordinator, region1.other_coordinator, region1.route_coordinator):
        page = page_of(as_user(client, person).get(reverse("meetings:list")))
        assert "Amira" not in page and "Bram" not in page
        assert re.search(r'<td class="utrecht-table__cell">2( |<)', page)


def test_plan_bad_date_shows_a_message_and_changes_nothing(client, region1):
    """A date in the wrong format is refused beside the form (role=alert), no meeting is made."""
    as_user(client, region1.route_coordinator)
    for bad in ("morgen", "2025-13-45", "31-02-2025", ""):
        response = client.post(
            reverse("meetings:plan"),
            {"plan-region": region1.region.pk, "plan-scheduled_on": bad, "plan-place": "X"},
        )
        page = page_of(response)
        assert nl("Date") in alert_texts(page)
        assert 'aria-invalid="true"' in page
        assert 'aria-describedby="id_plan-scheduled_on_error"' in page
        assert 'id="id_plan-scheduled_on_error"' in page
    assert not OutflowMeeting.objects.exists()


def test_plan_in_another_region_is_refused(client, region1, region2):
    """The route coordinator plans only for the own region: another region is not a choice."""
    as_user(client, region1.route_coordinator)
    page = page_of(
        client.post(
            reverse("meetings:plan"),
            {"plan-region": region2.region.pk, "plan-scheduled_on": "2025-04-01"},
        )
    )
    assert alert_texts(page)
    assert not OutflowMeeting.objects.exists()


# --- the walk: plan, agenda, advice, held, decision ----------------------------------------------


def test_walk_decision_work_moves_the_case_to_aba(client, region1):
    """R-OVL-1/2/3: the route coordinator plans, the school puts its student on the agenda, RMC gives
    its advice, the meeting is marked held and the decision "work" with a reason moves the case to
    the ABA stage (RMC and Leerplicht are involved)."""
    case = school_a_case(region1)
    as_user(client, region1.route_coordinator)
    client.post(
        reverse("meetings:plan"),
        {
            "plan-region": region1.region.pk,
            "plan-scheduled_on": TODAY.isoformat(),
            "plan-place": "ISK A",
        },
    )
    meeting = OutflowMeeting.objects.get()
    item = put_on_agenda(region1, meeting, case)

    page = page_of(client.get(detail_url(meeting)))
    assert "Amira Anwar" in page
    assert reverse("route:student", args=[case.student_id]) in page
    assert decision_url(item) not in page  # not before the meeting was held (R-OVL-1)

    # RMC records its own advice
    as_user(client, region1.rmc_officer)
    response = client.post(
        reverse("meetings:advice", args=[meeting.pk, item.pk]),
        {
            f"advice-{item.pk}-organisation": region1.rmc.pk,
            f"advice-{item.pk}-text": "Werk met jobcoaching.",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{detail_url(meeting)}#item-{item.pk}"
    assert Advice.objects.get(agenda_item=item).organisation == region1.rmc

    as_user(client, region1.route_coordinator)
    response = client.post(
        reverse("meetings:hold", args=[meeting.pk]), {"hold-held_on": TODAY.isoformat()}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.held_on) == (MeetingStatus.HELD, TODAY)
    page = page_of(client.get(detail_url(meeting)))
    assert decision_url(item) in page

    response = client.post(
        decision_url(item),
        {f"decision-{item.pk}-outflow_profile": "work", f"decision-{item.pk}-reason": WORK_REASON},
    )
    assert response.status_code == 302
    page = page_of(client.get(response["Location"]))
    assert nl("The decision has been recorded.") in page
    assert WORK_REASON in page
    case.refresh_from_db()
    assert (case.stage, case.outflow_profile, case.education_first_reason) == (
        Stage.ABA,
        OutflowProfile.WORK,
        WORK_REASON,
    )
    assert Decision.objects.get(agenda_item=item).decided_by == region1.route_coordinator
    assert decision_url(item) not in page  # once per student per meeting


def test_decision_work_without_rmc_and_leerplicht_is_refused_with_the_rule(client, region1):
    """R-OVL-2: without RMC and Leerplicht involvement the decision "work" is refused; the page shows
    the rule beside the form and nothing changes."""
    case = school_a_case(region1, involved=False)
    meeting = plan(region1)
    item = put_on_agenda(region1, meeting, case)
    hold(region1, meeting)
    before = case_state(case)
    page = page_of(
        as_user(client, region1.route_coordinator).post(
            decision_url(item),
            {
                f"decision-{item.pk}-outflow_profile": "work",
                f"decision-{item.pk}-reason": WORK_REASON,
            },
        )
    )
    assert "R-OVL-2" in alert_texts(page)
    assert f'id="item-{item.pk}"' in page and '<details class="ra-action" open>' in page
    assert case_state(case) == before
    assert not Decision.objects.exists()


def test_decision_education_withdraws_the_case(client, region1):
    """R-OVL-4: the decision "education" withdraws the case with the decision as reason."""
    case = school_a_case(region1, involved=False)
    meeting = plan(region1)
    item = put_on_agenda(region1, meeting, case)
    hold(region1, meeting)
    response = as_user(client, region1.route_coordinator).post(
        decision_url(item),
        {
            f"decision-{item.pk}-outflow_profile": "education",
            f"decision-{item.pk}-reason": "Kan door naar mbo 2.",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.outflow_profile) == (Stage.WITHDRAWN, OutflowProfile.EDUCATION)
    assert "Kan door naar mbo 2." in case.end_reason
    assert Decision.objects.get(agenda_item=item).outflow_profile == OutflowProfile.EDUCATION


def test_decision_before_the_meeting_was_held_shows_the_service_message(client, region1):
    """R-OVL-1: a decision posted before the meeting is marked held is refused with the service's
    message; nothing changes."""
    case = school_a_case(region1)
    meeting = plan(region1)
    item = put_on_agenda(region1, meeting, case)
    before = case_state(case)
    page = page_of(
        as_user(client, region1.route_coordinator).post(
            decision_url(item),
            {
                f"decision-{item.pk}-outflow_profile": "work",
                f"decision-{item.pk}-reason": WORK_REASON,
            },
        )
    )
    assert nl(
        "Record the decision after the meeting has taken place (mark it as held first)."
    ) in alert_texts(page)
    assert case_state(case) == before
    assert not Decision.objects.exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_decision_with_an_empty_reason_shows_a_message_and_changes_nothing(client, region1, reason):
    """R-OVL-3: the decision needs a reason; an empty one is refused beside the form."""
    case = school_a_case(region1)
    meeting = plan(region1)
    item = put_on_agenda(region1, meeting, case)
    hold(region1, meeting)
    before = case_state(case)
    for profile in ("work", "education"):
        page = page_of(
            as_user(client, region1.route_coordinator).post(
                decision_url(item),
                {
                    f"decision-{item.pk}-outflow_profile": profile,
                    f"decision-{item.pk}-reason": reason,
                },
            )
        )
        assert nl("Reason") in alert_texts(page)
    page = page_of(
        client.post(
            decision_url(item),
            {
                f"decision-{item.pk}-outflow_profile": "holiday",
                f"decision-{item.pk}-reason": WORK_REASON,
            },
        )
    )
    assert nl("Outflow profile") in alert_texts(page)
    assert case_state(case) == before
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "who",
    [
        "coordinator",
        "other_coordinator",
        "rmc_officer",
        "leerplicht_officer",
        "work_service_manager",
        "admin",
    ],
)
def test_decision_by_anyone_but_the_route_coordinator_is_refused(client, region1, who):
    """R-OVL-1/R-OVL-4: only the route coordinator records the decision; anyone else posting to the
    decision URL gets "not found" or a refusal, never a server error, and nothing changes."""
    case = school_a_case(region1)
    meeting = plan(region1)
    item = put_on_agenda(region1, meeting, case)
    hold(region1, meeting)
    before = case_state(case)
    for profile in ("work", "education"):
        response = as_user(client, getattr(region1, who)).post(
            decision_url(item),
            {
                f"decision-{item.pk}-outflow_profile": profile,
                f"decision-{item.pk}-reason": WORK_REASON,
            },
        )
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            assert alert_texts(response.content.decode())
    assert not Decision.objects.exists()
    assert case_state(case) == before


def test_hold_bad_input_and_future_date_change_nothing(client, region1):
    """Marking held: a date in the wrong format, and a date in the future, are refused beside the form."""
    meeting = plan(region1, on=TODAY + dt.timedelta(days=7))
    as_user(client, region1.route_coordinator)
    page = page_of(
        client.post(reverse("meetings:hold", args=[meeting.pk]), {"hold-held_on": "gisteren"})
    )
    assert nl("Held on") in alert_texts(page)
    page = page_of(
        client.post(
            reverse("meetings:hold", args=[meeting.pk]),
            {"hold-held_on": (TODAY + dt.timedelta(days=7)).isoformat()},
        )
    )
    assert nl("A meeting cannot be marked as held on a date in the future.") in alert_texts(page)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.held_on) == (MeetingStatus.PLANNED, None)
    # the school cannot mark it held: the form is not theirs
    assert (
        as_user(client, region1.coordinator)
        .post(reverse("meetings:hold", args=[meeting.pk]), {"hold-held_on": TODAY.isoformat()})
        .status_code
        == 404
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


# --- who sees whom on the agenda -----------------------------------------------------------------


def test_agenda_each_school_sees_only_its_own_students(client, region1):
    """Need to know: school A sees its student on the agenda (must show up), not school B's
    (must not show up), and the other way round; the route coordinator sees both."""
    meeting = plan(region1)
    a_item = put_on_agenda(region1, meeting, school_a_case(region1, involved=False))
    b_item = put_on_agenda(region1, meeting, school_b_case(region1))
    urls = [
        detail_url(meeting),
        reverse("meetings:agenda", args=[meeting.pk]),
        reverse("meetings:minutes", args=[meeting.pk]),
    ]
    for url in urls:
        page = page_of(as_user(client, region1.coordinator).get(url))
        assert "Amira Anwar" in page
        assert "Bram" not in page and "Bakker" not in page
        page = page_of(as_user(client, region1.other_coordinator).get(url))
        assert "Bram Bakker" in page
        assert "Amira" not in page and "Anwar" not in page
        page = page_of(as_user(client, region1.route_coordinator).get(url))
        assert "Amira Anwar" in page and "Bram Bakker" in page
    # the hidden student's agenda item is "not found" for the other school
    as_user(client, region1.other_coordinator)
    response = client.post(
        reverse("meetings:advice", args=[meeting.pk, a_item.pk]),
        {
            f"advice-{a_item.pk}-organisation": region1.other_school.pk,
            f"advice-{a_item.pk}-text": "Nee.",
        },
    )
    assert response.status_code == 404
    assert not Advice.objects.exists()
    assert b_item.pk


def test_agenda_partner_sees_only_cases_it_is_involved_in(client, region1):
    """RMC sees the student whose case it is involved in (must show up), not another one (must not)."""
    meeting = plan(region1)
    put_on_agenda(region1, meeting, school_a_case(region1, "Amira", "Anwar", involved=True))
    put_on_agenda(region1, meeting, school_a_case(region1, "Chris", "Claes", involved=False))
    page = page_of(as_user(client, region1.rmc_officer).get(detail_url(meeting)))
    assert "Amira Anwar" in page
    assert "Chris" not in page and "Claes" not in page


def test_functional_admin_sees_no_names(client, region1):
    """The functional administrator sees no case data: no names on any meeting screen."""
    meeting = plan(region1)
    put_on_agenda(region1, meeting, school_a_case(region1, involved=False))
    as_user(client, region1.admin)
    # The meetings list is not theirs either (need to know): as if it did not exist.
    assert client.get(reverse("meetings:list")).status_code == 404
    for name in ("detail", "agenda", "minutes"):
        response = client.get(reverse(f"meetings:{name}", args=[meeting.pk]))
        assert response.status_code == 404
        assert b"Amira" not in response.content


def test_another_region_is_not_found(client, region1, region2):
    """A meeting of another region reads as not found, also for its route coordinator's forms."""
    meeting = plan(region1)
    item = put_on_agenda(region1, meeting, school_a_case(region1))
    hold(region1, meeting)
    as_user(client, region2.route_coordinator)
    assert client.get(detail_url(meeting)).status_code == 404
    response = client.post(
        decision_url(item),
        {f"decision-{item.pk}-outflow_profile": "work", f"decision-{item.pk}-reason": WORK_REASON},
    )
    assert response.status_code == 404
    assert not Decision.objects.exists()


def test_a_meeting_id_beyond_the_databases_range_is_not_found(client, region1):
    """The meeting is read from SQL kept per person (core.sqlcache): an id PostgreSQL's bigint
    cannot hold is not found, like any other unknown meeting, instead of a database error."""
    plan(region1)
    as_user(client, region1.route_coordinator)
    for meeting_id in (2**63, 10**30):
        assert client.get(f"/uitstroomtafels/{meeting_id}/").status_code == 404


def test_reading_the_agenda_is_logged_for_the_visible_students_only(client, region1):
    """Every read of personal data is logged: the names shown on the meeting page, no others."""
    meeting = plan(region1)
    a = school_a_case(region1, involved=False)
    b = school_b_case(region1)
    put_on_agenda(region1, meeting, a)
    put_on_agenda(region1, meeting, b)
    # The log is append-only: look only at what this page load adds.
    last = ProcessingLogRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
    page_of(as_user(client, region1.coordinator).get(detail_url(meeting)))
    logged = set(
        ProcessingLogRecord.objects.filter(
            id__gt=last, actor=region1.coordinator, operation="read", activity="meetings.agenda"
        ).values_list("subject_student_id", flat=True)
    )
    assert logged == {a.student_id}


# --- participants, advice and actions ------------------------------------------------------------


def test_participants_per_organisation(client, region1, region2):
    """The route coordinator adds participants (an organisation of the region and a name)."""
    meeting = plan(region1)
    as_user(client, region1.route_coordinator)
    url = reverse("meetings:participant_add", args=[meeting.pk])
    response = client.post(
        url, {"participant-organisation": region1.rmc.pk, "participant-person_name": "R. Monitor"}
    )
    assert response["Location"] == f"{detail_url(meeting)}#participants"
    page = page_of(client.get(detail_url(meeting)))
    assert "R. Monitor" in page and region1.rmc.name in page
    # an organisation of another region, or no name: refused beside the form
    page = page_of(
        client.post(
            url, {"participant-organisation": region2.rmc.pk, "participant-person_name": "X"}
        )
    )
    assert nl("Organisation") in alert_texts(page)
    page = page_of(
        client.post(
            url, {"participant-organisation": region1.rmc.pk, "participant-person_name": " "}
        )
    )
    assert nl("Name") in alert_texts(page)
    assert list(MeetingParticipant.objects.values_list("person_name", flat=True)) == ["R. Monitor"]
    # the school sees the participants but cannot add any
    page = page_of(as_user(client, region1.coordinator).get(detail_url(meeting)))
    assert "R. Monitor" in page and url not in page
    assert (
        client.post(
            url, {"participant-organisation": region1.school.pk, "participant-person_name": "Y"}
        ).status_code
        == 404
    )


def test_advice_a_partner_records_only_its_own_organisations_advice(client, region1):
    """Advice per organisation: RMC gives RMC's advice; Leerplicht's is not a choice for RMC."""
    meeting = plan(region1)
    item = put_on_agenda(region1, meeting, school_a_case(region1))
    url = reverse("meetings:advice", args=[meeting.pk, item.pk])
    as_user(client, region1.rmc_officer)
    # the advice form, as loaded when "Record advice" is opened
    form = page_of(client.get(url, headers={"HX-Request": "true"}))
    assert f'<option value="{region1.rmc.pk}"' in form
    assert f'<option value="{region1.leerplicht.pk}"' not in form
    page = page_of(
        client.post(
            url,
            {
                f"advice-{item.pk}-organisation": region1.leerplicht.pk,
                f"advice-{item.pk}-text": "Akkoord.",
            },
        )
    )
    assert nl("Organisation") in alert_texts(page)
    page = page_of(
        client.post(
            url, {f"advice-{item.pk}-organisation": region1.rmc.pk, f"advice-{item.pk}-text": ""}
        )
    )
    assert nl("Advice") in alert_texts(page)
    assert not Advice.objects.exists()
    # the route coordinator writes down any organisation's advice
    response = as_user(client, region1.route_coordinator).post(
        url,
        {
            f"advice-{item.pk}-organisation": region1.leerplicht.pk,
            f"advice-{item.pk}-text": "Akkoord.",
        },
    )
    assert response.status_code == 302
    assert Advice.objects.get().organisation == region1.leerplicht


def test_actions_added_by_the_coordinator_and_done_by_the_owner(client, region1):
    """Actions with an owner organisation and a due date; the owner (or the coordinator) marks them done."""
    meeting = plan(region1)
    item = put_on_agenda(region1, meeting, school_a_case(region1))
    add_url = reverse("meetings:action_add", args=[meeting.pk, item.pk])
    as_user(client, region1.route_coordinator)
    page = page_of(
        client.post(
            add_url,
            {
                f"action-{item.pk}-description": "ABA aanvragen",
                f"action-{item.pk}-owner_organisation": region1.school.pk,
                f"action-{item.pk}-due_on": "over twee weken",
            },
        )
    )
    assert nl("Due on") in alert_texts(page)
    assert not MeetingAction.objects.exists()
    response = client.post(
        add_url,
        {
            f"action-{item.pk}-description": "ABA aanvragen",
            f"action-{item.pk}-owner_organisation": region1.school.pk,
            f"action-{item.pk}-due_on": "24-03-2025",
        },
    )
    assert response.status_code == 302
    action = MeetingAction.objects.get()
    assert (action.owner_organisation, action.due_on, action.done_on) == (
        region1.school,
        dt.date(2025, 3, 24),
        None,
    )
    done_url = reverse("meetings:action_done", args=[meeting.pk, action.pk])
    # RMC does not own the action: not found; the school has no form to add actions
    assert as_user(client, region1.rmc_officer).post(done_url).status_code == 404
    assert (
        as_user(client, region1.coordinator)
        .post(
            add_url,
            {
                f"action-{item.pk}-description": "X",
                f"action-{item.pk}-owner_organisation": region1.school.pk,
                f"action-{item.pk}-due_on": "2025-03-24",
            },
        )
        .status_code
        == 404
    )
    page = page_of(client.get(detail_url(meeting)))
    assert done_url in page and "ABA aanvragen" in page
    response = client.post(done_url)
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.done_on == TODAY
    page = page_of(client.get(response["Location"]))
    assert nl("The action has been marked as done.") in page
    assert done_url not in page
    assert client.post(done_url).status_code == 404  # done once


def test_minutes_are_the_coordinators_and_print_without_inline_style(client, region1):
    """The minutes: the coordinator writes them when the meeting is held; the printable pages use
    the print stylesheet, no inline style or script (CSP)."""
    meeting = plan(region1)
    put_on_agenda(region1, meeting, school_a_case(region1))
    as_user(client, region1.route_coordinator)
    client.post(
        reverse("meetings:hold", args=[meeting.pk]),
        {"hold-held_on": TODAY.isoformat(), "hold-minutes": "Algemene notulen."},
    )
    client.post(
        reverse("meetings:minutes_save", args=[meeting.pk]),
        {"minutes-minutes": "Bijgewerkte notulen."},
    )
    meeting.refresh_from_db()
    assert meeting.minutes == "Bijgewerkte notulen."
    page = page_of(client.get(reverse("meetings:minutes", args=[meeting.pk])))
    assert "Bijgewerkte notulen." in page and "Amira Anwar" in page
    assert 'class="utrecht-page-body utrecht-body ra-print"' in page
    assert "/static/meetings/print.css" in page
    # the general minutes are the route coordinator's (they may name any student)
    page = page_of(
        as_user(client, region1.coordinator).get(reverse("meetings:minutes", args=[meeting.pk]))
    )
    assert "Bijgewerkte notulen." not in page and "Amira Anwar" in page
    from django.contrib.staticfiles import finders

    css_path = finders.find("meetings/print.css")
    assert css_path and "@media print" in Path(css_path).read_text()


# --- markup: labels, errors, CSP -----------------------------------------------------------------


class _Controls(HTMLParser):
    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []
        self.labels: set[str] = set()
        self.inline_styles = 0
        self.inline_scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.inline_styles += 1
        if tag == "script" and "src" not in attrs:
            self.inline_scripts += 1
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.controls.append(attrs)


@pytest.mark.parametrize("who", ["route_coordinator", "coordinator", "rmc_officer"])
def test_every_field_has_a_label_and_no_inline_style_or_script(client, region1, who):
    meeting = plan(region1)
    item = put_on_agenda(region1, meeting, school_a_case(region1))
    meetings.action_add(
        actor=region1.route_coordinator,
        agenda_item_id=item.pk,
        description="Bellen",
        owner_organisation_id=region1.school.pk,
        due_on=TODAY,
    )
    as_user(client, getattr(region1, who))
    for url in (
        reverse("meetings:list"),
        detail_url(meeting),
        reverse("meetings:agenda", args=[meeting.pk]),
        reverse("meetings:minutes", args=[meeting.pk]),
    ):
        parser = _Controls()
        parser.feed(page_of(client.get(url)))
        ids = [c.get("id") for c in parser.controls]
        assert len(ids) == len(set(ids)), f"duplicate ids on {url}"
        unlabelled = [c for c in parser.controls if c.get("id") not in parser.labels]
        assert unlabelled == [], url
        assert (parser.inline_styles, parser.inline_scripts) == (0, 0), url


# --- query counts --------------------------------------------------------------------------------


def _count_queries(client, url) -> int:
    client.get(url)  # warm: the session, the language
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("status", ["planned", "held"])
@pytest.mark.parametrize("who", ["route_coordinator", "coordinator"])
def test_list_query_count_does_not_grow_with_the_meetings(
    client, region1, django_assert_num_queries, status, who
):
    """The list with 1 meeting and with 20 uses the same number of queries (conventions §5)."""
    case = school_a_case(region1, involved=False)

    def add_meeting(n):
        on = TODAY + dt.timedelta(days=n) if status == "planned" else TODAY - dt.timedelta(days=n)
        meeting = plan(region1, on=on, place=f"Plaats {n}")
        if n == 1:
            put_on_agenda(region1, meeting, case)
        if status == "held":
            meetings.meeting_hold(
                actor=region1.route_coordinator, meeting_id=meeting.pk, held_on=on
            )

    add_meeting(1)
    as_user(client, getattr(region1, who))
    url = reverse("meetings:list")
    one = _count_queries(client, url)
    for n in range(2, 21):
        add_meeting(n)
    with django_assert_num_queries(one):
        page = page_of(client.get(url))
    assert len(set(re.findall(r'href="/uitstroomtafels/(\d+)/"', page))) == 20


@pytest.mark.parametrize("decided", [False, True])
@pytest.mark.parametrize("who", ["route_coordinator", "coordinator"])
def test_detail_query_count_does_not_grow_with_the_agenda(
    client, region1, django_assert_num_queries, decided, who
):
    """The meeting page with 1 agenda item and with 20 uses the same number of queries: students,
    advice, decisions and actions come in a fixed number of queries (conventions §5)."""

    def meeting_with(n: int) -> OutflowMeeting:
        meeting = plan(region1)
        items = []
        for _i in range(n):
            case = region1.open_case(age=19, on=TODAY - dt.timedelta(days=30))
            items.append(put_on_agenda(region1, meeting, case))
        meetings.meeting_participant_add(
            actor=region1.route_coordinator,
            meeting_id=meeting.pk,
            organisation_id=region1.rmc.pk,
            person_name="R. Monitor",
        )
        hold(region1, meeting)
        for item in items:
            meetings.advice_record(
                actor=region1.route_coordinator,
                agenda_item_id=item.pk,
                organisation_id=region1.rmc.pk,
                text="Werk.",
            )
            meetings.action_add(
                actor=region1.route_coordinator,
                agenda_item_id=item.pk,
                description="Bellen",
                owner_organisation_id=region1.school.pk,
                due_on=TODAY,
            )
            if decided:
                meetings.decision_record(
                    actor=region1.route_coordinator,
                    agenda_item_id=item.pk,
                    outflow_profile="education",
                    reason="Naar mbo.",
                )
        return meeting

    small, large = meeting_with(1), meeting_with(20)
    as_user(client, getattr(region1, who))
    for view in ("detail", "agenda", "minutes"):
        one = _count_queries(client, reverse(f"meetings:{view}", args=[small.pk]))
        client.get(reverse(f"meetings:{view}", args=[large.pk]))
        with django_assert_num_queries(one):
            page = page_of(client.get(reverse(f"meetings:{view}", args=[large.pk])))
        assert page.count("Jongere") >= 20


def test_an_items_forms_are_loaded_when_opened(client, region1):
    """Issue #7: the meeting page carries no advice, decision or action form of an agenda item
    until its <details> is opened; htmx then loads the one form, without JavaScript the link
    opens the page with that form open. Who is not offered a form does not get it this way."""
    meeting = plan(region1)
    item = put_on_agenda(region1, meeting, school_a_case(region1))
    hold(region1, meeting)
    as_user(client, region1.route_coordinator)
    page = page_of(client.get(detail_url(meeting)))
    assert "<form" not in page.split('id="agenda"')[1]
    for name in ("advice", "decision", "action_add"):
        url = reverse(f"meetings:{name}", args=[meeting.pk, item.pk])
        assert f'hx-get="{url}" hx-trigger="toggle once from:closest details"' in page
        assert f'href="{url}#item-{item.pk}"' in page
        response = client.get(url, headers={"HX-Request": "true"})
        form = page_of(response)
        assert form.lstrip().startswith("<form") and "<html" not in form
        assert f'action="{url}"' in form and 'name="csrfmiddlewaretoken"' in form
        assert "HX-Request" in response["Vary"]
        whole = page_of(client.get(url))
        assert "<html" in whole and whole.count(f'action="{url}"') == 1
        assert '<details class="ra-action" open>' in whole
    decision = page_of(client.get(reverse("meetings:decision", args=[meeting.pk, item.pk]), {}))
    assert f'name="decision-{item.pk}-outflow_profile"' in decision
    # the school does not decide (R-OVL-1): no decision form for it, by any way
    as_user(client, region1.coordinator)
    url = reverse("meetings:decision", args=[meeting.pk, item.pk])
    assert url not in page_of(client.get(detail_url(meeting)))
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404
    assert client.get(url).status_code == 404


def test_the_meetings_own_forms_are_loaded_when_opened(client, region1):
    """Issue #7: adding a participant and editing the minutes are loaded when their <details>
    is opened, as an item's forms are; marking the meeting as held stays on the page. Each
    form, loaded or opened without JavaScript, records what it did on the page."""
    meeting = plan(region1)
    put_on_agenda(region1, meeting, school_a_case(region1))
    as_user(client, region1.route_coordinator)
    planned = page_of(client.get(detail_url(meeting)))
    assert 'name="hold-held_on"' in planned  # on the page itself
    participant = reverse("meetings:participant_add", args=[meeting.pk])
    assert f'hx-get="{participant}" hx-trigger="toggle once from:closest details"' in planned
    assert f'href="{participant}#participants"' in planned
    assert 'name="participant-person_name"' not in planned
    form = page_of(client.get(participant, headers={"HX-Request": "true"}))
    assert form.lstrip().startswith("<form") and "<html" not in form
    assert f'action="{participant}"' in form and 'name="participant-person_name"' in form
    assert f'value="{region1.rmc.pk}"' in form  # the region's organisations to choose from
    whole = page_of(client.get(participant))
    assert "<html" in whole and '<details class="ra-action" open>' in whole
    assert whole.count('name="participant-person_name"') == 1

    hold(region1, meeting)
    meeting.refresh_from_db()
    meeting.minutes = "Eerste notulen."
    meeting.save(update_fields=["minutes"])
    held = page_of(client.get(detail_url(meeting)))
    minutes = reverse("meetings:minutes_save", args=[meeting.pk])
    assert f'href="{minutes}#minutes"' in held and 'id="minutes"' in held
    assert 'name="minutes-minutes"' not in held
    form = page_of(client.get(minutes, headers={"HX-Request": "true"}))
    assert 'name="minutes-minutes"' in form and "Eerste notulen." in form
    assert nl("Save the minutes") in form
    response = client.post(minutes, {"minutes-minutes": "Bijgewerkt."})
    assert response["Location"] == f"{detail_url(meeting)}#minutes"
    meeting.refresh_from_db()
    assert meeting.minutes == "Bijgewerkt."
    # too long: refused beside the opened form, nothing changed
    refused = page_of(client.post(minutes, {"minutes-minutes": "x" * 20_001}))
    assert '<details class="ra-action" open>' in refused and 'name="minutes-minutes"' in refused
    meeting.refresh_from_db()
    assert meeting.minutes == "Bijgewerkt."

    # the school is offered neither: not on the page, not by their URLs
    as_user(client, region1.coordinator)
    page = page_of(client.get(detail_url(meeting)))
    for url in (participant, minutes):
        assert url not in page
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 404
        assert client.get(url).status_code == 404
