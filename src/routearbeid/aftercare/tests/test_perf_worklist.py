"""Issue #7: the worklist shows a first page per section with its full size and a way to see
more; the badge keeps its numbers; the raiser opens a batch with one UPDATE."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from routearbeid.aftercare import views
from routearbeid.aftercare.selectors import worklist_counts
from routearbeid.route.services import involvement_request

URL = reverse("worklist")


# The requests' cases are opened before the days the tests travel to (an involvement cannot
# be recorded before its case was opened).
OPENED = dt.date(2026, 11, 2)


@pytest.fixture
def three_requests(region1):
    for i in range(3):
        case = region1.open_case(first_name=f"Vraag{i}", last_name="Meer", on=OPENED)
        involvement_request(
            actor=region1.coordinator, case_id=case.pk, organisation_id=region1.rmc.pk, on=OPENED
        )


def test_a_section_shows_its_first_page_its_size_and_a_link_to_all(
    client, region1, three_requests, monkeypatch
):
    monkeypatch.setattr(views, "LIMIT", 2)
    client.force_login(region1.rmc_officer)
    page = client.get(URL).content.decode()
    assert page.count("Meer</a>") == 2
    assert '<span class="utrecht-badge-counter">3</span></h2>' in page
    assert 'href="?sectie=involvements#wl-involvements"' in page
    everything = client.get(URL, {"sectie": "involvements"}).content.decode()
    assert everything.count("Meer</a>") == 3
    assert 'href="?sectie=involvements' not in everything
    # an unknown section is ignored, never an error
    assert client.get(URL, {"sectie": "<x>"}).status_code == 200


def test_a_sections_rows_are_read_by_a_query_compiled_once_for_its_length(
    client, region1, three_requests, settings
):
    """Each section's page of rows is read by id with the same query but for the ids
    (core.sqlcache.objects); the rows are read on every view."""
    from routearbeid.core import sqlcache

    settings.ROUTEARBEID_SQLCACHE_VERIFY = False
    sqlcache.clear()
    client.force_login(region1.rmc_officer)
    assert waiting_youth(client.get(URL).content.decode()) == ["Vraag0", "Vraag1", "Vraag2"]
    kept = [key for key in sqlcache._compiled if "worklist rows" in key]
    assert len(kept) == 1 and kept[0][2] == 3 and kept[0][-1] == "involvements"
    record_a_waiting_involvement(client, region1)
    case = region1.open_case(first_name="Vraag9", last_name="Meer", on=OPENED)
    involvement_request(
        actor=region1.coordinator, case_id=case.pk, organisation_id=region1.rmc.pk, on=OPENED
    )
    # three again, other ids: the same query, the rows as they are now
    assert waiting_youth(client.get(URL).content.decode()) == ["Vraag1", "Vraag2", "Vraag9"]
    assert [key for key in sqlcache._compiled if "worklist rows" in key] == kept


def test_the_badge_counts_what_the_worklist_holds(client, region1, three_requests):
    counts = worklist_counts(region1.rmc_officer)
    assert (counts.involvements, counts.total) == (3, 3)
    assert worklist_counts(region1.swv_officer).total == 0
    client.force_login(region1.rmc_officer)
    assert badge(client) == "3"


def test_the_first_check_ins_are_those_of_my_schools_in_due_order(region1):
    """my_checkins (the werkvoorraad's check-ins, read along the index of the school kept on each
    check-in) holds the open check-ins of my schools due within the horizon, in due order and by
    id on the same day, for every page size; another school's never appear."""
    import datetime as dt

    from routearbeid.aftercare.models import AftercareCheck
    from routearbeid.aftercare.selectors import my_checkins
    from routearbeid.core.dates import today
    from routearbeid.route.constants import Stage
    from routearbeid.route.models import Case
    from routearbeid.route.services import case_open

    on = today()
    mine = [region1.open_case(last_name=f"Eigen{i}") for i in range(3)]
    theirs = case_open(
        actor=region1.other_coordinator,
        student_id=region1.student(school=region1.other_school).pk,
    )
    Case.objects.filter(pk__in=[c.pk for c in [*mine, theirs]]).update(
        stage=Stage.AFTERCARE, outflow_on=on, aftercare_ends_on=on + dt.timedelta(days=700)
    )
    # equal due days (ordered by id then), shuffled over the cases, one beyond the horizon,
    # one recorded
    days = [5, -3, 5, 0, -40, 12, 0, 5, 29, 45]
    for n, offset in enumerate(days):
        AftercareCheck.objects.create(
            case=mine[n % 3], sequence=n + 1, due_on=on + dt.timedelta(days=offset)
        )
    AftercareCheck.objects.create(
        case=mine[0], sequence=20, due_on=on - dt.timedelta(days=50), recorded_on=on
    )
    AftercareCheck.objects.create(case=theirs, sequence=1, due_on=on - dt.timedelta(days=60))
    everything = list(my_checkins(region1.coordinator, on=on))
    assert len(everything) == 9
    assert [(c.due_on, c.pk) for c in everything] == sorted((c.due_on, c.pk) for c in everything)
    assert {c.school_id for c in everything} == {region1.school.pk}
    for limit in range(1, 11):
        assert list(my_checkins(region1.coordinator, on=on)[:limit]) == everything[:limit]
    assert list(my_checkins(region1.work_service_manager, on=on)) == []
    [other] = my_checkins(region1.other_coordinator, on=on)
    assert (other.case_id, other.school_id) == (theirs.pk, region1.other_school.pk)


