"""Two-step login with an authenticator app (django-otp): enrolment, codes, recovery codes, and
every page closed until the second step is done."""

import re
from base64 import b32encode

import pytest
import time_machine
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from routearbeid.accounts import services

from .helpers import app_for, code, password_login, with_password


@pytest.fixture
def required(settings):
    settings.ROUTEARBEID_REQUIRE_2FA = True


@pytest.fixture
def user(region1):
    return with_password(region1.coordinator)


def _secret(page: str) -> str:
    return re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")


def test_without_a_device_the_password_step_leads_to_enrolment(client, user, required):
    response = password_login(client, user)
    assert response.status_code == 302
    assert response["Location"].startswith("/inloggen/code/")
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith("/inloggen/app-instellen/")


def test_enrolment_shows_a_qr_code_without_inline_styles_and_the_secret(client, user, required):
    password_login(client, user)
    response = client.get("/inloggen/app-instellen/")
    page = response.content.decode()
    assert response.status_code == 200
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg
    assert "QR-code om te scannen" in svg
    assert "style=" not in svg  # the CSP forbids inline styles
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert _secret(page) == b32encode(device.bin_key).decode()
    # the same device on a reload, until it is confirmed
    client.get("/inloggen/app-instellen/")
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_enrolment_with_the_first_code_shows_ten_recovery_codes_once(client, user, required):
    password_login(client, user)
    page = client.get("/inloggen/app-instellen/?next=/jongeren/").content.decode()
    device = TOTPDevice.objects.get(user=user)
    response = client.post("/inloggen/app-instellen/", {"code": code(device), "next": "/jongeren/"})
    assert response.status_code == 302
    assert response["Location"].startswith("/inloggen/herstelcodes/")
    device.refresh_from_db()
    assert device.confirmed
    page = client.get(response["Location"]).content.decode()
    shown = re.findall(r'<code class="utrecht-code">([a-z2-7]+)</code>', page)
    assert len(shown) == 10
    assert set(shown) == set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    )
    assert 'href="/jongeren/"' in page
    # shown once: a reload no longer has them
    again = client.get("/inloggen/herstelcodes/").content.decode()
    assert not set(shown) & set(re.findall(r"[a-z2-7]{8}", again))
    assert client.get("/jongeren/").status_code == 200


def test_a_wrong_first_code_keeps_the_device_unconfirmed(client, user, required):
    password_login(client, user)
    client.get("/inloggen/app-instellen/")
    response = client.post("/inloggen/app-instellen/", {"code": "000000"})
    assert response.status_code == 200
    assert "Deze code klopt niet" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert client.get("/werkvoorraad/").status_code == 302


def test_with_a_device_a_code_from_the_app_completes_the_login(client, user, required):
    device = app_for(user)
    response = password_login(client, user)
    assert response["Location"] == "/inloggen/code/?next=%2Fwerkvoorraad%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Vul je code in" in page
    response = client.post("/inloggen/code/", {"code": code(device), "next": "/werkvoorraad/"})
    assert response.status_code == 302
    assert response["Location"] == "/werkvoorraad/"
    assert client.get("/werkvoorraad/").status_code == 200


def test_a_wrong_code_is_refused_with_a_dutch_message(client, user, required):
    app_for(user)
    password_login(client, user)
    response = client.post("/inloggen/code/", {"code": "123456"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Deze code klopt niet" in page
    assert 'aria-invalid="true"' in page
    assert client.get("/werkvoorraad/").status_code == 302


def test_wrong_codes_in_a_row_are_throttled(client, user, required):
    device = app_for(user)
    password_login(client, user)
    with time_machine.travel(timezone.now(), tick=False):
        client.post("/inloggen/code/", {"code": "123456"})
        # the next try within a second is refused even with the right code
        response = client.post("/inloggen/code/", {"code": code(device)})
        assert "Te veel verkeerde codes" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_a_used_code_cannot_be_used_again(client, user, required):
    device = app_for(user)
    now = code(device)
    password_login(client, user)
    client.post("/inloggen/code/", {"code": now})
    other = type(client)()
    password_login(other, user)
    response = other.post("/inloggen/code/", {"code": now})
    assert "Deze code klopt niet" in response.content.decode()


def test_a_recovery_code_works_once(client, user, required):
    app_for(user)
    codes = services.recovery_codes_regenerate(actor=user)
    password_login(client, user)
    response = client.post("/inloggen/code/", {"code": codes[0].upper()}, follow=True)
    assert response.redirect_chain[-1][0] == "/werkvoorraad/"
    assert "er zijn er nog 9 over" in response.content.decode()
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    other = type(client)()
    password_login(other, user)
    response = other.post("/inloggen/code/", {"code": codes[0]})
    assert "Deze code klopt niet" in response.content.decode()
    assert other.get("/werkvoorraad/").status_code == 302


@pytest.mark.parametrize(
    "path", ["/", "/werkvoorraad/", "/jongeren/", "/account/", "/beheer/", "/uitstroomtafels/"]
)
def test_every_page_waits_for_the_second_step(client, user, required, path):
    app_for(user)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    password_login(client, user)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/inloggen/code/?next=")


@pytest.mark.parametrize(
    ("path", "status"),
    [("/health/", 200), ("/toegankelijkheid/", 200), ("/inloggen/code/", 200)],
)
def test_the_open_pages_stay_open_during_the_second_step(client, user, required, path, status):
    app_for(user)
    password_login(client, user)
    assert client.get(path).status_code == status
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    assert client.post("/uitloggen/").status_code == 302
    assert client.get("/inloggen/code/").status_code == 302  # logged out: back to the login


def test_the_second_step_is_required_also_for_force_login_sessions(client, user, required):
    """The middleware checks verification itself, not only a flag set by the login page."""
    client.force_login(user)
    response = client.get("/werkvoorraad/")
    assert response["Location"].startswith("/inloggen/code/")


def test_someone_with_only_the_password_cannot_replace_the_app(client, user, required):
    app_for(user)
    password_login(client, user)
    response = client.get("/inloggen/app-instellen/")
    assert response.status_code == 302
    assert response["Location"].startswith("/inloggen/code/")
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()
    response = client.post("/inloggen/app-instellen/", {"code": "123456"})
    assert response["Location"].startswith("/inloggen/code/")


def test_set_up_again_replaces_the_app_and_the_recovery_codes(client, user, required):
    old = app_for(user)
    old_codes = services.recovery_codes_regenerate(actor=user)
    password_login(client, user)
    client.post("/inloggen/code/", {"code": code(old)})
    page = client.get("/inloggen/app-instellen/?next=/account/").content.decode()
    assert "werken de oude app en je oude herstelcodes niet meer" in page
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/inloggen/app-instellen/", {"code": code(new), "next": "/account/"})
    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=user)) == [new]
    assert not StaticToken.objects.filter(token__in=old_codes).exists()
    assert client.get("/account/").status_code == 200


