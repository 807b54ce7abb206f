"""The login page, the home page and the health check."""

import pytest
from django.urls import reverse


def test_home_requires_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_dutch_by_default(client, db):
    response = client.get("/inloggen/")
    assert response.status_code == 200
    assert 'lang="nl"' in response.content.decode()


def test_login_and_home_says_who_and_in_which_role(client, region1):
    region1.coordinator.set_password("geheim-wachtwoord")
    region1.coordinator.save()
    response = client.post(
        "/inloggen/",
        {"username": region1.coordinator.username, "password": "geheim-wachtwoord"},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("worklist")
    page = client.get("/").content.decode()
    assert region1.school.name in page


def test_wrong_password_shows_message_and_stays_logged_out(client, region1):
    response = client.post(
        "/inloggen/", {"username": region1.coordinator.username, "password": "fout"}
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert client.get("/").status_code == 302


def test_health_checks_the_database(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/", "/inloggen/"])
def test_logout_ends_the_session(client, region1, path):
    client.force_login(region1.coordinator)
    assert client.get("/").status_code == 200
    client.post("/uitloggen/")
    assert client.get("/").status_code == 302
