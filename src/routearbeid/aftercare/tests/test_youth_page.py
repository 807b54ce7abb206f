"""The aftercare panels of the youth's page: who is offered which form, and the forms post."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from routearbeid.aftercare.constants import SignalKind
from routearbeid.aftercare.models import FollowUpContact, MonitoringNote, Signal
from routearbeid.aftercare.services import follow_up_contact_record

AMS = ZoneInfo("Europe/Amsterdam")
OUTFLOW = dt.date(2025, 1, 10)


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2025, 2, 1, 10, tzinfo=AMS), tick=False) as traveller:
        yield traveller


@pytest.fixture
def case(region1, clock):
    clock.move_to(dt.datetime(2025, 1, 10, 10, tzinfo=AMS))
    case = region1.outflow(region1.ready_for_outflow(first_name="Sara", last_name="Pagina"))
    clock.move_to(dt.datetime(2025, 2, 1, 10, tzinfo=AMS))
    return case


def page(client, user, case) -> str:
    client.force_login(user)
    return client.get(reverse("route:student", args=[case.student_id])).content.decode()


def post(client, user, case, name, data):
    client.force_login(user)
    url = reverse("route:action", args=[case.student_id, name])
    return client.post(url, {f"{name}-{k}": v for k, v in data.items()})


# Each form is offered by its summary and loaded when opened (route.views.build_forms).
FORMS = {
    "follow-up-contact": 'hx-get="/jongeren/{id}/actie/follow-up-contact/"',
    "follow-up-end": 'hx-get="/jongeren/{id}/actie/follow-up-end/"',
    "signal-raise": 'hx-get="/jongeren/{id}/actie/signal-raise/"',
    "monitoring-note": 'hx-get="/jongeren/{id}/actie/monitoring-note/"',
}


@pytest.mark.parametrize(
    ("person", "offered"),
    [
        ("coordinator", {"signal-raise"}),
        ("work_service_manager", {"follow-up-contact", "follow-up-end"}),
        ("rmc_officer", {"monitoring-note"}),
        ("leerplicht_officer", set()),
    ],
)
def test_each_party_is_offered_its_own_forms(client, region1, case, person, offered):
    html = page(client, getattr(region1, person), case)
    shown = {name for name, marker in FORMS.items() if marker.format(id=case.student_id) in html}
    assert shown == offered


def test_work_service_records_a_follow_up_contact_on_the_page(client, region1, case):
    response = post(
        client,
        region1.work_service_manager,
        case,
        "follow-up-contact",
        {
            "contact_on": "2025-02-01",
            "with_whom": "youth",
            "situation": "working_same_employer",
            "next_step": "Gesprek met leidinggevende",
        },
    )
    assert response.status_code == 302
    assert FollowUpContact.objects.get(case=case).next_step == "Gesprek met leidinggevende"
    html = page(client, region1.coordinator, case)
    assert "Gesprek met leidinggevende" in html


def test_a_bad_follow_up_contact_shows_a_dutch_message_and_changes_nothing(client, region1, case):
    response = post(
        client,
        region1.work_service_manager,
        case,
        "follow-up-contact",
        {"contact_on": "2025-03-01", "with_whom": "youth", "situation": "working_same_employer"},
    )
    assert response.status_code == 200
    assert "De contactdatum kan niet in de toekomst liggen." in response.content.decode()
    assert not FollowUpContact.objects.exists()


def test_the_school_cannot_post_the_work_services_forms(client, region1, case):
    response = post(
        client,
        region1.coordinator,
        case,
        "follow-up-contact",
        {"contact_on": "2025-02-01", "with_whom": "youth", "situation": "working_same_employer"},
    )
    assert response.status_code == 404
    response = post(client, region1.coordinator, case, "monitoring-note", {"text": "x"})
    assert response.status_code == 404
    response = post(
        client, region1.work_service_manager, case, "signal-raise", {"note": "Bellen aub"}
    )
    assert response.status_code == 404
    assert not Signal.objects.filter(kind=SignalKind.CONTACT_WORK_SERVICE).exists()


def test_school_asks_the_work_service_from_the_page_to_one_client_manager(client, region1, case):
    client.force_login(region1.coordinator)
    url = reverse("route:action", args=[case.student_id, "signal-raise"])
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    people = html.split('name="signal-raise-person"')[1].split("</select>")[0]
    assert f'<option value="{region1.work_service_manager.pk}">' in people
    assert f'<option value="{region1.rmc_officer.pk}">' not in people
    response = post(
        client,
        region1.coordinator,
        case,
        "signal-raise",
        {"note": "Jongere meldde zich: baan kwijt.", "person": region1.work_service_manager.pk},
    )
    assert response.status_code == 302
    signal = Signal.objects.get(kind=SignalKind.CONTACT_WORK_SERVICE)
    assert signal.person == region1.work_service_manager
    assert "Jongere meldde zich" in page(client, region1.work_service_manager, case)


def test_rmc_keeps_a_monitoring_note_only_the_rmc_reads_it(client, region1, case):
    response = post(
        client, region1.rmc_officer, case, "monitoring-note", {"text": "Gebeld, gaat goed."}
    )
    assert response.status_code == 302
    assert MonitoringNote.objects.get(case=case).organisation == region1.rmc
    assert "Gebeld, gaat goed." in page(client, region1.rmc_officer, case)
    school_page = page(client, region1.coordinator, case)
    assert "Gebeld, gaat goed." not in school_page
    assert "Monitoringnotitie van het RMC" in school_page  # the timeline says that it happened


def test_the_work_service_ends_its_follow_up_on_the_page(client, region1, case):
    response = post(
        client,
        region1.work_service_manager,
        case,
        "follow-up-end",
        {"ended_on": "2025-02-01", "reason": "Verhuisd naar andere gemeente"},
    )
    assert response.status_code == 302
    html = page(client, region1.work_service_manager, case)
    assert "Gevolgd van 10-01-2025 tot 01-02-2025." in html
    assert FORMS["follow-up-contact"].format(id=case.student_id) not in html


@pytest.mark.parametrize("contacts", [1, 20])
def test_youth_page_in_aftercare_query_count_does_not_grow_with_follow_up(
    client, region1, case, django_assert_num_queries, contacts
):
    for _ in range(contacts):
        follow_up_contact_record(
            actor=region1.work_service_manager,
            case_id=case.pk,
            contact_on=dt.date(2025, 2, 1),
            with_whom="employer",
            situation="working_same_employer",
        )
    for person, queries in (
        (region1.coordinator, AFTERCARE_PAGE_QUERIES),
        (region1.work_service_manager, AFTERCARE_PAGE_QUERIES_WORK_SERVICE),
    ):
        client.force_login(person)
        url = reverse("route:student", args=[case.student_id])
        client.get(url)
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


# 3 fewer since the worklist badge is kept in the session (the first request counted it); since
# the forms of their own load when opened, 5 fewer for the school (the work service's people for
# "ask the work service", the case's jobs, ...), 2 for the work service; since the session is saved
# at most once a minute and the handover is read with the case, 6 fewer for the school and 8 for
# the work service (which reads the handover in several of its checks); since the case comes
# with its youth, mentor and follow-up and with flags for the rows most cases have none of
# (route.views.SPARSE_RELATIONS), 6 fewer for each; 2 more for the work service since whether it
# may see the youth and which of the youth's cases is asked first, by id, from SQL compiled once
# per person and day (students.selectors.student_get, route.views._case_for_student; issue #7);
# 1 fewer for the work service since the cases are read with that SQL itself (its building and
# compiling is kept with the rest of the page's, core.sqlcache.objects); 1 fewer for each since
# the forms take the involved organisations from the involvements the page reads, 1 more fewer
# for the work service since the youth is read with the SQL that asks whether it may, and 2
# since whether the follow-up has ended is read with the case (aftercare.services.
# work_service_may_follow_up, asked for two forms)
AFTERCARE_PAGE_QUERIES = 16
AFTERCARE_PAGE_QUERIES_WORK_SERVICE = 15


def test_r_rmc_1_no_monitoring_note_before_the_youth_leaves_school(client, region1, clock):
    """Monitoring starts at outflow: before it the RMC has no note form, and a post is not found."""
    before = region1.ready_for_outflow()
    involved_page = page(client, region1.rmc_officer, before)
    assert "monitoring-note" not in involved_page
    response = post(client, region1.rmc_officer, before, "monitoring-note", {"text": "Te vroeg"})
    assert response.status_code == 404
    assert not MonitoringNote.objects.filter(case=before).exists()
