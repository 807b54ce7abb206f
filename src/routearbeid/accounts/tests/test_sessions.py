"""Sessions end after 30 minutes without a request; "log out everywhere" ends them all."""

import datetime as dt

import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from .helpers import PASSWORD, app_for, code, password_login, with_password


def test_the_idle_timeout_is_30_minutes_and_moves_with_every_request():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_an_idle_session_is_logged_out_after_30_minutes(client, region1):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        password_login(client, with_password(region1.coordinator))
        assert client.get("/werkvoorraad/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=30, seconds=1), tick=False):
        response = client.get("/werkvoorraad/")
        assert response.status_code == 302
        assert response["Location"].startswith("/inloggen/")


def test_an_active_session_stays_logged_in(client, region1):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        password_login(client, with_password(region1.coordinator))
    for minutes in (20, 40, 60, 80):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            assert client.get("/werkvoorraad/").status_code == 200


def test_log_out_everywhere_ends_the_sessions_on_every_device(region1):
    user = with_password(region1.coordinator)
    laptop, phone = Client(), Client()
    password_login(laptop, user)
    password_login(phone, user)
    assert laptop.get("/werkvoorraad/").status_code == 200
    assert phone.get("/werkvoorraad/").status_code == 200

    response = laptop.post("/account/overal-uitloggen/", follow=True)
    assert response.redirect_chain[-1][0] == "/inloggen/"
    assert "Je bent op al je apparaten uitgelogd." in response.content.decode()
    assert laptop.get("/werkvoorraad/").status_code == 302
    assert phone.get("/werkvoorraad/").status_code == 302
    # and logging in again works
    assert password_login(phone, user).status_code == 302
    assert phone.get("/werkvoorraad/").status_code == 200


def test_log_out_everywhere_ends_a_verified_two_step_session_too(region1, settings):
    settings.ROUTEARBEID_REQUIRE_2FA = True
    user = with_password(region1.coordinator)
    device = app_for(user)
    laptop, phone = Client(), Client()
    password_login(laptop, user)
    laptop.post("/inloggen/code/", {"code": code(device)})
    password_login(phone, user)
    phone.post("/inloggen/code/", {"code": code(device, later=1)})
    assert phone.get("/werkvoorraad/").status_code == 200
    laptop.post("/account/overal-uitloggen/")
    response = phone.get("/werkvoorraad/")
    assert response["Location"].startswith("/inloggen/?")


def test_log_out_everywhere_only_by_post_and_only_for_yourself(client, region1):
    user = with_password(region1.coordinator)
    other = with_password(region1.other_coordinator)
    other_client = Client()
    password_login(other_client, other)
    password_login(client, user)
    assert client.get("/account/overal-uitloggen/").status_code == 405
    client.post("/account/overal-uitloggen/")
    assert other_client.get("/werkvoorraad/").status_code == 200


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(region1):
    user = with_password(region1.coordinator)
    laptop, phone = Client(), Client()
    password_login(laptop, user)
    password_login(phone, user)
    new = "paars-konijn-fietst-naar-huis"
    laptop.post(
        "/account/wachtwoord/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert laptop.get("/werkvoorraad/").status_code == 200
    assert phone.get("/werkvoorraad/").status_code == 302
