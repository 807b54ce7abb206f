"""Sessions end after 30 minutes without a request; "log out everywhere" ends them all."""

import datetime as dt

import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from .helpers import PASSWORD, app_for, code, password_login, with_password


def test_the_idle_timeout_is_30_minutes_and_moves_at_most_once_a_minute():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.ROUTEARBEID_SESSION_TOUCH_SECONDS == 60


def test_a_request_within_the_minute_does_not_write_the_session(client, region1):
    """Moving the expiry is one UPDATE and a commit; a page read within the minute after the
    last one makes no write at all (issue #7)."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        password_login(client, with_password(region1.coordinator))
        client.get("/werkvoorraad/")
    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/jongeren/").status_code == 200
        assert not [q for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    expiry = Session.objects.get().expire_date
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        assert client.get("/jongeren/").status_code == 200
    moved = Session.objects.get().expire_date
    assert moved - expiry == dt.timedelta(seconds=61)


def test_an_idle_session_ends_29_to_30_minutes_after_the_last_request(client, region1):
    """A request within the minute after the last save does not move the expiry: the session
    ends 29 to 30 minutes after the last request, never later."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        password_login(client, with_password(region1.coordinator))
    with time_machine.travel(start + dt.timedelta(seconds=50), tick=False):
        assert client.get("/jongeren/").status_code == 200  # not saved
    with time_machine.travel(start + dt.timedelta(minutes=29, seconds=59), tick=False):
        assert client.get("/jongeren/").status_code == 200  # saved: expires at 59:59
    with time_machine.travel(start + dt.timedelta(minutes=59, seconds=58), tick=False):
        assert client.get("/jongeren/").status_code == 200  # saved: expires at 89:58
    with time_machine.travel(start + dt.timedelta(minutes=60, seconds=30), tick=False):
        assert client.get("/jongeren/").status_code == 200  # not saved
    # 29 minutes 29 seconds after the last request, 30 minutes after the last save
    with time_machine.travel(start + dt.timedelta(minutes=89, seconds=59), tick=False):
        assert client.get("/jongeren/").status_code == 302


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
