"""Aftercare in the browser: a check-in from the worklist in a few clicks, in place (R-NZ-2), and
the RMC's monitoring list (R-RMC-1); every page passes axe under the strict CSP."""

from __future__ import annotations

import datetime as dt

import pytest

from routearbeid.aftercare.models import AftercareCheck
from routearbeid.core.dates import today

pytestmark = pytest.mark.django_db(transaction=True)


def youth_with_a_due_checkin(region1, first_name: str):
    case = region1.outflow(region1.ready_for_outflow(first_name=first_name, last_name="Browser"))
    # the first check-in is due three days ago (setup: outflow was today)
    AftercareCheck.objects.filter(case=case, sequence=1).update(
        due_on=today() - dt.timedelta(days=3)
    )
    return case


def test_r_nz_2_check_in_from_the_worklist_in_three_clicks(visit, region1):
    case = youth_with_a_due_checkin(region1, "Amina")
    other = youth_with_a_due_checkin(region1, "Bilal")
    region1.coordinator.set_password("demo")
    region1.coordinator.save()
    visitor = visit().login(region1.coordinator.username)
    page = visitor.page
    assert "/werkvoorraad/" in page.url

    nav_count = page.locator("#ra-worklist-badge .utrecht-badge-counter")
    before = int(nav_count.inner_text())
    item = page.locator(f"#checkin-{case.checks.get(sequence=1).pk}")
    item.get_by_text("Nu vastleggen").click()
    # the form is loaded when opened (issue #7: the worklist does not carry 25 forms)
    item.get_by_label("Werkt, zelfde werkgever").wait_for()
    visitor.axe()  # the open form: radios in fieldsets with legends
    # the chosen radio ("Ja", chosen beforehand) looks chosen: its dot is drawn, not the others'
    look = "e => getComputedStyle(e).backgroundImage"
    assert item.get_by_label("Ja", exact=True).evaluate(look) != item.get_by_label(
        "Nee, de jongere was niet bereikbaar"
    ).evaluate(look)
    item.get_by_label("Werkt, zelfde werkgever").check()
    visitor.in_place(lambda: item.get_by_role("button", name="Nazorgcontact opslaan").click())
    assert page.get_by_text("Het nazorgcontact met Amina Browser is vastgelegd.").is_visible()
    # the navigation's count follows the write, though only <main> was swapped: the page that came
    # back carries the badge out of band
    assert int(nav_count.inner_text()) == before - 1
    assert "/werkvoorraad/" in page.url
    recorded = case.checks.get(sequence=1)
    assert recorded.contact_made is True and recorded.situation == "working_same_employer"

    # could not reach Bilal: the try is recorded and a new check-in appears in the worklist
    item = page.locator(f"#checkin-{other.checks.get(sequence=1).pk}")
    item.get_by_text("Nu vastleggen").click()
    item.get_by_label("Nee, de jongere was niet bereikbaar").check()
    visitor.in_place(lambda: item.get_by_role("button", name="Nazorgcontact opslaan").click())
    assert page.get_by_text(
        "Niet bereikt: er is een nieuw nazorgcontact met Bilal Browser gepland."
    ).is_visible()
    assert page.get_by_text("nazorgcontact 1 opnieuw (niet bereikt)").is_visible()


def test_a_page_without_the_worklist_count_loads_it_once_it_is_there(visit, region1, settings):
    """Issue #7: no page waits for the count beside "Worklist"; one sent without it (none kept in
    the session) loads it in the background. Nothing kept here, so every page does."""
    from routearbeid.aftercare.selectors import worklist_counts

    settings.ROUTEARBEID_BADGE_SECONDS = 0
    youth_with_a_due_checkin(region1, "Dana")
    region1.coordinator.set_password("demo")
    region1.coordinator.save()
    total = worklist_counts(region1.coordinator).total
    assert total >= 1
    visitor = visit().login(region1.coordinator.username)
    visitor.go("/jongeren/", check=False)
    counter = visitor.page.locator("#ra-worklist-badge .utrecht-badge-counter")
    counter.wait_for()
    assert counter.inner_text() == str(total)
    label = f"{total} taak" if total == 1 else f"{total} taken"
    assert counter.get_attribute("aria-label") == label
    assert visitor.page.get_by_role("link", name=f"Werkvoorraad {label}").is_visible()
    # loaded in the background: no message about it, and it counts as no swap of <main>
    assert visitor.page.locator(".utrecht-alert--error").count() == 0
    assert visitor.page.evaluate("document.documentElement.dataset.raSwaps") is None
    visitor.axe()


def test_r_rmc_1_monitoring_list_in_the_browser(visit, region1):
    region1.outflow(region1.ready_for_outflow(first_name="Chaima", last_name="Monitor"))
    region1.rmc_officer.set_password("demo")
    region1.rmc_officer.save()
    visitor = visit().login(region1.rmc_officer.username)
    visitor.page.get_by_role("link", name="Monitoring").click()
    visitor.page.wait_for_load_state()
    visitor.axe()
    assert visitor.page.get_by_role("link", name="Monitor, Chaima").is_visible()
    visitor.page.get_by_label("Sorteren op").select_option("contact")
    visitor.page.get_by_role("button", name="Tonen").click()
    visitor.page.wait_for_load_state()
    visitor.axe()
