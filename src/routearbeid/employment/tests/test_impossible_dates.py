"""Dates a youth's ABA, job or provision cannot have: an ABA filed before the case was opened or
confirmed received in the future, a job that started before the youth was born, a provision
dated before the youth was born. Each is refused at its field and writes nothing; the boundary
is accepted. A job or provision from before the case was opened is not refused: a youth may
keep a job that began before the route, and a provision (an LKV) goes with that job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from routearbeid.core.errors import DomainError
from routearbeid.employment import services as employment
from routearbeid.employment.constants import EmploymentKind, ProvisionKind, ProvisionStatus
from routearbeid.employment.models import AbaApplication, Employer, Employment, Provision
from routearbeid.route.models import Case
from routearbeid.tests.dates import BORN, OPENED, TODAY, dated_case, timeline, travel_to_today

BEFORE_OPENING = "The submission date cannot be before the case was opened (08-02-2025)."


@pytest.fixture(autouse=True)
def fixed_today():
    with travel_to_today():
        yield


@pytest.fixture
def case(region1) -> Case:
    return dated_case(region1)


@pytest.fixture
def employer() -> Employer:
    return Employer.objects.create(name="Bakkerij De Korenschoof", kvk_number="12345678")


# the message's source text and its values, for the page's (Dutch) translation of it
MESSAGES = {
    BEFORE_OPENING: (
        "The submission date cannot be before the case was opened (%(date)s).",
        {"date": "08-02-2025"},
    )
}


def shown(text) -> str:
    """The message as the (Dutch by default) page shows it."""
    source, values = MESSAGES.get(text, (text, None))
    with translation.override(settings.LANGUAGE_CODE):
        translated = translation.gettext(source)
    return translated % values if values else translated


def refused_by_api(response) -> None:
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/problem+json")


def action(case, name) -> str:
    return reverse("route:action", args=[case.student_id, name])


def field_error(response, form: str, field: str, message: str) -> None:
    """The page again (no redirect), with the message at the field, not above the form."""
    assert response.status_code == 200
    bound = response.context["forms"][form.replace("-", "_")]
    assert bound.errors[field] == [shown(message)]
    assert not bound.non_field_errors()
    assert bound.fields[field].widget.attrs["aria-invalid"] == "true"


# --- the ABA (R-ABA-1) ---------------------------------------------------------------------------


def submit(region1, case, on) -> AbaApplication:
    return employment.aba_application_submit(
        actor=region1.coordinator, case_id=case.pk, submitted_on=on
    )


@pytest.mark.parametrize("day", [OPENED - dt.timedelta(days=1), BORN, dt.date(1990, 1, 1)])
def test_r_aba_1_an_aba_filed_before_the_case_was_opened_is_refused(region1, case, day):
    """R-ABA-1: the school files the ABA as a step of the route: not before the case was opened
    (so not before the youth was born either)."""
    before = timeline(case)
    with pytest.raises(DomainError) as exc:
        submit(region1, case, day)
    assert str(exc.value) == BEFORE_OPENING
    assert exc.value.field == "submitted_on"
    assert not AbaApplication.objects.exists()
    assert timeline(case) == before


@pytest.mark.parametrize("day", [OPENED, TODAY])
def test_r_aba_1_an_aba_filed_from_the_opening_day_to_today_is_accepted(region1, case, day):
    assert submit(region1, case, day).submitted_on == day
    assert AbaApplication.objects.filter(case=case).count() == 1


def test_r_aba_1_the_aba_form_shows_a_date_before_the_opening_at_the_field(client, region1, case):
    client.force_login(region1.coordinator)
    url = action(case, "aba-submit")
    day = OPENED - dt.timedelta(days=1)
    response = client.post(url, {"aba-submit-submitted_on": day.isoformat()})
    field_error(response, "aba-submit", "submitted_on", BEFORE_OPENING)
    assert 'id="id_aba-submit-submitted_on_error"' in response.content.decode()
    assert not AbaApplication.objects.exists()
    response = client.post(url, {"aba-submit-submitted_on": OPENED.isoformat()})
    assert response.status_code == 302
    assert AbaApplication.objects.get().submitted_on == OPENED


def test_r_aba_1_the_api_answers_422_for_an_aba_filed_before_the_opening(region1, case, api):
    school = api(region1.coordinator)
    url = f"/api/v1/cases/{case.pk}/aba-applications"
    refused_by_api(school.post(url, {"submittedOn": "2025-02-07"}, format="json"))
    assert not AbaApplication.objects.exists()
    response = school.post(url, {"submittedOn": OPENED.isoformat()}, format="json")
    assert response.status_code == 201, response.content


def test_r_aba_1_receipt_confirmed_in_the_future_is_refused_today_is_accepted(region1, case):
    """UWV's confirmation of receipt has arrived by now; the check that it is not before the
    submission was there already."""
    aba = submit(region1, case, OPENED)
    before = timeline(case)
    with pytest.raises(DomainError) as exc:
        employment.aba_application_update(
            actor=region1.coordinator, aba_id=aba.pk, received_on=TODAY + dt.timedelta(days=1)
        )
    assert str(exc.value) == "The date of receipt cannot be in the future."
    assert exc.value.field == "received_on"
    assert AbaApplication.objects.get(pk=aba.pk).received_on is None
    assert timeline(case) == before
    updated = employment.aba_application_update(
        actor=region1.coordinator, aba_id=aba.pk, received_on=TODAY
    )
    assert updated.received_on == TODAY


def test_r_aba_1_the_answer_form_shows_a_decision_before_the_submission_at_the_field(
    client, region1, case
):
    """The check was there already; its message now stands at the decision date."""
    aba = submit(region1, case, TODAY - dt.timedelta(days=7))
    client.force_login(region1.coordinator)
    response = client.post(
        action(case, "aba-update"),
        {
            "aba-update-aba": aba.pk,
            "aba-update-decided_on": (TODAY - dt.timedelta(days=8)).isoformat(),
            "aba-update-outcome": "rejected",
        },
    )
    field_error(
        response, "aba-update", "decided_on", "The decision cannot be before the submission date."
    )
    # the message is the one the field names for assistive technology
    page = response.content.decode()
    assert 'aria-describedby="id_aba-update-decided_on_error"' in page
    assert 'id="id_aba-update-decided_on_error"' in page
    aba.refresh_from_db()
    assert (aba.decided_on, aba.outcome) == (None, "")


def test_r_aba_1_the_api_answers_422_for_a_receipt_in_the_future(region1, case, api):
    aba = submit(region1, case, OPENED)
    school = api(region1.coordinator)
    url = f"/api/v1/aba-applications/{aba.pk}"
    refused_by_api(school.patch(url, {"receivedOn": "2025-03-11"}, format="json"))
    assert AbaApplication.objects.get(pk=aba.pk).received_on is None
    response = school.patch(url, {"receivedOn": TODAY.isoformat()}, format="json")
    assert response.status_code == 200, response.content


# --- the job (R-UIT-1) ---------------------------------------------------------------------------


def employ(region1, case, employer, starts_on) -> Employment:
    return employment.employment_record(
        actor=region1.coordinator,
        case_id=case.pk,
        employer_id=employer.pk,
        kind=EmploymentKind.PERMANENT,
        starts_on=starts_on,
        hours_per_week=24,
    )


@pytest.mark.parametrize("day", [BORN - dt.timedelta(days=1), dt.date(1990, 1, 1)])
def test_r_uit_1_a_job_that_started_before_the_youth_was_born_is_refused(
    region1, case, employer, day
):
    before = timeline(case)
    with pytest.raises(DomainError) as exc:
        employ(region1, case, employer, day)
    assert str(exc.value) == "The start date cannot be before the student's date of birth."
    assert exc.value.field == "starts_on"
    assert not Employment.objects.exists()
    assert timeline(case) == before


@pytest.mark.parametrize("day", [BORN, dt.date(2024, 9, 1), OPENED, TODAY])
def test_r_uit_1_a_job_that_started_before_the_case_was_opened_is_accepted(
    region1, case, employer, day
):
    """A youth may keep the job they already had (a Saturday job since September, say) and leave
    school for it: a start before the case was opened is not refused; the day of birth is the
    boundary of what is impossible."""
    assert employ(region1, case, employer, day).starts_on == day


def test_r_uit_1_the_job_form_shows_a_start_before_birth_at_the_field(
    client, region1, case, employer
):
    client.force_login(region1.coordinator)
    body = {
        "employment-employer": employer.pk,
        "employment-kind": EmploymentKind.PERMANENT,
        "employment-starts_on": "1990-01-01",
        "employment-hours_per_week": "24",
    }
    response = client.post(action(case, "employment"), body)
    field_error(
        response,
        "employment",
        "starts_on",
        "The start date cannot be before the student's date of birth.",
    )
    assert not Employment.objects.exists()
    response = client.post(
        action(case, "employment"), {**body, "employment-starts_on": BORN.isoformat()}
    )
    assert response.status_code == 302
    assert Employment.objects.get().starts_on == BORN


def test_r_uit_1_the_api_answers_422_for_a_job_that_started_before_birth(
    region1, case, employer, api
):
    url = f"/api/v1/cases/{case.pk}/employments"
    body = {"employer": employer.pk, "kind": "permanent", "hoursPerWeek": 24}
    school = api(region1.coordinator)
    refused_by_api(school.post(url, {**body, "startsOn": "1990-01-01"}, format="json"))
    assert not Employment.objects.exists()
    response = school.post(url, {**body, "startsOn": "2024-09-01"}, format="json")
    assert response.status_code == 201, response.content


# --- provisions (R-ABA-4) ------------------------------------------------------------------------

BEFORE_BIRTH = {
    "status_on": "The status date cannot be before the student's date of birth.",
    "starts_on": "The start date cannot be before the student's date of birth.",
    "ends_on": "The end date cannot be before the student's date of birth.",
    "doelgroepverklaring_requested_on": (
        "The date the doelgroepverklaring was requested cannot be before the student's date of "
        "birth."
    ),
}


def provide(region1, case, **dates) -> Provision:
    return employment.provision_record(
        actor=region1.work_service_manager,
        case_id=case.pk,
        kind=ProvisionKind.JOB_COACHING,
        status=ProvisionStatus.ADVISED,
        **{"status_on": TODAY, **dates},
    )


@pytest.fixture
def work_service_takes_part(region1, case) -> Case:
    from routearbeid.route import services as route

    route.involvement_request(
        actor=region1.coordinator, case_id=case.pk, organisation_id=region1.work_service.pk
    )
    return case


@pytest.mark.parametrize("field", list(BEFORE_BIRTH))
@pytest.mark.parametrize("day", [BORN - dt.timedelta(days=1), dt.date(1990, 1, 1)])
def test_r_aba_4_a_provision_dated_before_the_youth_was_born_is_refused(
    region1, work_service_takes_part, field, day
):
    """R-ABA-4: a provision's status date, start, end and doelgroepverklaring date: none before
    the youth was born."""
    case = work_service_takes_part
    before = timeline(case)
    with pytest.raises(DomainError) as exc:
        provide(region1, case, **{field: day})
    assert str(exc.value) == BEFORE_BIRTH[field]
    assert exc.value.field == field
    assert not Provision.objects.exists()
    assert timeline(case) == before


def test_r_aba_4_a_provision_from_the_day_of_birth_or_before_the_case_is_accepted(
    region1, work_service_takes_part
):
    """The boundary (the day of birth), and a provision advised before the case was opened (it
    may go with a job the youth already had) is not refused."""
    case = work_service_takes_part
    provision = provide(
        region1,
        case,
        status_on=BORN,
        starts_on=BORN,
        ends_on=BORN,
        doelgroepverklaring_requested_on=BORN,
    )
    assert (provision.status_on, provision.starts_on, provision.ends_on) == (BORN, BORN, BORN)
    earlier = provide(region1, case, status_on=dt.date(2024, 9, 1))
    assert earlier.status_on == dt.date(2024, 9, 1)


def test_r_aba_4_the_provision_form_shows_a_status_date_before_birth_at_the_field(
    client, region1, work_service_takes_part
):
    case = work_service_takes_part
    client.force_login(region1.work_service_manager)
    body = {
        "provision-kind": ProvisionKind.JOB_COACHING,
        "provision-status": ProvisionStatus.ADVISED,
        "provision-status_on": "1990-01-01",
    }
    response = client.post(action(case, "provision"), body)
    field_error(response, "provision", "status_on", BEFORE_BIRTH["status_on"])
    assert not Provision.objects.exists()
    response = client.post(
        action(case, "provision"), {**body, "provision-status_on": TODAY.isoformat()}
    )
    assert response.status_code == 302
    assert Provision.objects.get().status_on == TODAY


def test_r_aba_4_the_api_answers_422_for_a_provision_before_birth(
    region1, work_service_takes_part, api
):
    case = work_service_takes_part
    url = f"/api/v1/cases/{case.pk}/provisions"
    body = {"kind": "job_coaching", "status": "advised", "statusOn": TODAY.isoformat()}
    manager = api(region1.work_service_manager)
    refused_by_api(manager.post(url, {**body, "startsOn": "1990-01-01"}, format="json"))
    assert not Provision.objects.exists()
    response = manager.post(url, {**body, "startsOn": BORN.isoformat()}, format="json")
    assert response.status_code == 201, response.content