# --- the badge kept in the session (core/context_processors.py) ----------------------------------


def nav_badge(page: str) -> str:
    """The badge element beside "Worklist" in a page's navigation."""
    found = re.search(r'<span id="ra-worklist-badge".*?</a>', page, re.S)
    assert found, "no worklist badge in the navigation"
    return found.group(0)


def badge_number(html: str) -> str | None:
    found = re.search(r'<span class="utrecht-badge-counter"[^>]*>(\d+)</span>', html)
    return found.group(1) if found else None


def badge(client) -> str | None:
    """The count beside "Worklist" in the navigation as a browser shows it, None when there is
    none: from the page when it came with it, else loaded from the URL the badge names (htmx)."""
    nav = nav_badge(client.get(reverse("students:list")).content.decode())
    load = re.search(r'hx-get="([^"]+)" hx-trigger="load"', nav)
    if load:
        loaded = client.get(load.group(1), headers={"HX-Request": "true"})
        assert loaded.status_code == 200
        nav = loaded.content.decode()
        assert "hx-get" not in nav  # the loaded badge does not load itself again
    return badge_number(nav)


COUNTING = tuple(
    f'SELECT COUNT(*) AS "__count" FROM "{table}"'
    for table in ("aftercare_signal", "route_involvement", "meetings_meetingaction")
)


def counted(queries) -> bool:
    return any(q["sql"].startswith(COUNTING) for q in queries)


def record_a_waiting_involvement(client, region1, **kwargs):
    """The RMC officer records its involvement in one of the requests waiting for it: one fewer
    in its worklist."""
    from routearbeid.route.models import Involvement

    waiting = Involvement.objects.filter(organisation=region1.rmc, involved_on__isnull=True).first()
    return client.post(
        reverse("route:action", args=[waiting.case.student_id, "involvement-record"]),
        {
            "involvement-record-organisation": region1.rmc.pk,
            "involvement-record-legal_basis": "legal_task",
            "involvement-record-person_name": "Rana Mc",
            "involvement-record-involved_on": "2026-11-30",
            "involvement-record-advice": "Werk met begeleiding.",
        },
        **kwargs,
    )


