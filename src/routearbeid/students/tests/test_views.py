"""The youth list (/jongeren/): only what the user may see, filters, and a constant number of queries."""

import pytest
from django.urls import reverse

from routearbeid.route.constants import Stage

URL = reverse("students:list")


def names(response) -> str:
    return response.content.decode()


def test_school_sees_own_students_and_not_another_schools(client, region1):
    own = region1.student(first_name="Amina", last_name="Eigen")
    other = region1.student(first_name="Bilal", last_name="Ander", school=region1.other_school)
    client.force_login(region1.coordinator)
    page = names(client.get(URL))
    assert "Eigen, Amina" in page
    assert "Ander, Bilal" not in page
    assert other.pk and own.pk


def test_partner_sees_only_students_whose_case_it_takes_part_in(client, region1):
    asked = region1.open_case(first_name="Chaya", last_name="Gevraagd")
    region1.involve(asked)
    region1.open_case(first_name="Dawit", last_name="Niet")
    client.force_login(region1.rmc_officer)
    page = names(client.get(URL))
    assert "Gevraagd, Chaya" in page
    assert "Niet, Dawit" not in page


def test_functional_admin_sees_no_youth(client, region1):
    region1.open_case(first_name="Esra", last_name="Verborgen")
    client.force_login(region1.admin)
    page = names(client.get(URL))
    assert "Verborgen" not in page


def test_search_and_filters(client, region1):
    young = region1.open_case(age=16, first_name="Farah", last_name="Jong")
    region1.open_case(age=20, first_name="Goran", last_name="Ouder")
    client.force_login(region1.coordinator)
    assert "Jong, Farah" in names(client.get(URL, {"q": "far"}))
    assert "Ouder, Goran" not in names(client.get(URL, {"q": "far"}))
    under = names(client.get(URL, {"age": "under18"}))
    assert "Jong, Farah" in under and "Ouder, Goran" not in under
    stage = names(client.get(URL, {"stage": Stage.CONSULTATION}))
    assert "Jong, Farah" in stage
    assert "Jong, Farah" not in names(client.get(URL, {"stage": Stage.AFTERCARE}))
    assert young.pk


def test_the_search_says_how_it_matches(client, region1):
    """One or two letters match the start of a name (students.selectors.name_contains): the
    field says so, and is described by it for screen readers."""
    region1.open_case(first_name="Farah", last_name="Jong")
    client.force_login(region1.coordinator)
    page = client.get(URL).content.decode()
    assert 'aria-describedby="f-q-help"' in page
    assert 'id="f-q-help">Deel van een naam; één of twee letters: het begin van een naam' in page
    assert "Jong, Farah" in names(client.get(URL, {"q": "ara"}))  # anywhere
    assert "Jong, Farah" not in names(client.get(URL, {"q": "ra"}))  # not at a start
    assert "Jong, Farah" in names(client.get(URL, {"q": "fa"}))
    assert "Jong, Farah" in names(client.get(URL, {"q": "jo"}))


def test_empty_state_says_what_to_do(client, region1):
    client.force_login(region1.coordinator)
    page = names(client.get(URL, {"q": "zzz-niemand"}))
    assert "Filters wissen" in page


@pytest.mark.parametrize(
    "bad", [{"page": "x"}, {"page": "999"}, {"school": "abc"}, {"sort": "drop table"}, {"age": "?"}]
)
def test_bad_parameters_never_break_the_page(client, region1, bad):
    client.force_login(region1.coordinator)
    assert client.get(URL, bad).status_code == 200


def _make_students(region1, n):
    for i in range(n):
        case = region1.open_case(first_name=f"Naam{i}", last_name=f"Achter{i}")
        region1.involve(case)


@pytest.mark.parametrize("rows", [1, 50])
def test_list_query_count_does_not_grow_with_rows(client, region1, django_assert_num_queries, rows):
    """Conventions §5: the same number of queries with 1 and with 50 rows (page size 25)."""
    _make_students(region1, rows)
    client.force_login(region1.coordinator)
    client.get(URL)  # warm up session and caches
    with django_assert_num_queries(QUERIES):
        response = client.get(URL)
    assert response.status_code == 200


# session, user, memberships, count, rows, signals, log, schools, mentors, and the session's save
# in a savepoint (3); the worklist badge is kept in the session since the first request
QUERIES = 9  # 3 fewer since the session is saved at most once a minute


def test_the_mentor_filter_offers_each_mentor_of_my_schools_youth_once(client, region1):
    """The mentor options: whoever mentors a youth of my school, once however many youth they
    mentor, in name order; never a mentor of another school's youth."""
    import re

    from routearbeid.organisations.constants import Role
    from routearbeid.tests.people import make_user

    second = make_user("tweede-mentor", region1.school, Role.MENTOR)
    other = make_user("andere-mentor", region1.other_school, Role.MENTOR)
    for user, name in ((region1.mentor, "Mulder"), (second, "Aalders"), (other, "Bos")):
        user.last_name = name
        user.save()
    for mentor in (region1.mentor, region1.mentor, second):
        region1.student(mentor=mentor)
    region1.student(school=region1.other_school, mentor=other)
    client.force_login(region1.coordinator)
    page = client.get(URL).content.decode()
    select = re.search(r'<select[^>]*id="f-mentor".*?</select>', page, flags=re.S).group(0)
    offered = re.findall(r'<option value="(\d+)"', select)
    assert offered == [str(second.pk), str(region1.mentor.pk)]
