"""The worklist (/werkvoorraad/): what needs my action, only mine, with a constant number of queries."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from routearbeid.route.constants import Situation
from routearbeid.route.services import involvement_request

URL = reverse("worklist")
AMS = ZoneInfo("Europe/Amsterdam")


def test_worklist_shows_involvement_requests_to_the_asked_organisation_only(client, region1):
    asked = region1.open_case(first_name="Hamid", last_name="Gevraagd")
    involvement_request(actor=region1.coordinator, case_id=asked.pk, organisation_id=region1.rmc.pk)
    client.force_login(region1.rmc_officer)
    assert "Hamid Gevraagd" in client.get(URL).content.decode()
    client.force_login(region1.swv_officer)
    assert "Hamid Gevraagd" not in client.get(URL).content.decode()


def test_self_report_reaches_the_school_worklist(client, region1):
    """R-NZ-4: a self-report is a signal in the school's worklist at once."""
    from routearbeid.aftercare.services import self_report_record

    case = region1.outflow(region1.ready_for_outflow(first_name="Iman", last_name="Meldt"))
    self_report_record(actor=None, case_id=case.pk, kind="lost_job", channel="portal")
    client.force_login(region1.coordinator)
    page = client.get(URL).content.decode()
    assert "Iman Meldt" in page
    client.force_login(region1.other_coordinator)
    assert "Iman Meldt" not in client.get(URL).content.decode()


def test_empty_worklist_says_so(client, region1):
    client.force_login(region1.swv_officer)
    assert "Er is nu niets dat actie van jou vraagt." in client.get(URL).content.decode()


@pytest.mark.parametrize("rows", [1, 50])
def test_worklist_query_count_does_not_grow_with_rows(
    client, region1, django_assert_num_queries, rows
):
    """Conventions §5: the same number of queries with 1 and with 50 items of each kind."""
    for i in range(rows):
        case = region1.open_case(first_name=f"Naam{i}", last_name=f"Achter{i}")
        involvement_request(
            actor=region1.coordinator, case_id=case.pk, organisation_id=region1.rmc.pk
        )
    client.force_login(region1.rmc_officer)
    client.get(URL)
    with django_assert_num_queries(QUERIES):
        response = client.get(URL)
    assert response.status_code == 200


# 2 fewer since issue #7: a section with nothing in it runs only its COUNT; 3 fewer since the
# session is written only when the badge's numbers change (its UPDATE in a savepoint;
# core.context_processors); 1 more for the section of handovers to accept (the RMC may receive
# one: its ids are read, none found)
QUERIES = 10


# --- R-NZ-1/R-NZ-2/R-NZ-3: check-ins from the worklist, in place ----------------------------


def _due_checkin(region1, clock_day=dt.date(2025, 7, 10)):
    with time_machine.travel(dt.datetime(2025, 1, 10, 10, tzinfo=AMS), tick=False):
        case = region1.outflow(region1.ready_for_outflow(first_name="Nour", last_name="Contact"))
    return case, case.checks.get(sequence=1)


def test_r_nz_2_check_in_recorded_from_the_worklist_in_a_few_clicks(client, region1):
    """R-NZ-2: the worklist offers each due check-in with contact yes/no and the situations of
    domain.md as radio buttons; saving it takes it off the worklist and stays on the worklist."""
    _case, check = _due_checkin(region1)
    client.force_login(region1.coordinator)
    with time_machine.travel(dt.datetime(2025, 7, 10, 10, tzinfo=AMS), tick=False):
        page = client.get(URL).content.decode()
        assert "Nour Contact" in page
        url = reverse("worklist_checkin", args=[check.pk])
        # "Record now" loads the check-in's form (htmx) when opened
        assert f'hx-get="{url}" hx-trigger="toggle once from:closest details"' in page
        form = client.get(url, headers={"HX-Request": "true"}).content.decode()
        prefix = f"c{check.pk}"
        for situation in Situation.values:
            assert f'name="{prefix}-situation" value="{situation}"' in form
        response = client.post(
            url,
            {
                f"{prefix}-recorded_on": "2025-07-10",
                f"{prefix}-contact_made": "yes",
                f"{prefix}-situation": "dual_track",
            },
            follow=True,
        )
        assert response.redirect_chain == [(URL, 302)]
        page = response.content.decode()
        assert "Het nazorgcontact met Nour Contact is vastgelegd." in page
    check.refresh_from_db()
    assert (check.recorded_on, check.contact_made, check.situation) == (
        dt.date(2025, 7, 10),
        True,
        "dual_track",
    )
    assert check.recorded_by == region1.coordinator


