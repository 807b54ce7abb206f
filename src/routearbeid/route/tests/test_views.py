"""The youth's page: what each person sees, forms that call one service, refusals shown as text."""

import datetime as dt

import pytest
from django.urls import reverse

from routearbeid.core.dates import today
from routearbeid.organisations.constants import OrganisationKind
from routearbeid.organisations.models import Organisation, Region
from routearbeid.route.constants import Situation, Stage
from routearbeid.route.models import Case, Involvement


def page_url(student):
    return reverse("route:student", args=[student.pk])


def action_url(student, name):
    return reverse("route:action", args=[student.pk, name])


def test_school_opens_a_case_from_the_page(client, region1):
    student = region1.student(age=17)
    client.force_login(region1.coordinator)
    response = client.post(
        reverse("route:open", args=[student.pk]), {"open-opened_on": today().isoformat()}
    )
    assert response.status_code == 302
    assert Case.objects.filter(student=student, stage=Stage.CONSULTATION).exists()


def test_a_15_year_old_gets_the_rule_message_not_an_error(client, region1):
    """R-START-1 shown on the page."""
    student = region1.student(age=15)
    client.force_login(region1.coordinator)
    response = client.post(
        reverse("route:open", args=[student.pk]), {"open-opened_on": today().isoformat()}
    )
    assert response.status_code == 200
    assert "R-START-1" in response.content.decode()
    assert not Case.objects.filter(student=student).exists()


