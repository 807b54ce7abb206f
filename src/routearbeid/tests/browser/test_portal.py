"""The youth's own report page in Chromium on a phone-sized screen: every language renders with
the right `lang` and direction and passes axe-core (WCAG 2.1 AA); a report in Dutch reaches the
school (R-NZ-4). Screenshots of Dutch and Arabic go to docs/screenshots/."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from routearbeid.aftercare.models import SelfReport, Signal
from routearbeid.portal import services as portal_services

from .conftest import ROOT

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = (375, 667)
TOKEN = "browser-test-jongere"
DOCS = ROOT / "docs" / "screenshots"


@pytest.fixture
def youth(region1):
    cache.clear()
    case = region1.ready_for_outflow()
    region1.outflow(case)
    portal_services.portal_link_renew(actor=region1.coordinator, case_id=case.pk, token=TOKEN)
    yield case
    cache.clear()


@pytest.mark.parametrize(
    ("locale", "lang", "direction", "heading"),
    [
        ("nl-NL", "nl", "ltr", "Vertel het je school"),
        ("en-GB", "en", "ltr", "Tell your school"),
        ("ar", "ar", "rtl", "أخبر مدرستك"),
        ("uk-UA", "uk", "ltr", "Повідом школу"),
        ("ti-ER", "ti", "ltr", "ንቤት ትምህርትኻ ሓብር"),
        ("tr-TR", "tr", "ltr", "Okuluna haber ver"),
        ("fa-AF", "fa-af", "rtl", "به مکتب تان خبر بدهید"),
    ],
)
def test_the_report_page_in_every_language_on_a_phone(
    visit, youth, locale, lang, direction, heading
):
    visitor = visit(viewport=PHONE, locale=locale)
    visitor.go(f"/melden/{TOKEN}/")  # runs axe: WCAG 2.1 A/AA, and no CSP violation
    page = visitor.page
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.evaluate("document.documentElement.dir") == direction
    assert page.get_by_role("heading", name=heading).is_visible()
    # mobile first: nothing wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    if lang in ("nl", "ar"):
        DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS / f"portal-{lang}-phone.png"), full_page=True)


def test_the_language_picker_switches_and_keeps_the_token(visit, youth):
    visitor = visit(viewport=PHONE, locale="nl-NL")
    visitor.go(f"/melden/{TOKEN}/")
    visitor.page.get_by_role("link", name="العربية").click()
    visitor.page.wait_for_load_state()
    assert visitor.page.evaluate("document.documentElement.dir") == "rtl"
    assert f"/melden/{TOKEN}/" in visitor.page.url
    visitor.axe()


def test_R_NZ_4_a_report_in_dutch_through_the_browser_reaches_the_school(visit, youth, region1):
    visitor = visit(viewport=PHONE, locale="nl-NL")
    visitor.go(f"/melden/{TOKEN}/")
    page = visitor.page
    # first a wrong phone number: a message, nothing stored
    page.get_by_label("Ik ben mijn werk kwijt").check()
    page.get_by_label("Je telefoonnummer").fill("12345")
    page.get_by_role("button", name="Versturen").click()
    page.wait_for_load_state()
    visitor.axe()
    assert page.get_by_role("alert").is_visible()
    assert "Dit telefoonnummer klopt niet" in page.get_by_role("alert").inner_text()
    assert not SelfReport.objects.exists()
    page.get_by_label("Ik ben mijn werk kwijt").check()
    page.get_by_label("Wil je meer vertellen?").fill("Mijn contract is gestopt.")
    page.get_by_label("Je telefoonnummer").fill("06 12345678")
    page.get_by_role("button", name="Versturen").click()
    page.wait_for_load_state()
    visitor.axe()
    assert page.get_by_role("heading", name="Bedankt. Je bericht is verstuurd.").is_visible()
    assert region1.school.name in page.get_by_role("status").inner_text()
    report = SelfReport.objects.get(case=youth)
    assert report.channel == "portal" and report.contact_phone == "0612345678"
    assert Signal.objects.filter(case=youth, organisation=region1.school, rule_id="R-NZ-4").exists()
    assert Signal.objects.filter(
        case=youth, organisation=region1.work_service, rule_id="R-NZ-4"
    ).exists()


def test_the_school_prints_a_card_and_revokes_the_link(visit, region1):
    from routearbeid.portal.models import PortalLink

    case = region1.ready_for_outflow()
    region1.outflow(case)
    region1.coordinator.set_password("demo")
    region1.coordinator.save()
    visitor = visit().login(region1.coordinator.username)
    visitor.go(f"/jongeren/{case.student_id}/")
    page = visitor.page
    page.get_by_role("button", name="Maak de link en print de kaart").click()
    page.wait_for_load_state()
    visitor.axe()
    card = page.locator(".portal-print-card")
    assert card.get_by_role("img").is_visible()  # the QR code
    url = card.locator(".portal-print-card__url").inner_text()
    assert "/melden/" in url
    visitor.screenshot("portal-card")
    assert PortalLink.objects.filter(case=case, revoked_at__isnull=True).count() == 1
    page.get_by_role("link", name="Terug naar de pagina van de jongere").click()
    page.wait_for_load_state()
    visitor.in_place(page.get_by_role("button", name="Trek de link in").click)
    assert not PortalLink.objects.filter(case=case, revoked_at__isnull=True).exists()
    youth = visit(viewport=PHONE, locale="nl-NL")
    youth.page.goto(url)
    assert youth.page.get_by_role("heading", name="We kunnen deze pagina niet vinden").is_visible()
    youth.axe()
