"""Keyboard only: Tab, Enter and Space reach and operate everything; focus is always visible."""

from __future__ import annotations

import pytest

from routearbeid.core.dates import today
from routearbeid.route.models import Involvement
from routearbeid.route.services import involvement_request

pytestmark = pytest.mark.django_db(transaction=True)

FOCUS_STATE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
  return {tag: el.tagName, text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 80),
          label: el.labels && el.labels[0] ? el.labels[0].innerText.trim() : '', visible};
}"""


def tab_to(visitor, matches, *, limit: int = 80) -> dict:
    """Press Tab until the focused element matches; every focused element must show its focus."""
    for _ in range(limit):
        visitor.page.keyboard.press("Tab")
        state = visitor.page.evaluate(FOCUS_STATE)
        assert state["visible"], f"focus not visible on {state}"
        if matches(state):
            return state
    raise AssertionError("never reached the element with Tab")


def test_partner_records_advice_with_the_keyboard_only(visit, region1):
    case = region1.open_case(first_name="Yonas", last_name="Tekle")
    involvement_request(actor=region1.coordinator, case_id=case.pk, organisation_id=region1.rmc.pk)
    region1.rmc_officer.set_password("demo")
    region1.rmc_officer.save()

    visitor = visit()
    visitor.go("/inloggen/")
    tab_to(visitor, lambda s: s["label"] == "Gebruikersnaam")
    visitor.page.keyboard.type(region1.rmc_officer.username)
    tab_to(visitor, lambda s: s["label"] == "Wachtwoord")
    visitor.page.keyboard.type("demo")
    with visitor.page.expect_navigation():
        visitor.page.keyboard.press("Enter")
    visitor.axe()
    assert "/werkvoorraad/" in visitor.page.url

    tab_to(visitor, lambda s: s["tag"] == "SUMMARY" and "betrokkenheid" in s["text"])
    before = visitor.page.evaluate("Number(document.documentElement.dataset.raSwaps || 0)")
    visitor.page.keyboard.press("Enter")  # opens it; the form is loaded then (issue #7)
    visitor.page.wait_for_function(
        "n => Number(document.documentElement.dataset.raSwaps || 0) > n", arg=before
    )
    visitor.page.locator("textarea[name=involvement-record-advice]").wait_for()
    tab_to(visitor, lambda s: s["label"] == "Betrokken persoon")
    tab_to(visitor, lambda s: s["label"] == "Advies")
    visitor.page.keyboard.type("Werk met jobcoach past bij Yonas.")
    tab_to(visitor, lambda s: s["tag"] == "BUTTON" and s["text"] == "Opslaan")
    visitor.in_place(lambda: visitor.page.keyboard.press("Space"))
    involvement = Involvement.objects.get(case=case, organisation=region1.rmc)
    assert involvement.advice == "Werk met jobcoach past bij Yonas."
    assert involvement.involved_on == today()


def test_school_opens_a_case_with_the_keyboard_only(visit, region1):
    student = region1.student(first_name="Olena", last_name="Shevchenko")
    region1.coordinator.set_password("demo")
    region1.coordinator.save()
    visitor = visit().login(region1.coordinator.username)
    visitor.go(f"/jongeren/{student.pk}/")
    tab_to(visitor, lambda s: s["tag"] == "BUTTON" and s["text"] == "Traject starten")
    visitor.in_place(lambda: visitor.page.keyboard.press("Enter"))
    assert student.cases.count() == 1


def test_a_form_loaded_as_it_opens_keeps_the_focus_on_its_summary(visit, region1):
    """The youth's page loads a form when its summary opens (issue #7): the focus stays on the
    summary, and the next Tab goes into the form just loaded, not back to the top of the page."""
    case = region1.open_case(first_name="Olena", last_name="Shevchenko")
    region1.coordinator.set_password("demo")
    region1.coordinator.save()
    visitor = visit().login(region1.coordinator.username)
    visitor.go(f"/jongeren/{case.student_id}/")
    tab_to(visitor, lambda s: s["tag"] == "SUMMARY" and s["text"] == "Trek de casus in")
    before = visitor.page.evaluate("Number(document.documentElement.dataset.raSwaps || 0)")
    visitor.page.keyboard.press("Enter")
    visitor.page.wait_for_function(
        "n => Number(document.documentElement.dataset.raSwaps || 0) > n", arg=before
    )
    visitor.page.locator("textarea[name=withdraw-reason]").wait_for()
    state = visitor.page.evaluate(FOCUS_STATE)
    assert (state["tag"], state["text"]) == ("SUMMARY", "Trek de casus in")
    visitor.page.keyboard.press("Tab")
    assert visitor.page.evaluate(FOCUS_STATE)["label"] == "Reden"
    visitor.axe()