def test_another_school_gets_404_on_page_and_actions(client, region1):
    case = region1.open_case()
    client.force_login(region1.other_coordinator)
    assert client.get(page_url(case.student)).status_code == 404
    response = client.post(action_url(case.student, "withdraw"), {"withdraw-reason": "weg"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.stage == Stage.CONSULTATION


def test_blocked_outflow_lists_every_unmet_rule_and_changes_nothing(client, region1):
    """R-HO-1 and R-OVL-2 together, as text on the page."""
    case = region1.open_case()
    client.force_login(region1.coordinator)
    day = today().isoformat()
    response = client.post(
        action_url(case.student, "outflow"),
        {"outflow-outflow_on": day, "outflow-deregistered_on": day},
    )
    assert response.status_code == 200
    page = response.content.decode()
    for rule in ("R-OVL-1", "R-OVL-2", "R-HO-1", "R-UIT-1"):
        assert rule in page
    case.refresh_from_db()
    assert case.stage == Stage.CONSULTATION


@pytest.mark.parametrize("bad", ["31-02-2026", "gisteren", "", "2026-13-01"])
def test_bad_dates_get_a_message(client, region1, bad):
    case = region1.open_case()
    client.force_login(region1.coordinator)
    response = client.post(action_url(case.student, "aba-submit"), {"aba-submit-submitted_on": bad})
    assert response.status_code == 200
    assert (
        'role="alert"' in response.content.decode()
        or "utrecht-form-field-error-message" in response.content.decode()
    )
    assert not case.aba_applications.exists()


def test_rmc_records_its_advice_in_a_few_clicks_from_the_worklist(client, region1):
    case = region1.open_case()
    from routearbeid.route.services import involvement_request

    involvement_request(actor=region1.coordinator, case_id=case.pk, organisation_id=region1.rmc.pk)
    client.force_login(region1.rmc_officer)
    worklist = client.get(reverse("worklist")).content.decode()
    assert case.student.full_name in worklist
    response = client.post(
        action_url(case.student, "involvement-record"),
        {
            "involvement-record-organisation": region1.rmc.pk,
            "involvement-record-legal_basis": "legal_task",
            "involvement-record-person_name": "R. Monitor",
            "involvement-record-involved_on": today().isoformat(),
            "involvement-record-advice": "Werk is passend.",
        },
    )
    assert response.status_code == 302
    involvement = Involvement.objects.get(case=case, organisation=region1.rmc)
    assert involvement.advice == "Werk is passend."
    assert case.student.full_name not in client.get(reverse("worklist")).content.decode()


def test_rmc_cannot_record_leerplichts_involvement(client, region1):
    case = region1.open_case(age=16)
    region1.involve(case)
    client.force_login(region1.rmc_officer)
    response = client.post(
        action_url(case.student, "involvement-record"),
        {
            "involvement-record-organisation": region1.leerplicht.pk,
            "involvement-record-legal_basis": "legal_task",
            "involvement-record-person_name": "Iemand",
            "involvement-record-involved_on": today().isoformat(),
            "involvement-record-advice": "Niet mijn advies.",
        },
    )
    assert response.status_code == 200
    assert (
        Involvement.objects.get(case=case, organisation=region1.leerplicht).person_name
        == "L. Plicht"
    )


def test_pgn_only_for_school_and_work_service(client, region1):
    case = region1.open_case(pgn="999999990")
    region1.involve(case)
    client.force_login(region1.coordinator)
    assert "999999990" in client.get(page_url(case.student)).content.decode()
    client.force_login(region1.rmc_officer)
    page = client.get(page_url(case.student))
    assert page.status_code == 200
    assert "999999990" not in page.content.decode()


def test_a_youth_id_beyond_the_databases_range_is_not_found(client, region1):
    """The youth is read from SQL kept per person (core.sqlcache), for a school's and a
    partner's seat alike: an id PostgreSQL's bigint cannot hold is not found, like any other
    unknown youth, instead of a database error."""
    region1.involve(region1.open_case())
    for person in (region1.coordinator, region1.leerplicht_officer):
        client.force_login(person)
        for student_id in (2**63, 10**30):
            assert client.get(f"/jongeren/{student_id}/").status_code == 404


def test_unknown_action_is_404(client, region1):
    case = region1.open_case()
    client.force_login(region1.coordinator)
    assert client.post(action_url(case.student, "drop-table"), {}).status_code == 404


@pytest.mark.parametrize("events", [1, 20])
def test_youth_page_query_count_does_not_grow(client, region1, django_assert_num_queries, events):
    case = region1.open_case()
    from routearbeid.route.services import guardians_record

    for _ in range(events):
        guardians_record(actor=region1.coordinator, case_id=case.pk, involved=True)
    client.force_login(region1.coordinator)
    client.get(page_url(case.student))
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(page_url(case.student)).status_code == 200


# 3 fewer since the worklist badge is kept in the session, 3 since the session is saved at most
# once a minute, 7 since the forms of their own load when opened and the handover is read once;
# 4 since the case comes with its youth (and mentor) and with flags for the rows most cases have
# none of (route.views.SPARSE_RELATIONS); 8 since the checklist of a case before outflow reads
# the rows the panels show instead of reading the case and its rows again (route.rules.CaseFacts);
# 1 since the forms take the involved organisations from the involvements the page reads
PAGE_QUERIES = 12


def test_the_pages_checklist_is_the_one_of_the_cases_own_facts(client, region1):
    """Before outflow the page's checklist is made from the rows its panels show (issue #7):
    the same checks, met and unmet, as case_readiness reading the case and its facts itself,
    for a case just opened and for one with involvements, an employment and an agenda item."""
    from routearbeid.route.selectors import case_readiness

    def as_shown(readiness):
        return [
            (step.transition, [(c.rule_id, c.met, str(c.message)) for c in step.checks])
            for step in readiness
        ]

    opened = region1.open_case()
    advanced = region1.ready_for_outflow(first_name="Klaar", last_name="Voor")
    client.force_login(region1.coordinator)
    for case in (opened, advanced):
        case.refresh_from_db()
        page = client.get(page_url(case.student)).context["readiness"]
        own = case_readiness(actor=region1.coordinator, case=case)
        assert page and as_shown(page) == as_shown(own)


# --- forms of their own load when opened (issue #7) ---------------------------------------------


def test_the_page_offers_its_forms_without_building_them(client, region1):
    """A form of its own is a closed <details> whose form htmx loads when it opens; without
    JavaScript its link opens the page with that form."""
    case = region1.open_case()
    client.force_login(region1.coordinator)
    page = client.get(page_url(case.student)).content.decode()
    url = action_url(case.student, "involvement-request")
    assert f'hx-get="{url}" hx-trigger="toggle once from:closest details"' in page
    assert f'href="{url}#panel-involvements"' in page
    assert "Vraag een organisatie om mee te doen" in page
    # the form itself is not on the page: no field and no form posting to the action
    assert "involvement-request-organisation" not in page
    assert f'action="{url}"' not in page


def test_an_opened_form_comes_alone_to_htmx(client, region1):
    case = region1.open_case()
    region1.involve(case, on=today())  # RMC and Leerplicht asked
    elsewhere = Organisation.objects.create(
        region=Region.objects.create(name="Elders"), kind=OrganisationKind.SWV, name="SWV Elders"
    )
    client.force_login(region1.coordinator)
    url = action_url(case.student, "involvement-request")
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    form = response.content.decode()
    assert "<html" not in form and "<main" not in form
    assert f'action="{url}"' in form
    assert 'name="involvement-request-organisation"' in form
    # the organisations of the youth's region that are not yet asked, none of another region
    assert f'value="{region1.swv.pk}"' in form
    assert f'value="{region1.work_service.pk}"' in form
    assert f'value="{region1.rmc.pk}"' not in form
    assert f'value="{elsewhere.pk}"' not in form
    assert "Vraag een organisatie om mee te doen</button>" in form


def test_without_javascript_the_form_opens_in_the_page(client, region1):
    case = region1.open_case()
    client.force_login(region1.coordinator)
    url = action_url(case.student, "withdraw")
    page = client.get(url).content.decode()
    assert "<main" in page
    assert f'action="{url}"' in page
    assert 'name="withdraw-reason"' in page
    # that form's <details> is open; the others still load when opened
    assert page.count('<details class="ra-action" open>') == 1
    assert f'hx-get="{action_url(case.student, "involvement-request")}"' in page


def test_a_refused_form_stays_open_with_its_message(client, region1):
    case = region1.open_case()
    client.force_login(region1.coordinator)
    url = action_url(case.student, "withdraw")
    page = client.post(url, {"withdraw-reason": ""}).content.decode()
    assert f'action="{url}"' in page
    assert '<details class="ra-action" open>' in page
    assert 'aria-invalid="true"' in page
    case.refresh_from_db()
    assert case.stage == Stage.CONSULTATION


@pytest.mark.parametrize("name", ["signal-resolve", "aba-update", "handover-accept"])
def test_a_form_inside_a_row_has_no_page_of_its_own(client, region1, name):
    case = region1.open_case()
    client.force_login(region1.coordinator)
    assert client.get(action_url(case.student, name)).status_code == 404


def test_r_nz_2_the_check_in_due_is_loaded_when_its_form_is_opened(client, region1):
    """The youth's page names the check-in that is due in the toggle and loads its form only
    when opened (issue #7), for that check-in; without JavaScript the page opens with it."""
    from routearbeid.aftercare.models import AftercareCheck

    case = region1.outflow(region1.ready_for_outflow(first_name="Sanne", last_name="Nazorg"))
    due = AftercareCheck.objects.filter(case=case).order_by("due_on", "sequence").first()
    client.force_login(region1.coordinator)
    url = action_url(case.student, "checkin")
    page = client.get(page_url(case.student)).content.decode()
    assert f'hx-get="{url}"' in page
    assert "Leg nazorgcontact 1 vast (gepland op" in page
    assert 'name="checkin-check"' not in page  # the form itself is not in the page

    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment
    assert f'name="checkin-check" value="{due.pk}"' in fragment
    assert f'action="{url}"' in fragment
    # the situation is asked for when there was contact (R-NZ-2): its label does not call it
    # optional, as the notes' does
    import re

    labels = {
        name: re.sub(r"<[^>]+>", "", text).strip()
        for name, text in re.findall(
            r'<label[^>]*for="id_checkin-(\w+)"[^>]*>(.*?)</label>', fragment
        )
    }
    assert labels["situation"] == "Situatie (als er contact was)"
    assert labels["notes"] == "Notities (niet verplicht)"

    whole = client.get(url).content.decode()  # without JavaScript: the page, that form open
    assert "<html" in whole
    assert f'name="checkin-check" value="{due.pk}"' in whole
    assert (
        '<details class="ra-action" open><summary class="ra-action__summary">Leg nazorgcontact 1 vast'
        in whole
    )

    recorded = client.post(
        url,
        {
            "checkin-check": str(due.pk),
            "checkin-recorded_on": today().isoformat(),
            "checkin-contact_made": "yes",
            "checkin-situation": Situation.WORKING_SAME_EMPLOYER,
            "checkin-notes": "",
            "checkin-follow_up": "",
        },
    )
    assert recorded.status_code == 302
    due.refresh_from_db()
    assert due.recorded_on == today()

    AftercareCheck.objects.filter(case=case).update(recorded_on=today())
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404  # nothing due


def test_a_form_not_offered_to_the_user_is_404_also_when_opened(client, region1):
    """The RMC, asked to take part, sees the case but may not withdraw it."""
    case = region1.open_case()
    region1.involve(case, on=today())
    client.force_login(region1.rmc_officer)
    assert client.get(page_url(case.student)).status_code == 200
    assert client.get(action_url(case.student, "withdraw")).status_code == 404
    assert (
        client.get(action_url(case.student, "withdraw"), headers={"HX-Request": "true"}).status_code
        == 404
    )


def test_the_youth_page_reads_the_rows_most_cases_lack_only_where_there_are_some(
    client, region1, django_assert_num_queries
):
    """The case comes with a flag for each relation most cases have no rows of
    (route.views.SPARSE_RELATIONS, issue #7): the page reads those rows only where the flag says
    there are some, and shows them as before."""
    from routearbeid.route.services import exemption_record
    from routearbeid.route.views import SPARSE_RELATIONS, _case_for_student

    with_rows = region1.open_case(age=16, first_name="Elif", last_name="Vrijgesteld")
    region1.involve(with_rows)  # Leerplicht takes part, and records its decision
    exemption_record(
        actor=region1.leerplicht_officer,
        case_id=with_rows.pk,
        reference="LP-2026-77",
        decided_on=today(),
        ends_on=today() + dt.timedelta(days=30),
    )
    without = region1.open_case(age=16, first_name="Bo", last_name="Zonder")
    flags = {
        case.pk: {
            name
            for name in SPARSE_RELATIONS
            if getattr(_case_for_student(region1.coordinator, case.student), f"has_{name}")
        }
        for case in (with_rows, without)
    }
    assert flags == {with_rows.pk: {"exemptions"}, without.pk: set()}

    client.force_login(region1.coordinator)
    client.get(page_url(without.student))
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(page_url(without.student))
    with django_assert_num_queries(PAGE_QUERIES + 1):  # the exemption itself
        page = client.get(page_url(with_rows.student)).content.decode()
    assert "LP-2026-77" in page


def test_a_yes_no_question_is_a_fieldset_and_its_error_is_at_its_field(client, region1):
    """WCAG 1.3.1 / 3.3.1: "Are parents or guardians involved?" was a <label for=""> beside two
    radios that did not name it; "No" without a reason said so only in a general alert. The
    question is the legend of a fieldset now, and the reason's field carries its message."""
    import re

    from routearbeid.route.models import Case

    case = region1.open_case()
    client.force_login(region1.coordinator)
    url = action_url(case.student, "guardians")
    form = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'for=""' not in form
    legend = re.search(r"<fieldset[^>]*>\s*<legend[^>]*>(.*?)</legend>", form, re.S)
    assert legend and "Zijn ouders of verzorgers betrokken?" in legend.group(1)
    assert 'id="id_guardians-involved_0"' in form and 'for="id_guardians-involved_0"' in form
    # the reason is not called optional: it is needed when the answer is no
    assert "Zo nee: waarom niet" in form and "(verplicht bij ‘Nee’)" in form

    response = client.post(url, {"guardians-involved": "no", "guardians-reason": " "})
    assert response.status_code == 200
    page = response.content.decode()
    error = re.search(r'<div class="utrecht-form-field-error-message" id="([^"]+)">([^<]*)', page)
    assert error and error.group(1) == "id_guardians-reason_error"
    assert "Geef de reden waarom ouders of verzorgers niet betrokken zijn." in error.group(2)
    reason = re.search(r"<textarea[^>]*name=\"guardians-reason\"[^>]*>", page).group(0)
    assert 'aria-invalid="true"' in reason and "id_guardians-reason_error" in reason
    assert Case.objects.get(pk=case.pk).guardians_involved is None


def test_r_nz_2_a_check_in_tried_again_is_named_as_in_the_table(client, region1):
    """R-NZ-2: after "not reached" the table shows "1, again"; the form to record it said
    "Record check-in 5" (the try's own number). Both name it after check-in 1 now."""
    from routearbeid.aftercare.models import AftercareCheck
    from routearbeid.aftercare.services import aftercare_check_record

    case = region1.outflow(region1.ready_for_outflow(first_name="Nog", last_name="Eens"))
    first = AftercareCheck.objects.get(case=case, sequence=1)
    aftercare_check_record(
        actor=region1.coordinator,
        check_id=first.pk,
        recorded_on=today(),
        contact_made=False,
    )
    retry = AftercareCheck.objects.get(case=case, retry_of=first)
    assert retry.sequence != 1
    client.force_login(region1.coordinator)
    page = client.get(page_url(case.student)).content.decode()
    assert "1, opnieuw" in page
    assert f"Leg nazorgcontact 1 opnieuw vast (gepland op {retry.due_on:%d-%m-%Y})" in page
    assert f"Leg nazorgcontact {retry.sequence} vast" not in page
