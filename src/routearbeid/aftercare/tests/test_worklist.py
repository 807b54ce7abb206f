"""The worklist (/werkvoorraad/): what needs my action, only mine, with a constant number of queries."""

import pytest
from django.urls import reverse

from routearbeid.route.services import involvement_request

URL = reverse("worklist")


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


QUERIES = 14
