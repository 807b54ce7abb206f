"""One youth walks the whole route in the browser, each person doing their own part (issue: staff
screens). Every page visited is checked with axe-core; screenshots of the main pages are saved.

Every control is operated as a keyboard user would: it gets the focus (which must be visible) and
is activated with Enter or Space; text is typed and native selects are chosen. The Tab order
itself is tested in test_keyboard.py."""

from __future__ import annotations

import datetime as dt

import pytest

from routearbeid.core.dates import add_years, today
from routearbeid.core.demo import demo_region_build
from routearbeid.organisations.models import Organisation, User
from routearbeid.route.constants import Stage
from routearbeid.route.models import Case
from routearbeid.students.models import Student

pytestmark = pytest.mark.django_db(transaction=True)

FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
}"""


def press(visitor, locator, key: str = "Enter") -> None:
    """Focus the control (focus must be visible) and activate it with the keyboard."""
    locator.focus()
    assert visitor.page.evaluate(FOCUS_VISIBLE), f"focus not visible on {locator}"
    visitor.page.keyboard.press(key)


def action(visitor, summary: str, within=None):
    """Open the form behind a <details> summary (inside `within`, if given) and return that form."""
    scope = within if within is not None else visitor.page
    details = scope.locator("details", has=visitor.page.locator("summary", has_text=summary)).first
    # A form of its own loads as the <details> opens (core/_form_on_open.html). Wait until htmx
    # has swapped it in and settled: a form typed into and sent before htmx took it over would
    # be posted by the browser itself (a navigation), and the swap counter that submit() waits
    # for would move for the load instead of the post.
    loads = details.locator("[hx-get]").count() > 0
    swaps = "Number(document.documentElement.dataset.raSwaps || 0)"
    before = visitor.page.evaluate(swaps)
    press(visitor, details.locator("summary"))
    if loads:
        visitor.page.wait_for_function(f"n => {swaps} > n", arg=before)
    return details.locator("form")


def submit(visitor, form, button: str | None = None):
    """Submit in place: htmx posts the form and replaces <main> (errors and messages in place)."""
    target = (
        form.get_by_role("button", name=button) if button else form.locator("button[type=submit]")
    )
    visitor.in_place(lambda: press(visitor, target))


@pytest.fixture
def demo(db):
    demo_region_build()
    school_a = Organisation.objects.get(name__contains="school A")
    student = Student.objects.create(
        school=school_a,
        first_name="Tesfay",
        last_name="Gebremedhin",
        date_of_birth=add_years(today(), -17) - dt.timedelta(days=40),
        municipality="Alkmaar",
        languages="Tigrinya, Nederlands",
        class_name="ISK 4B",
        mentor=User.objects.get(username="mentor-a"),
    )
    return student


def test_whole_route_in_the_browser(visit, demo):
    student = demo
    name = student.full_name
    page_path = f"/jongeren/{student.pk}/"

    # 1. coordinator-a opens the case and asks RMC and Leerplicht to take part
    school = visit().login("coordinator-a")
    school.screenshot("werkvoorraad-school")
    school.go("/jongeren/?q=Tesfay")
    with school.page.expect_navigation():
        press(school, school.page.get_by_role("link", name="Gebremedhin, Tesfay"))
    school.page.wait_for_load_state()
    school.axe()
    school.in_place(
        lambda: press(school, school.page.get_by_role("button", name="Traject starten"))
    )
    assert school.page.get_by_text("Het traject is gestart.").is_visible()
    for organisation in ("RMC Noord-Kennemerland", "Leerplicht Alkmaar"):
        form = action(school, "Vraag een organisatie om mee te doen")
        form.get_by_label("Organisatie").select_option(label=organisation)
        submit(school, form)
    form = action(school, "Zet op de agenda van een uitstroomtafel")
    form.get_by_label("Uitstroomtafel").select_option(index=1)
    submit(school, form)
    case = Case.objects.get(student=student)
    assert case.stage == Stage.CONSULTATION
    assert case.agenda_items.count() == 1
    meeting_id = case.agenda_items.get().meeting_id
    school.screenshot("jongere-overleg")

    # 2. rmc and 3. leerplicht record their involvement and advice from their worklist
    for username, advice in (
        ("rmc", "Werk met begeleiding past; RMC blijft volgen."),
        ("leerplicht", "Akkoord, mits duaal traject of vrijstelling."),
    ):
        partner = visit().login(username)
        assert partner.page.get_by_role("link", name=name).first.is_visible()
        if username == "rmc":
            partner.screenshot("werkvoorraad-rmc")
        row = partner.page.locator("li", has=partner.page.get_by_role("link", name=name)).first
        form = action(partner, "Leg je betrokkenheid en advies vast", within=row)
        form.get_by_label("Advies").fill(advice)
        submit(partner, form)
        assert partner.page.get_by_text(advice).is_visible()
    # SWV was not asked: it does not see the youth
    swv = visit().login("swv")
    response = swv.page.goto(swv.base_url + page_path)
    assert response.status == 404

    # 4. routecoordinator holds the outflow meeting and decides "work"
    coordinator = visit().login("routecoordinator")
    coordinator.go(f"/uitstroomtafels/{meeting_id}/")
    coordinator.screenshot("uitstroomtafel")
    decide_work_at_meeting(coordinator, name)
    coordinator.screenshot("uitstroomtafel-besluit")
    case.refresh_from_db()
    assert case.outflow_profile == "work" and case.stage == Stage.ABA

    # 5. coordinator-a skips the ABA and records the warm handover to Halte Werk
    school.go(page_path)
    form = action(school, "Sla de ABA-stap over")
    form.get_by_label("Waarom er geen ABA wordt ingediend").fill(
        "Geen arbeidsbeperking; loonwaarde is volledig."
    )
    submit(school, form)
    form = action(school, "Leg de betrokkenheid van ouders of verzorgers vast")
    press(school, form.get_by_label("Ja"), "Space")
    submit(school, form)
    form = action(school, "Leg de warme overdracht vast")
    form.get_by_label("Ontvangende organisatie").select_option(label="Halte Werk")
    form.get_by_label("Ontvangende persoon").fill("Mark Visser")
    form.get_by_label("Datum van de overdracht").fill(today().isoformat())
    form.get_by_label("Vorm").select_option(index=0)
    form.get_by_label("Grondslag voor het delen").select_option(index=0)
    submit(school, form)
    case.refresh_from_db()
    assert case.stage == Stage.OUTFLOW

    # 6. klantmanager accepts the handover
    work = visit().login("klantmanager")
    work.go(page_path)
    work.in_place(
        lambda: press(work, work.page.get_by_role("button", name="Accepteer de overdracht"))
    )
    assert case.handover.__class__.objects.get(case=case).accepted_on == today()

    # 7. coordinator-a records the job (dual track: the youth is 17 without startkwalificatie)
    school.go(page_path)
    form = action(school, "Leg een baan vast")
    form.get_by_label("Werkgever").select_option(index=1)
    form.get_by_label("Soort contract").select_option(value="dual_track")
    form.get_by_label("Startdatum").fill(today().isoformat())
    form.get_by_label("Uren per week").fill("32")
    form.get_by_label("Opleidingsinstelling").fill("Horizon College")
    form.get_by_label("Inschrijving").fill("BBL-2026-0412")
    submit(school, form)
    form = action(school, "Leg de uitstroom vast")
    form.get_by_label("Uitstroomdatum").fill(today().isoformat())
    form.get_by_label("Uitgeschreven door de school op").fill(today().isoformat())
    submit(school, form)
    case.refresh_from_db()
    assert case.stage == Stage.AFTERCARE, school.page.inner_text("main")[:2000]
    assert case.checks.count() == 4

    # 8. the first check-in
    form = action(school, "Leg nazorgcontact 1 vast")
    form.get_by_label("Contactdatum").fill(today().isoformat())
    press(school, form.get_by_label("Ja"), "Space")
    form.get_by_label("Situatie").select_option(value="dual_track")
    submit(school, form)
    assert case.checks.get(sequence=1).recorded_on == today(), school.page.inner_text(
        "#panel-aftercare"
    )
    school.screenshot("jongere-nazorg")


def decide_work_at_meeting(visitor, name: str) -> None:
    form = action(visitor, "Markeer de uitstroomtafel als gehouden")
    form.get_by_label("Gehouden op").fill(today().isoformat())
    submit(visitor, form)
    item = visitor.page.locator("article", has_text=name).first
    press(visitor, item.locator("summary", has_text="Leg het besluit vast"))
    form = item.locator("form", has=visitor.page.get_by_label("Uitstroomprofiel"))
    form.get_by_label("Uitstroomprofiel").select_option(value="work")
    form.get_by_label("Reden").fill(
        "Wil direct aan het werk; mbo-2 is nu niet haalbaar door taalniveau."
    )
    submit(visitor, form)
