"""Inzage (GDPR art. 15): everything stored about one youth, as JSON and as a PDF, logged."""

import json
import shutil
import subprocess

import pytest
from django.urls import reverse

from routearbeid.organisations.actors import actor_for
from routearbeid.privacy.export import inzage_collect
from routearbeid.processing_log.models import ProcessingLogRecord
from routearbeid.route.models import Case


def download_json(client, region1, student):
    client.force_login(region1.privacy_officer)
    response = client.get(reverse("privacy:inzage_json", args=[student.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    return json.loads(response.content)


def test_json_holds_the_data_of_every_related_model(client, region1, full_case):
    data = download_json(client, region1, full_case.student)
    student = data["student"]
    assert data["format"] == "routearbeid.inzage/1"
    assert (student["first_name"], student["last_name"]) == ("Rania", "Haddad")
    assert student["pgn"] == "123456789"
    assert student["email"] == "rania@example.org"
    assert student["guardians"][0]["name"] == "Samir Haddad"
    [case] = data["cases"]
    assert case["stage"] == "aftercare"
    assert {i["organisation"] for i in case["involvements"]} >= {
        region1.rmc.name,
        region1.leerplicht.name,
    }
    [item] = case["agenda_items"]
    assert item["decision"]["outflow_profile"] == "work"
    assert item["advice"][0]["text"] == "RMC adviseert werk met scholing."
    assert item["actions"][0]["description"] == "Rania bellen over werkgever"
    assert case["aba_applications"][0]["outcome"] == "indicatie_banenafspraak"
    assert case["provisions"][0]["notes"] == "Jobcoach twee uur per week"
    assert case["handover"]["legal_basis"] == "consent"
    assert case["handover"]["consent_given_by"] == "Rania Haddad (jongere)"
    assert case["employments"][0]["enrolment_reference"] == "E-77"
    assert case["exemptions"][0]["reference"] == "VR-2026-001"
    assert case["deregistration"]["deregistered_on"]
    assert any(c["notes"] == "Gaat goed op het werk" for c in case["aftercare_checks"])
    assert case["self_reports"][0]["message"] == "Mijn baas is boos"
    assert case["signals"] and all(s["text"] for s in case["signals"])
    assert any(e["kind"] == "handover_recorded" for e in case["timeline"])
    activities = {r["activity"] for r in data["processing_log"]}
    assert {"route.case", "route.handover"} <= activities
    assert all(r["trace_id"] and r["purpose"] and r["legal_basis"] for r in data["processing_log"])


def test_every_table_that_refers_to_a_case_is_in_the_export(region1, full_case):
    """Also a model added later: the export follows Case's reverse relations."""
    data, _sections = inzage_collect(full_case.student)
    [case] = data["cases"]
    aliases = {"checks": "aftercare_checks", "events": "timeline"}
    for rel in Case._meta.related_objects:
        accessor = rel.get_accessor_name()
        key = aliases.get(accessor, accessor)
        assert key in case, key
        stored = rel.related_model.objects.filter(**{rel.field.name: full_case}).count()
        exported = case[key]
        count = (1 if exported else 0) if rel.one_to_one else len(exported)
        if accessor != "events":  # the export's own read adds no event; counts match
            assert count == stored, key


def test_the_json_keys_are_stable(client, region1, full_case):
    first = download_json(client, region1, full_case.student)
    second = download_json(client, region1, full_case.student)
    assert sorted(first) == sorted(second)
    assert sorted(first["cases"][0]) == sorted(second["cases"][0])


def test_pdf_is_a_pdf_with_the_name(client, region1, full_case, tmp_path):
    client.force_login(region1.privacy_officer)
    response = client.get(reverse("privacy:inzage_pdf", args=[full_case.student_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "inzage.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Rania Haddad" in text
    assert "Samir Haddad" in text
    assert "Mijn baas is boos" in text


def test_export_is_logged_as_an_access_request(client, region1, full_case):
    download_json(client, region1, full_case.student)
    client.get(reverse("privacy:inzage_pdf", args=[full_case.student_id]))
    logged = ProcessingLogRecord.objects.filter(
        subject_student_id=full_case.student_id,
        actor=region1.privacy_officer,
        activity="privacy.access_request",
        operation="read",
    )
    assert logged.count() == 2


def test_other_school_officer_cannot_export(client, region1, full_case):
    from routearbeid.organisations.constants import Role
    from routearbeid.tests.people import make_user

    officer_b = make_user("fg-b", region1.other_school, Role.PRIVACY_OFFICER)
    client.force_login(officer_b)
    assert (
        client.get(reverse("privacy:inzage_json", args=[full_case.student_id])).status_code == 404
    )
    assert client.get(reverse("privacy:inzage_pdf", args=[full_case.student_id])).status_code == 404


@pytest.mark.parametrize("kind", ["swv", "rmc", "leerplicht", "coordination"])
def test_the_export_leaves_the_pgn_out_for_an_officer_outside_school_and_work_service(
    client, region1, full_case, kind
):
    """The PGN is for school and work-service roles only (the SWV may not use it by law): the
    inzage of an SWV, RMC, Leerplicht or route-coordination officer leaves it out, JSON and PDF."""
    from routearbeid.meetings.models import AgendaItem
    from routearbeid.meetings.selectors import meeting_agenda
    from routearbeid.organisations.constants import Role
    from routearbeid.privacy.export import inzage_html
    from routearbeid.privacy.selectors import privacy_subject_get
    from routearbeid.route.services import involvement_request
    from routearbeid.tests.people import make_user

    organisation = getattr(region1, kind)
    if kind == "swv":  # the RMC and Leerplicht are involved
        involvement_request(
            actor=region1.coordinator, case_id=full_case.pk, organisation_id=organisation.pk
        )
    if kind == "coordination":  # the route coordinator reads the agenda (a logged read)
        item = AgendaItem.objects.select_related("meeting").get(case=full_case)
        meeting_agenda(actor=region1.route_coordinator, meeting=item.meeting)
    officer = make_user(f"fg-{kind}", organisation, Role.PRIVACY_OFFICER)
    client.force_login(officer)
    response = client.get(reverse("privacy:inzage_json", args=[full_case.student_id]))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert "pgn" not in data["student"]
    assert "123456789" not in response.content.decode()
    assert data["student"]["last_name"] == "Haddad"
    student = privacy_subject_get(actor=officer, student_id=full_case.student_id)
    html = inzage_html(actor=actor_for(officer), student=student)
    assert "Haddad" in html and "123456789" not in html
    pdf = client.get(reverse("privacy:inzage_pdf", args=[full_case.student_id]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_school_and_work_service_officers_get_the_pgn(region1, full_case):
    from routearbeid.organisations.constants import Role
    from routearbeid.privacy.export import inzage_html
    from routearbeid.tests.people import make_user

    work_service_officer = make_user("fg-halte", region1.work_service, Role.PRIVACY_OFFICER)
    for officer in (region1.privacy_officer, work_service_officer):
        assert "123456789" in inzage_html(actor=actor_for(officer), student=full_case.student)
