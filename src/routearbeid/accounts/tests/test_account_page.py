"""The account page: who you are, your roles, two-step login, password, log out everywhere."""

import pytest

from routearbeid.accounts import services

from .helpers import app_for, code, password_login, with_password


def test_the_account_page_needs_a_login(client, db):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"] == "/inloggen/?next=/account/"


def test_the_account_page_shows_name_organisation_and_role(client, region1):
    client.force_login(region1.coordinator)
    page = client.get("/account/").content.decode()
    assert region1.coordinator.get_full_name() in page
    assert region1.school.name in page
    assert "Mijn account" in page
    assert "Overal uitloggen" in page
    assert 'href="/account/wachtwoord/"' in page
    # only your own organisations
    assert region1.other_school.name not in page


def test_the_navigation_links_to_the_account_page(client, region1):
    client.force_login(region1.coordinator)
    page = client.get("/werkvoorraad/").content.decode()
    assert 'href="/account/"' in page
    assert 'href="/account/" aria-current="page"' in client.get("/account/").content.decode()


def test_without_an_app_the_page_offers_to_set_one_up(client, region1):
    client.force_login(region1.coordinator)
    page = client.get("/account/").content.decode()
    assert "Uit: deze demo vraagt er niet om." in page
    assert 'href="/inloggen/app-instellen/?next=/account/"' in page
    assert "Nieuwe herstelcodes maken" not in page


@pytest.mark.parametrize("required", [True, False])
def test_with_an_app_the_page_shows_it_is_on_and_the_codes_left(
    client, region1, settings, required
):
    settings.ROUTEARBEID_REQUIRE_2FA = required
    user = with_password(region1.coordinator)
    device = app_for(user)
    services.recovery_codes_regenerate(actor=user)
    password_login(client, user)
    client.post("/inloggen/code/", {"code": code(device)})
    page = client.get("/account/").content.decode()
    assert "Aan: je logt in met je wachtwoord en een code uit je authenticator-app." in page
    assert "Je hebt nog 10 ongebruikte herstelcodes." in page
    assert "Opnieuw instellen (nieuwe telefoon of app)" in page
    assert "Nieuwe herstelcodes maken" in page


def test_the_account_page_reads_a_fixed_number_of_queries(
    client, region1, django_assert_max_num_queries
):
    client.force_login(region1.coordinator)
    with django_assert_max_num_queries(12):
        assert client.get("/account/").status_code == 200