def test_new_recovery_codes_replace_the_old_ones(client, user, required):
    device = app_for(user)
    old_codes = services.recovery_codes_regenerate(actor=user)
    password_login(client, user)
    client.post("/inloggen/code/", {"code": code(device)})
    response = client.post("/account/herstelcodes/")
    assert response["Location"].startswith("/inloggen/herstelcodes/")
    page = client.get(response["Location"]).content.decode()
    new_codes = re.findall(r'<code class="utrecht-code">([a-z2-7]+)</code>', page)
    assert len(new_codes) == 10
    assert StaticDevice.objects.filter(user=user).count() == 1
    assert not StaticToken.objects.filter(token__in=old_codes).exists()


def test_new_recovery_codes_need_a_verified_login(client, user):
    app_for(user)
    client.force_login(user)  # 2FA not required here, and this session gave no code
    assert client.post("/account/herstelcodes/").status_code == 404
    assert client.get("/account/herstelcodes/").status_code == 405


def test_when_not_required_a_user_who_set_up_an_app_still_gives_a_code(client, user):
    """The `make run` demo (REQUIRE_2FA off): someone who set up an app is still asked for it."""
    device = app_for(user)
    response = password_login(client, user)
    assert response["Location"].startswith("/inloggen/code/")
    assert client.get("/werkvoorraad/").status_code == 302
    client.post("/inloggen/code/", {"code": code(device)})
    assert client.get("/werkvoorraad/").status_code == 200


def test_when_not_required_the_password_is_enough_without_an_app(client, user):
    response = password_login(client, user)
    assert response["Location"] == "/werkvoorraad/"
    assert client.get("/werkvoorraad/").status_code == 200


def test_the_admin_sends_its_login_to_ours(client, region1, required):
    admin = with_password(region1.admin)
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    response = client.get("/beheer/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == "/inloggen/?next=/beheer/"
    device = app_for(admin)
    password_login(client, admin)
    assert client.get("/beheer/")["Location"].startswith("/inloggen/code/")
    client.post("/inloggen/code/", {"code": code(device)})
    assert client.get("/beheer/").status_code == 200


def test_the_admin_login_is_not_found_for_logged_in_staff_without_admin_rights(client, user):
    client.force_login(user)
    assert client.get("/beheer/login/?next=/beheer/").status_code == 404


def test_the_verify_step_keeps_next_only_on_this_site(client, user, required):
    device = app_for(user)
    password_login(client, user)
    response = client.post(
        "/inloggen/code/", {"code": code(device), "next": "https://elders.example/"}
    )
    assert response["Location"] == "/werkvoorraad/"


def test_an_administrator_can_remove_an_app_but_not_read_its_secret(client, user, region1):
    device = app_for(user)
    admin = region1.admin
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(admin)
    page = client.get(f"/beheer/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in page
    assert b32encode(device.bin_key).decode() not in page
    response = client.post(f"/beheer/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()


def test_the_enrolment_page_has_no_menu_while_the_second_step_is_pending(client, user, required):
    password_login(client, user)
    page = client.get("/inloggen/app-instellen/").content.decode()
    assert 'href="/werkvoorraad/"' not in page
    assert 'action="/uitloggen/"' in page
