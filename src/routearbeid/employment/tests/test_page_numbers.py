"""?page= on the employer list (/werkgevers/): 0, a negative number or text give the first page,
a number past the end the last page (core.paging)."""

import pytest
from django.urls import reverse

from routearbeid.employment import views
from routearbeid.employment.models import Employer

URL = reverse("employment:list")


@pytest.mark.parametrize(
    ("raw", "number"),
    [("-1", 1), ("0", 1), ("abc", 1), ("2", 2), ("3", 3), ("99999", 3), ("9" * 5000, 3)],
)
def test_the_employer_list_gives_the_first_page_for_nonsense_and_the_last_past_the_end(
    client, region1, monkeypatch, raw, number
):
    for n in range(7):
        Employer.objects.create(name=f"Bedrijf {n}", kvk_number=f"{30000000 + n}")
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    client.force_login(region1.coordinator)
    response = client.get(URL, {"page": raw})
    assert response.status_code == 200
    page = response.context["page"]
    assert page.number == number
    expected = {1: ["Bedrijf 0", "Bedrijf 1", "Bedrijf 2"], 2: None, 3: ["Bedrijf 6"]}[number]
    if expected:
        assert [e.name for e in page.object_list] == expected