def test_r_nz_2_contact_without_situation_is_refused_in_place(client, region1):
    _case, check = _due_checkin(region1)
    client.force_login(region1.coordinator)
    with time_machine.travel(dt.datetime(2025, 7, 10, 10, tzinfo=AMS), tick=False):
        prefix = f"c{check.pk}"
        response = client.post(
            reverse("worklist_checkin", args=[check.pk]),
            {f"{prefix}-recorded_on": "2025-07-10", f"{prefix}-contact_made": "yes"},
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kies de situatie van de jongere." in page
    assert f'<li class="ra-list__item" id="checkin-{check.pk}">' in page
    check.refresh_from_db()
    assert check.recorded_on is None


def test_r_nz_2_not_reached_with_a_situation_is_refused_at_the_field(client, region1):
    """R-NZ-2: without contact there is no situation to record: the form says so at the
    situation's radios (aria-invalid, described by the message) and records nothing."""
    _case, check = _due_checkin(region1)
    client.force_login(region1.coordinator)
    with time_machine.travel(dt.datetime(2025, 7, 10, 10, tzinfo=AMS), tick=False):
        prefix = f"c{check.pk}"
        response = client.post(
            reverse("worklist_checkin", args=[check.pk]),
            {
                f"{prefix}-recorded_on": "2025-07-10",
                f"{prefix}-contact_made": "no",
                f"{prefix}-situation": "moved_abroad",
            },
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Er was geen contact: laat de situatie leeg, of kies ‘Onbekend’." in page
    assert 'aria-invalid="true"' in page
    check.refresh_from_db()
    assert check.recorded_on is None


def test_r_nz_2_could_not_reach_from_the_worklist_plans_a_retry(client, region1):
    """R-NZ-2: 'could not reach' records the try and plans a new check-in after the region's
    retry days; the worklist shows it as the same check-in again."""
    _case, check = _due_checkin(region1)
    client.force_login(region1.coordinator)
    with time_machine.travel(dt.datetime(2025, 7, 10, 10, tzinfo=AMS), tick=False):
        prefix = f"c{check.pk}"
        page = client.post(
            reverse("worklist_checkin", args=[check.pk]),
            {f"{prefix}-recorded_on": "2025-07-10", f"{prefix}-contact_made": "no"},
            follow=True,
        ).content.decode()
    assert "Niet bereikt: er is een nieuw nazorgcontact met Nour Contact gepland." in page
    assert "nazorgcontact 1 opnieuw (niet bereikt), gepland op 24-07-2025" in page
    check.refresh_from_db()
    assert check.contact_made is False


def test_r_nz_3_an_overdue_check_in_stays_until_recorded_also_after_closing(client, region1):
    _due_checkin(region1)
    from routearbeid.aftercare.services import cases_close_due

    with time_machine.travel(dt.datetime(2027, 3, 1, 10, tzinfo=AMS), tick=False):
        client.force_login(region1.coordinator)
        cases_close_due()
        page = client.get(URL).content.decode()
        # all four check-ins, overdue, each with its form (loaded when opened)
        assert page.count('<li class="ra-list__item" id="checkin-') == 4
        assert page.count('hx-get="/werkvoorraad/nazorgcontact/') == 4
        assert "te laat" in page


def test_worklist_checkin_of_another_school_is_not_found(client, region1):
    _case, check = _due_checkin(region1)
    url = reverse("worklist_checkin", args=[check.pk])
    for person in (region1.other_coordinator, region1.work_service_manager):
        client.force_login(person)
        response = client.post(url, {})
        assert response.status_code == 404
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 404
        assert client.get(url).status_code == 404
    check.refresh_from_db()
    assert check.recorded_on is None


def test_the_worklist_renders_no_check_in_form_until_one_is_opened(client, region1):
    """Issue #7: the worklist lists check-ins without their forms (25 forms made the page
    116 KB at 1,000,000 cases); opening "Record now" loads the one form, with JavaScript through
    htmx (only the form), without it as the worklist with that form open."""
    _case, check = _due_checkin(region1)
    client.force_login(region1.coordinator)
    url = reverse("worklist_checkin", args=[check.pk])
    with time_machine.travel(dt.datetime(2025, 7, 10, 10, tzinfo=AMS), tick=False):
        page = client.get(URL).content.decode()
        assert f'id="checkin-{check.pk}"' in page
        assert "-contact_made" not in page and 'action="/werkvoorraad/nazorgcontact/' not in page
        # without JavaScript: the link in the closed details opens the worklist with the form
        assert f'href="{url}#checkin-{check.pk}"' in page

        response = client.get(url, headers={"HX-Request": "true"})
        form = response.content.decode()
        assert form.lstrip().startswith("<form") and "<html" not in form
        assert f'action="{url}"' in form and 'name="csrfmiddlewaretoken"' in form
        assert 'value="2025-07-10"' in form  # today, and contact "yes", as before
        assert (
            f'id="id_c{check.pk}-contact_made_0" name="c{check.pk}-contact_made" value="yes" checked'
            in form
        )
        assert "HX-Request" in response["Vary"]

        whole = client.get(url).content.decode()
        assert "<html" in whole and "Nour Contact" in whole
        assert '<details class="ra-action" open>' in whole
        assert whole.count(f'action="{url}"') == 1


def test_a_request_not_answered_leaves_the_worklist_when_the_case_moves_on(client, region1):
    """An unanswered request to take part waits while its case is before aftercare: the worklist
    of the asked organisation shows it until the case is withdrawn or has its outflow, and a
    request made after that never shows (route.models.Involvement.request_lapsed, issue #7);
    the organisation still sees the case."""
    from routearbeid.route.models import Involvement
    from routearbeid.route.services import case_withdraw

    withdrawn = region1.open_case(first_name="Wim", last_name="Ingetrokken")
    gone_out = region1.open_case(first_name="Ula", last_name="Uitgestroomd")
    for case in (withdrawn, gone_out):
        involvement_request(
            actor=region1.coordinator, case_id=case.pk, organisation_id=region1.work_service.pk
        )
    client.force_login(region1.work_service_manager)
    page = client.get(URL).content.decode()
    assert "Wim Ingetrokken" in page and "Ula Uitgestroomd" in page

    case_withdraw(actor=region1.coordinator, case_id=withdrawn.pk, reason="Gaat naar het mbo")
    region1.outflow(region1.ready_for_outflow(gone_out))
    page = client.get(URL).content.decode()
    # the requests are gone (the youth after outflow waits as a handover to accept instead)
    asked = page.partition('id="wl-involvements"')[2].partition("</section>")[0]
    assert "Wim Ingetrokken" not in page and "Ula Uitgestroomd" not in asked
    waiting = Involvement.objects.filter(organisation=region1.work_service)
    assert [(i.involved_on, i.request_lapsed) for i in waiting] == [(None, True), (None, True)]
    assert client.get(reverse("route:student", args=[gone_out.student_id])).status_code == 200

    # asked during aftercare: lapsed from the start; the RMC's answered request is left alone
    involvement_request(
        actor=region1.coordinator, case_id=gone_out.pk, organisation_id=region1.swv.pk
    )
    asked_late = Involvement.objects.get(case=gone_out, organisation=region1.swv)
    assert asked_late.request_lapsed
    answered = Involvement.objects.get(case=gone_out, organisation=region1.rmc)
    assert answered.involved_on is not None and not answered.request_lapsed
    client.force_login(region1.swv_officer)
    assert "Ula Uitgestroomd" not in client.get(URL).content.decode()


def test_the_involvement_form_is_loaded_when_opened(client, region1):
    """R-OVL-2 from the worklist: the page carries no form per request, only a link that htmx
    follows when "Record your involvement and advice" is opened (issue #7); without JavaScript
    the link opens the worklist with that form open. Another organisation gets a 404."""
    from routearbeid.route.models import Involvement

    case = region1.open_case(first_name="Rana", last_name="Gevraagd")
    involvement_request(actor=region1.coordinator, case_id=case.pk, organisation_id=region1.rmc.pk)
    waiting = Involvement.objects.get(case=case, organisation=region1.rmc)
    url = reverse("worklist_involvement", args=[waiting.pk])
    action = reverse("route:action", args=[case.student_id, "involvement-record"])
    client.force_login(region1.rmc_officer)

    page = client.get(URL).content.decode()
    assert f'hx-get="{url}"' in page and f'href="{url}#involvement-{waiting.pk}"' in page
    assert action not in page  # no form until it is opened

    fragment = client.get(url, headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html
    assert f'action="{action}"' in html
    assert f'name="involvement-record-organisation" value="{region1.rmc.pk}"' in html
    assert 'for="inv-advice-' in html

    whole = client.get(url).content.decode()
    assert "<html" in whole and f'action="{action}"' in whole
    assert '<details class="ra-action" open><summary class="ra-action__summary">' in whole

    client.force_login(region1.swv_officer)
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404
    client.force_login(region1.coordinator)
    assert client.get(url).status_code == 404


def test_a_section_read_by_its_ids_shows_the_same_as_counted(client, region1, monkeypatch):
    """Each section of the worklist is read as the ids of its items in order, which give its
    size, and then its first items by id (aftercare.views._section, issue #7): the same sizes
    and the same items in the same order as counted and read the usual way (more than
    SECTION_IDS items), also with a section shown in full."""
    from routearbeid.aftercare import views

    for n in range(4):
        case = region1.open_case(first_name=f"Naam{n}", last_name=f"Achter{n}")
        involvement_request(
            actor=region1.coordinator, case_id=case.pk, organisation_id=region1.rmc.pk
        )
    client.force_login(region1.rmc_officer)
    monkeypatch.setattr(views, "LIMIT", 3)

    def seen(section_ids, params):
        monkeypatch.setattr(views, "SECTION_IDS", section_ids)
        context = client.get(URL, params).context
        return [i.pk for i in context["involvements"]], context["totals"], context["more"]

    for params in ({}, {"sectie": "involvements"}):
        assert seen(5_000, params) == seen(0, params)
    rows, totals, more = seen(5_000, {})
    assert len(rows) == 3 and totals["involvements"] == 4 and more["involvements"] == 1
    assert len(seen(5_000, {"sectie": "involvements"})[0]) == 4


def test_the_worklist_keeps_its_sections_sql_never_their_rows(
    client, region1, monkeypatch, settings
):
    """A section's ids query is compiled once per person, seats and day (core.sqlcache,
    issue #7) and run on every load: a request made after the first load shows on the next;
    a new seat is a new key (the request to the RMC shows for the SWV officer once they also
    sit at the RMC); another day is a new key too."""
    from routearbeid.aftercare import selectors
    from routearbeid.core import sqlcache
    from routearbeid.organisations.constants import Role
    from routearbeid.organisations.models import Membership

    sqlcache.clear()  # another test may have kept the same SQL (the same ids, seats and day)
    settings.ROUTEARBEID_SQLCACHE_VERIFY = False  # this test counts the builds themselves
    built = []
    original = selectors.my_involvement_requests

    def counting(actor):
        built.append(actor.user.pk)
        return original(actor)

    monkeypatch.setattr(selectors, "my_involvement_requests", counting)
    first = region1.open_case(first_name="Eerste", last_name="Gevraagd")
    involvement_request(actor=region1.coordinator, case_id=first.pk, organisation_id=region1.rmc.pk)
    client.force_login(region1.rmc_officer)
    assert "Eerste Gevraagd" in client.get(URL).content.decode()
    second = region1.open_case(first_name="Tweede", last_name="Gevraagd")
    involvement_request(
        actor=region1.coordinator, case_id=second.pk, organisation_id=region1.rmc.pk
    )
    page = client.get(URL).content.decode()
    assert "Eerste Gevraagd" in page and "Tweede Gevraagd" in page
    assert built == [region1.rmc_officer.pk]  # built once, run twice

    client.force_login(region1.swv_officer)
    assert "Tweede Gevraagd" not in client.get(URL).content.decode()
    Membership.objects.create(
        user=region1.swv_officer, organisation=region1.rmc, role=Role.RMC_OFFICER
    )
    assert "Tweede Gevraagd" in client.get(URL).content.decode()
    assert built.count(region1.swv_officer.pk) == 2

    with time_machine.travel(dt.datetime.now(tz=AMS) + dt.timedelta(days=1), tick=False):
        client.force_login(region1.swv_officer)  # the session of yesterday has expired
        assert "Tweede Gevraagd" in client.get(URL).content.decode()
    assert built.count(region1.swv_officer.pk) == 3


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_signals_kind_is_shown_as_djangos_own_display_would(language):
    """Signal.get_kind_display (the worklist's and the youth page's label of a signal) gives
    what Django's generic one gives, in each language, also for a kind no longer offered."""
    from django.db.models import Model
    from django.utils import translation

    from routearbeid.aftercare.constants import SignalKind
    from routearbeid.aftercare.models import Signal

    field = Signal._meta.get_field("kind")
    with translation.override(language):
        for kind in [*SignalKind.values, "withdrawn_kind"]:
            signal = Signal(kind=kind)
            assert signal.get_kind_display() == Model._get_FIELD_display(signal, field)
        assert Signal(kind=SignalKind.SELF_REPORT).get_kind_display() == (
            "Zelfmelding" if language == "nl" else "Self-report"
        )
