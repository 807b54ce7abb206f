"""Each main page renders in Chromium, in Dutch, with zero axe-core WCAG 2.1 A/AA violations."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def _password(user, password="demo"):
    user.set_password(password)
    user.save()
    return user.username


def test_login_worklist_youth_list_and_page_pass_axe(visit, region1):
    case = region1.open_case()
    region1.involve(case)
    visitor = visit().login(_password(region1.coordinator))
    assert visitor.page.get_by_role("heading", name="Werkvoorraad").is_visible()
    visitor.go("/jongeren/")
    visitor.page.get_by_role(
        "link", name=f"{case.student.last_name}, {case.student.first_name}"
    ).click()
    visitor.page.wait_for_load_state()
    visitor.axe()
    assert visitor.page.get_by_role("heading", name=case.student.full_name).is_visible()
    visitor.go("/toegankelijkheid/")


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(visit, region1):
    visitor = visit().login(_password(region1.coordinator))
    visitor.page.keyboard.press("Tab")
    focused = visitor.page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Naar de inhoud"
    visitor.page.keyboard.press("Enter")
    assert visitor.page.evaluate("document.activeElement.id") == "main"


def test_a_refused_step_shows_its_rules_in_place_and_focuses_the_message(visit, region1):
    """Forms post in the background (htmx): the rule messages replace the page's main part,
    focus moves to the message, and nothing changes (R-HO-1, R-OVL-2 named together)."""
    case = region1.open_case()
    visitor = visit().login(_password(region1.coordinator))
    visitor.go(f"/jongeren/{case.student.pk}/")
    details = visitor.page.locator(
        "details", has=visitor.page.locator("summary", has_text="Leg de uitstroom vast")
    )
    details.locator("summary").click()
    form = details.locator("form")
    from routearbeid.core.dates import today

    form.get_by_label("Uitstroomdatum").fill(today().isoformat())
    form.get_by_label("Uitgeschreven door de school op").fill(today().isoformat())
    visitor.in_place(form.get_by_role("button", name="Leg de uitstroom vast").click)
    alert = visitor.page.locator("#main [role=alert]").first
    assert alert.is_visible()
    text = alert.inner_text()
    assert "R-HO-1" in text and "R-OVL-2" in text
    focused_in_alert = visitor.page.evaluate(
        "document.activeElement.closest('[role=alert]') !== null || document.activeElement.getAttribute('role') === 'alert'"
    )
    assert focused_in_alert
    case.refresh_from_db()
    assert case.stage == "consultation"


def test_account_settings_and_privacy_pages_pass_axe(visit, region1):
    """The pages of #4 and #5 that have no walk of their own: the account, the e-mail choice and
    the calendar link of a coordinator, and the privacy officer's search, log and register."""
    case = region1.outflow(region1.ready_for_outflow())
    coordinator = visit().login(_password(region1.coordinator))
    for path, heading in (
        ("/account/", "Mijn account"),
        ("/instellingen/meldingen/", None),
        ("/instellingen/agenda/", None),
    ):
        coordinator.go(path)  # go() runs axe on every page
        if heading:
            assert coordinator.page.get_by_role("heading", name=heading).is_visible()
    coordinator.close()
    officer = visit().login(_password(region1.privacy_officer))
    officer.go("/privacy/")
    officer.page.get_by_role("textbox").first.fill(case.student.last_name)
    officer.page.locator("main button[type=submit]").first.click()
    officer.page.wait_for_load_state()
    officer.axe()
    officer.page.get_by_role("link", name=case.student.last_name, exact=False).first.click()
    officer.page.wait_for_load_state()
    assert (
        officer.page.get_by_role("heading", level=1).inner_text().endswith(case.student.full_name)
    )
    officer.axe()
    officer.go("/privacy/verwerkingen/")


def test_one_long_word_typed_into_a_form_does_not_widen_the_page(visit, region1):
    """A name or advice typed without spaces (4,000 characters) made a youth's page 45,000 px
    wide: it wraps inside the page now (WCAG 1.4.10 reflow), and the 404 page is Dutch."""
    case = region1.open_case(last_name="L" * 150)
    region1.involve(case)
    from routearbeid.route.models import Involvement

    Involvement.objects.filter(case=case).update(advice="A" * 4000, person_name="P" * 200)
    visitor = visit().login(_password(region1.coordinator))
    visitor.go(f"/jongeren/{case.student_id}/")
    width = visitor.page.evaluate("window.innerWidth")
    wide = visitor.page.evaluate(
        """w => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w)
        .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""",
        width,
    )
    assert visitor.page.evaluate("document.documentElement.scrollWidth") <= width, wide
    visitor.go("/jongeren/")
    assert visitor.page.evaluate("document.documentElement.scrollWidth") <= width
    response = visitor.page.goto(visitor.base_url + "/jongeren/999999/")
    assert response is not None and response.status == 404
    assert visitor.page.get_by_role("heading", name="Pagina niet gevonden").is_visible()
    visitor.axe()
