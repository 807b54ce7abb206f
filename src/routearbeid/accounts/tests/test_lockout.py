"""Lockout after repeated failed logins (django-axes): per account and per address, 5 failures,
15 minutes, reset on success, with one message that does not tell whether a user name exists."""

import datetime as dt

import time_machine
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.utils import timezone

from routearbeid.accounts.ip import client_ip
from routearbeid.config.settings import base

from .helpers import password_login, with_password

LOCKED = (
    "Te veel mislukte pogingen. Probeer het over 15 minuten opnieuw of vraag je beheerder om hulp."
)
WRONG = "Gebruikersnaam en wachtwoord horen niet bij elkaar. Probeer het opnieuw."


def _fail(client, username: str, ip: str = "10.0.0.1"):
    return client.post("/inloggen/", {"username": username, "password": "fout"}, REMOTE_ADDR=ip)


def test_the_lockout_settings():
    assert base.AXES_FAILURE_LIMIT == 5
    assert dt.timedelta(minutes=15) == base.AXES_COOLOFF_TIME
    assert base.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert base.AXES_RESET_ON_SUCCESS is True
    assert base.AUTHENTICATION_BACKENDS[0].startswith("axes.backends.")


def test_five_failures_for_one_account_lock_it_from_any_address(client, region1):
    user = with_password(region1.coordinator)
    for attempt in range(4):
        response = _fail(client, user.username, ip=f"10.0.0.{attempt}")
        assert response.status_code == 200
        assert WRONG in response.content.decode()
    response = _fail(client, user.username, ip="10.0.0.9")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    # now even the right password from yet another address is refused
    response = password_login(client, user, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert client.get("/werkvoorraad/").status_code == 302


def test_five_failures_from_one_address_lock_that_address_for_every_account(client, region1):
    for n in range(5):
        response = _fail(client, f"iemand-{n}", ip="10.0.0.7")
    assert response.status_code == 429
    user = with_password(region1.coordinator)
    assert password_login(client, user, REMOTE_ADDR="10.0.0.7").status_code == 429
    # the same account from another address still works
    assert password_login(client, user, REMOTE_ADDR="10.0.0.8").status_code == 302


def test_the_lockout_page_is_ours_and_in_dutch(client, region1):
    for _ in range(5):
        response = _fail(client, region1.coordinator.username)
    page = response.content.decode()
    assert response.status_code == 429
    assert '<html lang="nl"' in page
    assert 'role="alert"' in page
    assert 'name="username"' in page  # our login page, not axes' plain text


def test_the_messages_do_not_tell_whether_a_user_name_exists(client, region1):
    existing, unknown = region1.coordinator.username, "bestaat-niet"
    first = [_fail(client, existing, ip="10.1.0.1"), _fail(client, unknown, ip="10.2.0.1")]
    assert first[0].status_code == first[1].status_code == 200
    assert _alert(first[0]) == _alert(first[1])
    for _ in range(4):
        locked_existing = _fail(client, existing, ip="10.1.0.1")
        locked_unknown = _fail(client, unknown, ip="10.2.0.1")
    assert locked_existing.status_code == locked_unknown.status_code == 429
    assert _alert(locked_existing) == _alert(locked_unknown)
    assert LOCKED in _alert(locked_unknown)


def _alert(response) -> str:
    page = response.content.decode()
    start = page.index('role="alert"')
    return page[start : page.index("</div>", start)]


def test_after_the_cool_off_of_15_minutes_the_account_can_log_in_again(client, region1):
    user = with_password(region1.coordinator)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            _fail(client, user.username)
        assert password_login(client, user, REMOTE_ADDR="10.0.0.1").status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        assert password_login(client, user, REMOTE_ADDR="10.0.0.1").status_code == 429
    # a failure during the lockout started the 15 minutes again (at minute 14)
    with time_machine.travel(start + dt.timedelta(minutes=29, seconds=1), tick=False):
        response = password_login(client, user, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 302
        assert response["Location"] == "/werkvoorraad/"


def test_a_successful_login_resets_the_count(client, region1):
    user = with_password(region1.coordinator)
    for _ in range(4):
        _fail(client, user.username)
    assert password_login(client, user, REMOTE_ADDR="10.0.0.1").status_code == 302
    assert not AccessAttempt.objects.filter(username=user.username).exists()
    client.post("/uitloggen/")
    for _ in range(4):
        assert _fail(client, user.username).status_code == 200


def test_the_address_is_remote_addr_unless_proxies_are_trusted(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    settings.ROUTEARBEID_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.ROUTEARBEID_TRUSTED_PROXY_COUNT = 1
    # what our proxy appended, not what the client put in front of it
    assert client_ip(request) == "203.0.113.9"
    settings.ROUTEARBEID_TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.2"


def test_axes_counts_by_our_address_function(client, region1, settings):
    """Behind one proxy, failures from one client count for that client, not for the proxy."""
    settings.ROUTEARBEID_TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        client.post(
            "/inloggen/",
            {"username": f"iemand-{n}", "password": "fout"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    assert AccessAttempt.objects.filter(ip_address="203.0.113.9").count() == 5
    user = with_password(region1.coordinator)
    other_client = password_login(
        client, user, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.4"
    )
    assert other_client.status_code == 302
