"""Exchange records: each involvement and handover records its legal basis (legal task, or
consent with its date and who gave it), shown on the youth's page (to whom, basis, purpose)."""

import datetime as dt

from django.urls import reverse

from routearbeid.core.dates import today
from routearbeid.route.models import Handover


def ready_for_handover(region1):
    case = region1.open_case()
    region1.involve(case)
    region1.decide_work(case)
    region1.skip_aba(case)
    return case


def post_handover(client, region1, case, **overrides):
    data = {
        "handover-receiving_organisation": region1.work_service.pk,
        "handover-receiving_person": "K. Manager",
        "handover-handed_over_on": today().isoformat(),
        "handover-form": "joint_meeting",
        "handover-legal_basis": "consent",
        "handover-consent_given_on": today().isoformat(),
        "handover-consent_given_by": "De jongere zelf",
        "handover-purpose": "Begeleiding naar werk",
    }
    data.update({f"handover-{k}": v for k, v in overrides.items()})
    client.force_login(region1.coordinator)
    return client.post(reverse("route:action", args=[case.student_id, "handover"]), data)


def test_the_youth_page_lists_each_exchange_with_basis_and_purpose(client, region1):
    """R-HO-1: the legal basis for sharing, per exchange."""
    case = ready_for_handover(region1)
    response = post_handover(client, region1, case)
    assert response.status_code in (200, 302)
    assert Handover.objects.filter(case=case, legal_basis="consent").exists()
    page = client.get(reverse("route:student", args=[case.student_id])).content.decode()
    section = page.split('id="panel-exchanges"', 1)[1].split("</section>", 1)[0]
    assert region1.work_service.name in section
    assert "Toestemming" in section
    assert f"gegeven op {today():%d-%m-%Y} door De jongere zelf" in section
    assert "Begeleiding naar werk" in section
    # the involvements: RMC and Leerplicht on the legal task, for the consultation
    assert region1.rmc.name in section and region1.leerplicht.name in section
    assert "Publieke taak (AVG art. 6 lid 1 sub e)" in section
    assert "Overleg met partners" in section


def test_consent_without_date_or_giver_is_refused_on_the_form(client, region1):
    case = ready_for_handover(region1)
    response = post_handover(client, region1, case, consent_given_on="", consent_given_by="")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Geef bij toestemming de datum waarop die is gegeven." in page
    assert "Geef bij toestemming aan wie die heeft gegeven." in page
    assert not Handover.objects.filter(case=case).exists()


def test_consent_dated_in_the_future_is_refused(client, region1):
    case = ready_for_handover(region1)
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    response = post_handover(client, region1, case, consent_given_on=tomorrow)
    assert "De datum van toestemming kan niet in de toekomst liggen." in response.content.decode()
    assert not Handover.objects.filter(case=case).exists()


def test_legal_task_needs_no_consent_fields(client, region1):
    case = ready_for_handover(region1)
    post_handover(
        client, region1, case, legal_basis="legal_task", consent_given_on="", consent_given_by=""
    )
    handover = Handover.objects.get(case=case)
    assert handover.legal_basis == "legal_task"
    assert handover.consent_given_on is None and handover.consent_given_by == ""


def test_involvement_form_asks_the_same_of_consent(client, region1):
    from routearbeid.route.services import involvement_request

    case = region1.open_case()
    involvement_request(actor=region1.coordinator, case_id=case.pk, organisation_id=region1.swv.pk)
    client.force_login(region1.coordinator)
    response = client.post(
        reverse("route:action", args=[case.student_id, "involvement-record"]),
        {
            "involvement-record-organisation": region1.swv.pk,
            "involvement-record-person_name": "S. Verband",
            "involvement-record-involved_on": today().isoformat(),
            "involvement-record-advice": "Akkoord",
            "involvement-record-legal_basis": "consent",
        },
    )
    page = response.content.decode()
    assert "Geef bij toestemming de datum waarop die is gegeven." in page
    assert not case.involvements.filter(
        organisation=region1.swv, involved_on__isnull=False
    ).exists()
