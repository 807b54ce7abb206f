"""Error pages speak Dutch and keep the app's layout: a youth's address mistyped, a page the role
may not open, an expired form, a server error. Before, Django's bare English pages showed."""

import pytest
from django.test import Client, RequestFactory

from routearbeid.api.problems import server_error

pytestmark = pytest.mark.django_db


def test_a_page_that_does_not_exist_is_a_dutch_page_with_the_navigation(client, region1):
    client.force_login(region1.coordinator)
    for address in ("/jongeren/abc/", "/jongeren/999999/", "/bestaat-niet/"):
        response = client.get(address)
        assert response.status_code == 404
        page = response.content.decode()
        assert '<html lang="nl"' in page
        assert "<title>Pagina niet gevonden – Route Arbeid</title>" in page
        assert "Deze pagina bestaat niet, of je mag haar niet zien." in page
        assert 'id="ra-worklist-badge"' in page  # the navigation: the way back
        assert "Not Found" not in page


def test_anonymous_gets_the_same_page_without_navigation(client):
    page = client.get("/bestaat-niet/").content.decode()
    assert "Pagina niet gevonden" in page and 'id="ra-worklist-badge"' not in page


def test_the_api_still_answers_problem_json(client, region1):
    response = client.get("/api/v1/bestaat-niet")
    assert response.status_code in (401, 404)
    assert response["Content-Type"].startswith("application/problem+json")


def test_a_page_the_role_may_not_open_says_so_in_dutch(client, region1):
    from routearbeid.organisations.models import User

    user = User.objects.create_user(username="staf", password="x" * 16, is_staff=True)
    client.force_login(user)
    response = client.get("/beheer/organisations/user/add/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "<title>Geen toegang – Route Arbeid</title>" in page
    assert "Forbidden" not in page


def test_an_expired_form_says_nothing_was_saved(region1):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/inloggen/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Het formulier is verlopen" in page
    assert "Er is niets opgeslagen." in page
    assert "CSRF" not in page


def test_a_server_error_is_a_dutch_page_that_needs_nothing_of_the_request():
    """In the language the request was in (the locale middleware has set it by then)."""
    from django.utils import translation

    request = RequestFactory().get("/jongeren/")
    with translation.override("nl"):
        response = server_error(request)
    assert response.status_code == 500
    page = response.content.decode()
    assert '<html lang="nl"' in page
    assert "Er ging bij ons iets mis. De fout is vastgelegd." in page
    assert "Server Error" not in page


@pytest.mark.parametrize(
    "who",
    [
        "coordinator",
        "mentor",
        "work_service_manager",
        "rmc_officer",
        "leerplicht_officer",
        "swv_officer",
        "route_coordinator",
        "admin",
        "privacy_officer",
    ],
)
def test_every_link_of_the_home_page_the_navigation_and_the_worklist_opens(client, region1, who):
    """A functional administrator or a privacy officer was offered "Youth and their route" and
    "Outflow meetings" on the home page and "Go to the youth" on an empty worklist: pages they
    may not open (404). Each role is offered only what it can open."""
    import re

    client.force_login(getattr(region1, who))
    for page in ("/", "/werkvoorraad/"):
        html = client.get(page).content.decode()
        main = html.split('id="main"', 1)[1].split("<footer", 1)[0]
        nav = html.split('aria-label="Hoofdmenu"', 1)[1].split("</nav>", 1)[0]
        for link in set(re.findall(r'href="(/[^"#?]*)"', main + nav)):
            if link.startswith(("/static/", "/beheer/")):
                continue
            assert client.get(link).status_code == 200, f"{who}: {link} on {page}"
