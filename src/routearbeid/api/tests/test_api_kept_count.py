"""Issue #7: a partner's unfiltered case list is not counted again on every page. Its size is
kept for a minute (api.kept), `next` is always right and the last page's count exact."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from routearbeid.api import kept
from routearbeid.api.models import KeptCount
from routearbeid.organisations.constants import Role
from routearbeid.organisations.models import Membership, User
from routearbeid.route.models import Involvement
from routearbeid.route.services import involvement_request

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases?pageSize=2"


def linked_cases(region1, n: int) -> list[int]:
    """`n` cases the work service is asked to take part in (its links)."""
    ids = []
    for _ in range(n):
        case = region1.open_case()
        involvement_request(
            actor=region1.coordinator, case_id=case.pk, organisation_id=region1.work_service.pk
        )
        ids.append(case.pk)
    return ids


def all_pages(client, url: str = URL) -> list[int]:
    ids: list[int] = []
    while url:
        body = client.get(url).json()
        ids += [c["id"] for c in body["results"]]
        url = body["next"]
    return ids


def counted(queries) -> bool:
    return any("COUNT(" in q["sql"] for q in queries.captured_queries)


def test_the_count_of_a_minute_ago_is_used_and_next_is_always_right(region1, api):
    with time_machine.travel("2026-11-30 10:00:00+01:00", tick=False) as traveller:
        five = linked_cases(region1, 5)
        client = api(region1.work_service_manager)
        first = client.get(URL).json()
        assert first["count"] == 5 and first["next"]
        # a sixth link, within the minute
        six = five + linked_cases(region1, 1)
        traveller.shift(30)
        with CaptureQueriesContext(connection) as queries:
            body = client.get(URL).json()
        assert body["count"] == 5  # as counted 30 s ago
        assert not counted(queries)
        assert [c["id"] for c in body["results"]] == six[:2]
        # the last page knows the count exactly, and every case is on a page once
        last = client.get(URL + "&page=3").json()
        assert (last["count"], last["next"], [c["id"] for c in last["results"]]) == (
            6,
            None,
            six[4:],
        )
        assert all_pages(client) == six
        # after the minute: counted again
        traveller.shift(31)
        assert client.get(URL).json()["count"] == 6


def test_a_kept_count_larger_than_the_list_never_leads_past_its_end(region1, api):
    """Links ended within the minute: the pages before the end may say the older, larger
    count, but the page that is the last says so (no `next`) with the exact count, and a page
    past the end is not found."""
    with time_machine.travel("2026-11-30 10:00:00+01:00", tick=False) as traveller:
        six = linked_cases(region1, 6)
        client = api(region1.work_service_manager)
        assert client.get(URL).json()["count"] == 6
        Involvement.objects.filter(case_id__in=six[4:]).delete()
        traveller.shift(10)
        assert client.get(URL).json()["count"] == 6
        second = client.get(URL + "&page=2").json()
        assert (second["count"], second["next"]) == (4, None)
        assert client.get(URL + "&page=3").status_code == 404
        assert all_pages(client) == six[:4]


def test_a_kept_count_is_one_persons_in_their_seats(region1, api):
    """Another person of the same work service, or the same person in other seats, counts for
    themself: a kept count is never shown to anyone else."""
    with time_machine.travel("2026-11-30 10:00:00+01:00", tick=False) as traveller:
        linked_cases(region1, 3)
        client = api(region1.work_service_manager)
        assert client.get(URL).json()["count"] == 3
        linked_cases(region1, 1)
        traveller.shift(5)
        assert client.get(URL).json()["count"] == 3
        colleague = User.objects.create_user(username="collega", password="x" * 16)
        Membership.objects.create(
            user=colleague, organisation=region1.work_service, role=Role.WORK_SERVICE_MANAGER
        )
        assert api(colleague).get(URL).json()["count"] == 4
        # a new seat is a new key: the RMC's seat sees other cases, counted anew
        Membership.objects.create(
            user=region1.work_service_manager, organisation=region1.rmc, role=Role.RMC_OFFICER
        )
        assert client.get(URL).json()["count"] == 4


def test_a_new_day_counts_again_and_the_daily_run_deletes_earlier_days(region1, api):
    with time_machine.travel("2026-11-30 23:59:30+01:00", tick=False) as traveller:
        linked_cases(region1, 3)
        client = api(region1.work_service_manager)
        assert client.get(URL).json()["count"] == 3
        linked_cases(region1, 1)
        traveller.shift(40)  # 00:00:10 the next day, within the minute
        assert client.get(URL).json()["count"] == 4
        assert KeptCount.objects.count() == 1
        KeptCount.objects.create(
            key="earlier", value=1, counted_at=dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC)
        )
        from routearbeid.api.tasks import kept_counts_expire

        assert kept_counts_expire() == {"deleted": 1}
        assert list(KeptCount.objects.values_list("value", flat=True)) == [4]


def test_kept_count_counts_again_below_what_was_read():
    """A kept count smaller than the ids just read cannot be right: counted again."""
    calls = []

    def count():
        calls.append(1)
        return 7 + len(calls)

    assert kept.kept_count(("t", 1), count) == 8
    assert kept.kept_count(("t", 1), count) == 8 and len(calls) == 1
    assert kept.kept_count(("t", 1), count, at_least=9) == 9 and len(calls) == 2
    # never less than what was read, even when counting raced with a change
    assert kept.kept_count(("t", 2), lambda: 3, at_least=5) == 5