def test_no_page_waits_for_the_badge_it_is_loaded_after_the_page(client, region1, three_requests):
    """Issue #7: counting the badge costs 6-15 ms of SQL at 1,000,000 cases. A page without
    numbers kept in the session is sent without them and names where to load them (htmx, on
    load); that request counts and keeps them, and the next pages show them at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(region1.rmc_officer)
    with CaptureQueriesContext(connection) as seen:
        page = client.get(reverse("students:list"))
    assert page.status_code == 200
    assert not counted(seen.captured_queries)
    nav = nav_badge(page.content.decode())
    url = reverse("worklist_badge")
    assert f'hx-get="{url}" hx-trigger="load"' in nav
    assert badge_number(nav) is None
    with CaptureQueriesContext(connection) as seen:
        loaded = client.get(url, headers={"HX-Request": "true"})
    assert counted(seen.captured_queries)
    assert loaded.status_code == 200
    assert "no-store" in loaded["Cache-Control"]  # a person's numbers: never from a cache
    assert badge_number(loaded.content.decode()) == "3"
    assert 'aria-label="3 taken"' in loaded.content.decode()
    assert "hx-get" not in loaded.content.decode() and "hx-swap-oob" not in loaded.content.decode()
    with CaptureQueriesContext(connection) as seen:
        nav = nav_badge(client.get(reverse("students:list")).content.decode())
    assert not counted(seen.captured_queries)
    assert badge_number(nav) == "3" and "hx-get" not in nav


def test_a_page_posted_in_place_brings_its_badge_along(client, region1, three_requests):
    """A form posted in place (hx-boost, only <main> swapped) used to leave the navigation's count
    as it was before the user's own write. A page htmx asks for carries its badge out of band
    (hx-swap-oob), so htmx replaces the one in the navigation too; a whole page does not."""

    client.force_login(region1.rmc_officer)
    assert badge(client) == "3"
    assert "hx-swap-oob" not in nav_badge(client.get(URL).content.decode())
    response = record_a_waiting_involvement(
        client, region1, headers={"HX-Request": "true"}, follow=True
    )
    assert response.status_code == 200
    nav = nav_badge(response.content.decode())
    assert 'hx-swap-oob="true"' in nav
    # the write dropped the kept numbers: the badge that comes along loads them afresh
    assert f'hx-get="{reverse("worklist_badge")}"' in nav
    assert badge(client) == "2"
    # the worklist counts its sections anyway: posted in place there, the count comes along
    page = client.get(URL, headers={"HX-Request": "true"}).content.decode()
    assert badge_number(nav_badge(page)) == "2" and "hx-get" not in nav_badge(page)


def test_the_badge_is_kept_for_a_minute_and_costs_no_query_meanwhile(client, region1):
    import time_machine
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = region1.open_case(first_name="Laat", last_name="Zien")
    with time_machine.travel("2026-11-30 23:50:00+01:00", tick=False) as traveller:
        client.force_login(region1.rmc_officer)
        assert badge(client) is None
        # someone else asks the RMC to take part: the badge shows it within the minute
        involvement_request(
            actor=region1.coordinator, case_id=case.pk, organisation_id=region1.rmc.pk
        )
        with CaptureQueriesContext(connection) as seen:
            assert badge(client) is None
        assert not counted(seen.captured_queries)
        traveller.shift(59)
        assert badge(client) is None
        traveller.shift(2)
        assert badge(client) == "1"
        # the worklist page itself is always exact, and refreshes the badge
        other = region1.open_case(first_name="Nog", last_name="Een")
        involvement_request(
            actor=region1.coordinator, case_id=other.pk, organisation_id=region1.rmc.pk
        )
        assert (
            '<span class="utrecht-badge-counter">2</span></h2>' in client.get(URL).content.decode()
        )
        assert badge(client) == "2"
        # a new day counts again (check-ins fall due at midnight)
        third = region1.open_case(first_name="Der", last_name="De")
        involvement_request(
            actor=region1.coordinator, case_id=third.pk, organisation_id=region1.rmc.pk
        )
        traveller.move_to("2026-12-01 00:00:05+01:00")
        assert badge(client) == "3"


def test_the_users_own_write_shows_in_the_badge_at_once(client, region1, three_requests):

    client.force_login(region1.rmc_officer)
    assert badge(client) == "3"
    response = record_a_waiting_involvement(client, region1)
    assert response.status_code == 302, response.content.decode()[:500]
    assert badge(client) == "2"


def test_a_kept_badge_belongs_to_its_session_only(client, region1, three_requests):
    from django.test import Client

    client.force_login(region1.rmc_officer)
    assert badge(client) == "3"
    other = Client()
    other.force_login(region1.coordinator)
    assert badge(other) is None  # the coordinator has nothing to do: not the RMC's kept 3


def test_the_worklist_writes_the_session_only_when_the_badges_numbers_change(
    client, region1, three_requests
):
    """The worklist counts its sections on every view and keeps the numbers for the badge; the
    session (a row in the database) is written again only when they differ from the kept ones
    or those are older than a minute, not on every view."""
    import time_machine
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def session_writes() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get(URL).status_code == 200
        return sum(
            q["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in q["sql"]
            for q in seen.captured_queries
        )

    with time_machine.travel("2026-11-30 10:00:00+01:00", tick=False) as traveller:
        client.force_login(region1.rmc_officer)
        client.get(URL)
        assert session_writes() == 0
        traveller.shift(30)
        assert session_writes() == 0
        # a new request to take part: the numbers change, the badge is written with them
        case = region1.open_case(first_name="Vier", last_name="Meer")
        involvement_request(
            actor=region1.coordinator, case_id=case.pk, organisation_id=region1.rmc.pk
        )
        assert session_writes() == 1
        assert badge(client) == "4"
        # the same numbers after more than a minute: kept afresh, so other pages need not count
        traveller.shift(61)
        assert session_writes() == 1
        assert session_writes() == 0


# --- a section longer than its page takes its size from the kept numbers (issue #7) -----------


def heading(page: str, section: str) -> str:
    found = re.search(
        rf'id="wl-{section}">[^<]*<span class="utrecht-badge-counter">(\d+)</span>', page
    )
    assert found, f"no heading for {section}"
    return found.group(1)


def waiting_youth(page: str) -> list[str]:
    """The youth of the requests listed under "Asked to take part", in their order."""
    part = page.split('id="wl-involvements"', 1)[1].split("</section>", 1)[0]
    return re.findall(r">(Vraag\d) Meer</a>", part)


def test_a_long_section_shows_its_size_of_the_last_minute_and_its_items_as_they_are(
    client, region1, three_requests, monkeypatch
):
    """Counting a long section tests each of its items against the access rules (a work
    service's 2,600 open signals at 1,000,000 cases: 4-5 ms of each view). Within the minute the
    badge keeps its numbers, the worklist shows the same size for a section longer than its page;
    the items listed are always read now. Another device's write shows in the size within the
    minute, the user's own write at once."""
    import time_machine
    from django.test import Client

    monkeypatch.setattr(views, "LIMIT", 2)
    case = region1.open_case(first_name="Vraag3", last_name="Meer")
    involvement_request(actor=region1.coordinator, case_id=case.pk, organisation_id=region1.rmc.pk)
    other_device = Client()
    other_device.force_login(region1.rmc_officer)
    with time_machine.travel("2026-11-30 10:00:00+01:00", tick=False) as traveller:
        client.force_login(region1.rmc_officer)
        page = client.get(URL).content.decode()
        assert heading(page, "involvements") == "4"
        assert waiting_youth(page) == ["Vraag0", "Vraag1"]
        # the same officer answers the first request on another device
        assert record_a_waiting_involvement(other_device, region1).status_code == 302
        traveller.shift(30)
        page = client.get(URL).content.decode()
        assert waiting_youth(page) == ["Vraag1", "Vraag2"]  # the items as they are now
        assert heading(page, "involvements") == "4"  # the size as counted 30 s ago
        assert badge_number(nav_badge(page)) == "4"  # the same as the badge's
        # "show all" reads the whole section: exact
        everything = client.get(URL, {"sectie": "involvements"}).content.decode()
        assert heading(everything, "involvements") == "3"
        assert waiting_youth(everything) == ["Vraag1", "Vraag2", "Vraag3"]
        # a minute after counting: counted again
        traveller.shift(31)
        page = client.get(URL).content.decode()
        assert heading(page, "involvements") == "3"
        assert waiting_youth(page) == ["Vraag1", "Vraag2"]
        # the user's own write: at once
        for i in (4, 5):
            case = region1.open_case(first_name=f"Vraag{i}", last_name="Meer")
            involvement_request(
                actor=region1.coordinator, case_id=case.pk, organisation_id=region1.rmc.pk
            )
        assert heading(client.get(URL).content.decode(), "involvements") == "3"  # kept
        assert record_a_waiting_involvement(client, region1).status_code == 302
        assert heading(client.get(URL).content.decode(), "involvements") == "4"


def test_a_section_that_fits_its_page_is_always_counted_exactly(
    client, region1, three_requests, monkeypatch
):
    """A kept size is used only for a section with more items than its page shows; one that
    fits is counted by its items, and a kept size smaller than the page can hold is not used."""
    import time_machine
    from django.test import Client

    monkeypatch.setattr(views, "LIMIT", 2)
    other_device = Client()
    other_device.force_login(region1.rmc_officer)
    with time_machine.travel("2026-11-30 10:00:00+01:00", tick=False):
        client.force_login(region1.rmc_officer)
        assert heading(client.get(URL).content.decode(), "involvements") == "3"
        record_a_waiting_involvement(other_device, region1)
        record_a_waiting_involvement(other_device, region1)
        page = client.get(URL).content.decode()
        assert heading(page, "involvements") == "1"  # not the kept 3
        assert waiting_youth(page) == ["Vraag2"]
        # kept 1, then two more requests: more than the page holds, the kept 1 cannot be right
        for i in (4, 5):
            case = region1.open_case(first_name=f"Vraag{i}", last_name="Meer")
            involvement_request(
                actor=region1.coordinator, case_id=case.pk, organisation_id=region1.rmc.pk
            )
        page = client.get(URL).content.decode()
        assert heading(page, "involvements") == "3"
        assert len(waiting_youth(page)) == 2


def test_sizes_taken_from_the_kept_numbers_keep_the_time_they_were_counted_at(rf, region1):
    """When the worklist shows a kept size beside others counted now that changed, the numbers
    are kept again with the time of the oldest, so no size is shown for longer than the minute."""
    import time_machine
    from django.contrib.sessions.backends.db import SessionStore

    from routearbeid.aftercare.selectors import WorklistCounts
    from routearbeid.core.context_processors import BADGE, _badge, kept_badge

    with time_machine.travel("2026-11-30 10:00:00+01:00", tick=False) as traveller:
        request = rf.get(URL)
        request.session = SessionStore()
        request.user = region1.rmc_officer
        request.worklist_counts = WorklistCounts(40, 0, 3, 0)
        _badge(request)
        counted_at = request.session[BADGE]["at"]
        traveller.shift(30)
        later = rf.get(URL)
        later.session = request.session
        kept = kept_badge(later)
        assert kept is not None and kept[0].signals == 40 and kept[1] == counted_at
        # the signals' size taken from the kept numbers, the requests counted now (one fewer)
        later.worklist_counts = WorklistCounts(40, 0, 2, 0)
        later.worklist_counted_at = kept[1]
        _badge(later)
        assert later.session[BADGE]["counts"][2] == 2
        assert later.session[BADGE]["at"] == counted_at
        traveller.shift(31)
        assert kept_badge(later) is None  # a minute after the signals were counted
        # a kept value that is not what the worklist keeps is ignored, never an error
        later.session[BADGE] = {"on": "2026-11-30", "at": "soon", "counts": [1]}
        assert kept_badge(later) is None
