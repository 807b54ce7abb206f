"""A youth with a record in every table (for the inzage export and retention tests)."""

import datetime as dt

import pytest

from routearbeid.aftercare import services as aftercare_services
from routearbeid.aftercare.models import AftercareCheck
from routearbeid.core.dates import today
from routearbeid.employment import services as employment_services
from routearbeid.meetings import services as meeting_services
from routearbeid.route import services as route_services
from routearbeid.route.constants import HandoverForm, LegalBasis
from routearbeid.students.models import Guardian


def build_full_case(region1, *, on: dt.date | None = None):
    """A case through every step, with ABA, provision, exemption, meeting advice and action,
    a consented handover, check-in, self-report, signal and a guardian; returns the case."""
    on = on or today()
    r = region1
    student = r.student(
        age=17,
        first_name="Rania",
        last_name="Haddad",
        pgn="123456789",
        email="rania@example.org",
        phone="0612345678",
        languages="Arabisch",
        class_name="ISK-3",
        arrival_date=on - dt.timedelta(days=900),
        mentor=r.mentor,
    )
    Guardian.objects.create(
        student=student, name="Samir Haddad", relation="vader", phone="0611111111"
    )
    case = r.open_case(student, on=on)
    r.involve(case, on=on)
    decision = r.decide_work(case, on=on)
    item = decision.agenda_item
    meeting_services.advice_record(
        actor=r.rmc_officer,
        agenda_item_id=item.pk,
        organisation_id=r.rmc.pk,
        text="RMC adviseert werk met scholing.",
    )
    meeting_services.action_add(
        actor=r.route_coordinator,
        agenda_item_id=item.pk,
        description="Rania bellen over werkgever",
        owner_organisation_id=r.school.pk,
        due_on=on,
    )
    aba = employment_services.aba_application_submit(
        actor=r.coordinator, case_id=case.pk, submitted_on=on
    )
    employment_services.aba_application_update(
        actor=r.coordinator,
        aba_id=aba.pk,
        received_on=on,
        decided_on=on,
        outcome="indicatie_banenafspraak",
    )
    route_services.guardians_record(actor=r.coordinator, case_id=case.pk, involved=True)
    route_services.handover_record(
        actor=r.coordinator,
        case_id=case.pk,
        receiving_organisation_id=r.work_service.pk,
        receiving_person="K. Manager",
        handed_over_on=on,
        form=HandoverForm.JOINT_MEETING,
        legal_basis=LegalBasis.CONSENT,
        consent_given_on=on,
        consent_given_by="Rania Haddad (jongere)",
        purpose="Begeleiding naar werk door Halte Werk",
    )
    employment = r.employ(
        case,
        kind="dual_track",
        starts_on=on,
        training_institution="ROC",
        enrolment_reference="E-77",
    )
    employment_services.provision_record(
        actor=r.coordinator,
        case_id=case.pk,
        kind="job_coaching",
        status="granted",
        status_on=on,
        employment_id=employment.pk,
        notes="Jobcoach twee uur per week",
    )
    route_services.exemption_record(
        actor=r.coordinator,
        case_id=case.pk,
        reference="VR-2026-001",
        decided_on=on,
        ends_on=on,
    )
    r.outflow(case, on=on)
    check = AftercareCheck.objects.filter(case=case).order_by("sequence").first()
    aftercare_services.aftercare_check_record(
        actor=r.coordinator,
        check_id=check.pk,
        recorded_on=on,
        contact_made=True,
        situation="working_same_employer",
        notes="Gaat goed op het werk",
        follow_up="Halte Werk bellen",
    )
    aftercare_services.self_report_record(
        actor=r.coordinator,
        case_id=case.pk,
        kind="job_at_risk",
        channel="phone",
        message="Mijn baas is boos",
        contact_phone="0687654321",
    )
    case.refresh_from_db()
    return case


@pytest.fixture
def full_case(region1):
    return build_full_case(region1)
