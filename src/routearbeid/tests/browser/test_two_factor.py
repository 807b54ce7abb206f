"""Two-step login in the browser: a staff member logs in, sets up an authenticator app from the
key on the page, sees the recovery codes once and reaches the worklist."""

from __future__ import annotations

import shutil
from base64 import b32decode

import pytest
from django_otp.oath import totp

from .conftest import ROOT

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_member_sets_up_the_app_and_reaches_the_worklist(visit, region1, settings):
    settings.ROUTEARBEID_REQUIRE_2FA = True
    user = region1.coordinator
    user.set_password("demo")
    user.save()

    visitor = visit().login(user.username)  # axe runs on the page it lands on: the enrolment
    page = visitor.page
    assert page.get_by_role("heading", name="Inloggen in twee stappen instellen").is_visible()
    assert page.get_by_role(
        "img", name="QR-code om te scannen met je authenticator-app"
    ).is_visible()
    # no menu until the second step is done
    assert page.get_by_role("navigation", name="Hoofdmenu").count() == 0
    shot = visitor.screenshot("two-factor-enrolment")
    shutil.copy(shot, ROOT / "docs" / "screenshots" / "two-factor-enrolment.png")

    # the person types the key into their app; the app shows the code
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code", exact=True).fill(f"{totp(b32decode(secret)):06d}")
    page.get_by_role("button", name="Bevestigen").click()
    page.wait_for_load_state()
    visitor.axe()
    assert page.get_by_role("heading", name="Je herstelcodes").is_visible()
    assert page.get_by_role("list", name="Herstelcodes").get_by_role("listitem").count() == 10

    page.get_by_role("link", name="Ik heb ze bewaard, verder").click()
    page.wait_for_load_state()
    visitor.axe()
    assert page.get_by_role("heading", name="Werkvoorraad").is_visible()
    assert page.get_by_role("link", name="Mijn account").is_visible()
