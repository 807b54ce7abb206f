"""The handover document (R-HO-1): a PDF for the receiving organisation, only for who may see the case."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from routearbeid.core.dates import school_year_end, today
from routearbeid.employment.services import provision_record
from routearbeid.processing_log.models import ProcessingLogRecord
from routearbeid.route.handover_document import (
    _css_content,
    document_context,
    document_html,
    handover_document_generate,
)
from routearbeid.route.models import TimelineEvent
from routearbeid.route.services import exemption_record
from routearbeid.students.models import Guardian


def shown(text: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(text)


def pdf_text(pdf: bytes) -> str | None:
    """The text of the PDF (poppler's pdftotext, or pypdf when installed); None without either."""
    if shutil.which("pdftotext"):
        done = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
        )
        return done.stdout.decode()
    try:
        import io

        from pypdf import PdfReader
    except ImportError:
        return None
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def handed_over(region1):
    """A youth of school A, ready for outflow: profile work, ABA skipped, handover to the work service, a job."""
    case = region1.ready_for_outflow(
        first_name="Amina",
        last_name="Haddad",
        pgn="123456789",
        languages="Arabisch, Nederlands (A2)",
        phone="0612345678",
        email="amina@example.nl",
    )
    Guardian.objects.create(
        student=case.student,
        name="Yusuf Haddad",
        relation="vader",
        language="Arabisch",
        phone="0687654321",
    )
    return case


def url(case) -> str:
    return reverse("route:handover_pdf", args=[case.student_id])


def test_school_gets_the_pdf_with_the_youths_name(client, region1, handed_over):
    client.force_login(region1.coordinator)
    response = client.get(url(handed_over))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "overdrachtsdocument-amina-haddad.pdf" in response["Content-Disposition"]
    assert "no-store" in response.get("Cache-Control", "") or "max-age=0" in response.get(
        "Cache-Control", ""
    )
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    if text is None:
        pytest.skip("neither pdftotext (poppler-utils) nor pypdf to read the PDF's text")
    assert "Amina Haddad" in text
    assert region1.work_service.name in text
    assert "K. Manager" in text


def test_generating_appends_a_timeline_event_and_logs_the_read(client, region1, handed_over):
    client.force_login(region1.coordinator)
    assert client.get(url(handed_over)).status_code == 200
    event = TimelineEvent.objects.get(case=handed_over, kind="handover_document")
    assert event.actor == region1.coordinator
    assert event.organisation == region1.school
    assert (
        ProcessingLogRecord.objects.filter(
            activity="route.handover",
            operation="read",
            subject_student_id=handed_over.student_id,
            actor=region1.coordinator,
        ).count()
        == 1
    )


def test_receiving_organisation_gets_it_after_the_handover(client, region1, handed_over):
    client.force_login(region1.work_service_manager)
    response = client.get(url(handed_over))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert TimelineEvent.objects.filter(
        case=handed_over, kind="handover_document", actor=region1.work_service_manager
    ).exists()


@pytest.mark.parametrize(
    "who",
    [
        "other_coordinator",  # another school
        "admin",  # functional administrator: no case data
        "swv_officer",  # not involved
        "rmc_officer",  # involved, sees the case on screen, but is not the receiving organisation
        "route_coordinator",  # sees the case through the outflow meeting's agenda
    ],
)
def test_who_may_not_see_the_case_gets_not_found_and_nothing_is_recorded(
    client, region1, handed_over, who
):
    client.force_login(getattr(region1, who))
    assert client.get(url(handed_over)).status_code == 404
    assert not TimelineEvent.objects.filter(case=handed_over, kind="handover_document").exists()
    assert not ProcessingLogRecord.objects.filter(
        activity="route.handover", operation="read"
    ).exists()


def test_work_service_before_the_handover_gets_not_found(client, region1):
    case = region1.open_case()
    client.force_login(region1.work_service_manager)
    assert client.get(url(case)).status_code == 404


def test_student_without_a_case_or_unknown_is_not_found(client, region1):
    student = region1.student()
    client.force_login(region1.coordinator)
    assert client.get(reverse("route:handover_pdf", args=[student.pk])).status_code == 404
    assert client.get(reverse("route:handover_pdf", args=[999999])).status_code == 404


def test_anonymous_is_sent_to_login(client, region1, handed_over):
    response = client.get(url(handed_over))
    assert response.status_code == 302
    assert not TimelineEvent.objects.filter(kind="handover_document").exists()


def test_only_get(client, region1, handed_over):
    client.force_login(region1.coordinator)
    assert client.post(url(handed_over)).status_code == 405


# --- what the document says -------------------------------------------------------------------


