"""?page= on the youth list (/jongeren/): 0, a negative number or text give the first page, a
number past the end the last page, on each of the list's three ways of reading a page (core.paging)."""

import pytest
from django.urls import reverse

from routearbeid.core import sqlcache
from routearbeid.students import views

URL = reverse("students:list")
FIRST = ["-1", "0", "-99999", "abc", ""]
LAST = ["3", "4", "99999", "9" * 5000]


@pytest.fixture
def seven(region1, monkeypatch):
    """Seven youth of school A, three to a page: pages of 3, 3 and 1."""
    for letter in "ABCDEFG":
        region1.student(first_name="Pagina", last_name=f"Bladzijde {letter}")
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    sqlcache.clear()


def shown(client, params) -> tuple[int, list[str]]:
    response = client.get(URL, params)
    assert response.status_code == 200
    page = response.context["page"]
    return page.number, [s.last_name for s in page.object_list]


@pytest.mark.parametrize(
    "way",
    [
        "count_and_page",  # the usual way: Paginator over the rows
        "name_index_walk",  # many youth in name order: the page's ids read along the name index
        "name_search",  # a name search: the ids of all matches, then the page's rows
    ],
)
def test_the_youth_list_gives_the_first_page_for_nonsense_and_the_last_past_the_end(
    client, region1, seven, monkeypatch, way
):
    params = {"q": "bladzijde"} if way == "name_search" else {}
    if way == "name_index_walk":
        monkeypatch.setattr(views, "WALK_FROM", 1)
    client.force_login(region1.coordinator)
    first = shown(client, params)
    assert first == (1, ["Bladzijde A", "Bladzijde B", "Bladzijde C"])
    last = (3, ["Bladzijde G"])
    for raw in FIRST:
        assert shown(client, {**params, "page": raw}) == first, raw
    for raw in LAST:
        assert shown(client, {**params, "page": raw}) == last, raw[:10]
    assert shown(client, {**params, "page": "2"})[0] == 2
