"""Issue #7: the worklist shows a first page per section with its full size and a way to see
more; the badge keeps its numbers; the raiser opens a batch with one UPDATE."""

import pytest
from django.urls import reverse

from routearbeid.aftercare import views
from routearbeid.aftercare.selectors import worklist_counts
from routearbeid.route.services import involvement_request

URL = reverse("worklist")


@pytest.fixture
def three_requests(region1):
    for i in range(3):
        case = region1.open_case(first_name=f"Vraag{i}", last_name="Meer")
        involvement_request(
            actor=region1.coordinator, case_id=case.pk, organisation_id=region1.rmc.pk
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


def test_the_badge_counts_what_the_worklist_holds(client, region1, three_requests):
    counts = worklist_counts(region1.rmc_officer)
    assert (counts.involvements, counts.total) == (3, 3)
    assert worklist_counts(region1.swv_officer).total == 0
    client.force_login(region1.rmc_officer)
    assert 'aria-label="3 ' in client.get(reverse("students:list")).content.decode()