def test_document_has_what_the_receiving_organisation_needs(region1, handed_over):
    from routearbeid.organisations.actors import actor_for

    case = handed_over
    provision_record(
        actor=region1.coordinator,
        case_id=case.pk,
        kind="job_coaching",
        status="granted",
        status_on=today(),
        notes="Coach twee uur per week",
    )
    html = document_html(document_context(actor_for(region1.coordinator), case))
    for text in (
        "Amina Haddad",
        "Arabisch, Nederlands (A2)",
        "0612345678",
        "amina@example.nl",
        "123456789",
        region1.school.name,
        "R. Monitor",
        "Werk past bij deze jongere.",
        "L. Plicht",
        "Akkoord met werk.",  # involvements and advice
        "Wil direct werken; mbo is nu geen haalbare optie.",  # decision and R-OVL-3 reason
        "Geen arbeidsbeperking.",  # ABA skipped
        "Coach twee uur per week",  # provisions
        "Werkgever ",  # the job
        "Yusuf Haddad",  # guardians
        region1.work_service.name,
        "K. Manager",
        today().strftime("%d-%m-%Y"),  # the handover
    ):
        assert text in html, text
    assert 'lang="nl"' in html
    assert "style=" not in html and "<script" not in html


def test_pgn_only_for_roles_that_may_see_it(region1, handed_over):
    from routearbeid.organisations.actors import actor_for
    from routearbeid.route.services import involvement_request

    involvement_request(
        actor=region1.coordinator, case_id=handed_over.pk, organisation_id=region1.swv.pk
    )
    school = document_html(document_context(actor_for(region1.coordinator), handed_over))
    swv = document_html(document_context(actor_for(region1.swv_officer), handed_over))
    assert "123456789" in school
    assert "123456789" not in swv
    assert "Amina Haddad" in swv


def test_exemption_is_shown_when_recorded(region1):
    from routearbeid.organisations.actors import actor_for

    case = region1.open_case(age=17)
    exemption_record(
        actor=region1.coordinator,
        case_id=case.pk,
        reference="LP-2025-042",
        decided_on=today(),
        ends_on=school_year_end(today()),
    )
    html = document_html(document_context(actor_for(region1.coordinator), case))
    assert "LP-2025-042" in html


def test_document_without_handover_or_job_says_so(region1):
    from routearbeid.organisations.actors import actor_for

    case = region1.open_case()
    html = document_html(document_context(actor_for(region1.coordinator), case))
    assert shown("No warm handover recorded yet. Outflow requires one.") in html
    assert shown("No job recorded yet.") in html


def test_user_input_is_escaped(region1):
    from routearbeid.organisations.actors import actor_for

    case = region1.open_case(
        first_name="<img src=x>", languages='<link rel="stylesheet" href="http://x">'
    )
    html = document_html(document_context(actor_for(region1.coordinator), case))
    assert "<img src=x>" not in html and "<link rel" not in html
    _case, pdf = handover_document_generate(actor=region1.coordinator, student_id=case.student_id)
    assert pdf.startswith(b"%PDF")


def test_page_numbers_in_css_follow_the_translation():
    assert _css_content(
        "Pagina %(page)s van %(pages)s", page="counter(page)", pages="counter(pages)"
    ) == ('"Pagina " counter(page) " van " counter(pages)')
    assert _css_content('%(page)s "/" %(pages)s', page="counter(page)", pages="counter(pages)") == (
        'counter(page) " \\"/\\" " counter(pages)'
    )


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm (poppler-utils) not installed")
def test_first_page_renders_to_an_image(region1, handed_over, tmp_path):
    _case, pdf = handover_document_generate(
        actor=region1.coordinator, student_id=handed_over.student_id
    )
    (tmp_path / "doc.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "doc.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    pages = list(tmp_path.glob("page*.png"))
    assert len(pages) == 1
    assert pages[0].read_bytes().startswith(b"\x89PNG")


def test_other_receiving_party_gets_it_without_the_pgn(client, region1):
    """R-HO-1: the handover can go to another party than the work service; the SWV may not see the PGN."""
    from routearbeid.route.constants import HandoverForm, LegalBasis
    from routearbeid.route.services import handover_record

    case = region1.open_case(first_name="Omar", last_name="Saleh", pgn="987654321")
    handover_record(
        actor=region1.coordinator,
        case_id=case.pk,
        receiving_organisation_id=region1.swv.pk,
        receiving_person="S. Verband",
        handed_over_on=today(),
        form=HandoverForm.MEETING,
        legal_basis=LegalBasis.CONSENT,
        consent_given_on=today(),
        consent_given_by="Omar Saleh",
    )
    client.force_login(region1.swv_officer)
    response = client.get(url(case))
    assert response.status_code == 200
    text = pdf_text(response.content)
    if text is None:
        pytest.skip("neither pdftotext (poppler-utils) nor pypdf to read the PDF's text")
    assert "Omar Saleh" in text
    assert "S. Verband" in text
    assert "987654321" not in text
    client.force_login(region1.coordinator)
    assert "987654321" in pdf_text(client.get(url(case)).content)
