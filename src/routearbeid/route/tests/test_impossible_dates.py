"""Dates a case and a partner's record on it cannot have: a case opened in the future or before the
youth was born, a partner asked in the future or before the case was opened, an involvement before
the case was opened, consent before the youth was born or in the future, an exemption decided
before the youth was born or ended before the case was opened. Each is refused and writes
nothing; the boundary is accepted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from routearbeid.core.errors import DomainError, TransitionBlocked
from routearbeid.route import services as route
from routearbeid.route.constants import LegalBasis
from routearbeid.route.models import Case, ExemptionDecision, Involvement, TimelineEvent
from routearbeid.tests.dates import BORN, OPENED, TODAY, dated_case, timeline, travel_to_today


@pytest.fixture(autouse=True)
def fixed_today():
    with travel_to_today():
        yield


@pytest.fixture
def case(region1) -> Case:
    case = dated_case(region1)
    for org in (region1.rmc, region1.leerplicht):
        route.involvement_request(
            actor=region1.coordinator, case_id=case.pk, organisation_id=org.pk, on=OPENED
        )
    return case


def record_rmc(region1, case, involved_on, **kwargs):
    return route.involvement_record(
        actor=region1.rmc_officer,
        case_id=case.pk,
        organisation_id=region1.rmc.pk,
        person_name="R. Monitor",
        involved_on=involved_on,
        advice="Werk past bij deze jongere.",
        **kwargs,
    )


def rmc_involvement(region1, case) -> tuple:
    involvement = Involvement.objects.get(case=case, organisation=region1.rmc)
    return (involvement.person_name, involvement.involved_on, involvement.consent_given_on)


# --- involvement (R-OVL-2) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "day", [dt.date(1990, 1, 1), BORN - dt.timedelta(days=1), OPENED - dt.timedelta(days=1)]
)
def test_r_ovl_2_involvement_before_the_case_was_opened_is_refused(region1, case, day):
    """R-OVL-2: the date of involvement in the case is not before the case was opened (so not
    before the youth was born either); nothing is recorded."""
    before = timeline(case)
    with pytest.raises(DomainError) as exc:
        record_rmc(region1, case, day)
    assert "before the case was opened" in str(exc.value)
    assert rmc_involvement(region1, case) == ("", None, None)
    assert timeline(case) == before


@pytest.mark.parametrize("day", [OPENED, TODAY])
def test_r_ovl_2_involvement_from_the_opening_day_to_today_is_accepted(region1, case, day):
    """R-OVL-2: the boundary: involved on the day the case was opened."""
    record_rmc(region1, case, day)
    assert rmc_involvement(region1, case) == ("R. Monitor", day, None)


@pytest.mark.parametrize(
    ("consent_on", "words"),
    [
        (TODAY + dt.timedelta(days=1), "future"),
        (BORN - dt.timedelta(days=1), "date of birth"),
        (dt.date(1990, 1, 1), "date of birth"),
    ],
)
def test_r_ovl_2_consent_in_the_future_or_before_birth_is_refused(region1, case, consent_on, words):
    """R-OVL-2: with consent as legal basis, consent was given by now and after the youth was born
    (the form checks the future too; the API and other callers meet the service's check)."""
    before = timeline(case)
    with pytest.raises(DomainError) as exc:
        record_rmc(
            region1,
            case,
            TODAY,
            legal_basis=LegalBasis.CONSENT,
            consent_given_on=consent_on,
            consent_given_by="De jongere",
        )
    assert words in str(exc.value)
    assert rmc_involvement(region1, case) == ("", None, None)
    assert timeline(case) == before


@pytest.mark.parametrize("consent_on", [BORN, OPENED - dt.timedelta(days=100), TODAY])
def test_r_ovl_2_consent_before_the_case_is_accepted(region1, case, consent_on):
    """R-OVL-2: consent may have been given before the case was opened (at intake, say); the day
    of birth and today are the boundaries."""
    record_rmc(
        region1,
        case,
        TODAY,
        legal_basis=LegalBasis.CONSENT,
        consent_given_on=consent_on,
        consent_given_by="De jongere",
    )
    assert rmc_involvement(region1, case) == ("R. Monitor", TODAY, consent_on)


# --- exemption (R-UIT-2) -------------------------------------------------------------------------


def exempt(region1, case, decided_on, ends_on):
    return route.exemption_record(
        actor=region1.leerplicht_officer,
        case_id=case.pk,
        reference="LP-2025-17",
        decided_on=decided_on,
        ends_on=ends_on,
    )


@pytest.fixture
def leerplicht_case(region1, case) -> Case:
    """Leerplicht takes part, so its officer sees the case (a youth under 18)."""
    route.involvement_record(
        actor=region1.leerplicht_officer,
        case_id=case.pk,
        organisation_id=region1.leerplicht.pk,
        person_name="L. Plicht",
        involved_on=OPENED,
        advice="Akkoord met werk.",
    )
    return case


@pytest.mark.parametrize(
    ("decided_on", "ends_on", "words"),
    [
        # what the tester did: decided 01-12-1990, ending 31-07-1991, for a youth born in 2008
        (dt.date(1990, 12, 1), dt.date(1991, 7, 31), "date of birth"),
        (BORN - dt.timedelta(days=1), dt.date(2008, 7, 31), "date of birth"),
        # decided on the day of birth is not refused for that, but it ended long before the case
        (BORN, dt.date(2008, 7, 31), "ended before the case was opened (08-02-2025)"),
        # decided this school year, but ended the day before the case was opened
        (dt.date(2025, 1, 6), OPENED - dt.timedelta(days=1), "ended before the case was opened"),
    ],
)
def test_r_uit_2_an_exemption_before_birth_or_ended_before_the_case_is_refused(
    region1, leerplicht_case, decided_on, ends_on, words
):
    """R-UIT-2: an exemption is decided after the youth was born, and one that ended before the
    case was opened can never be valid on its outflow date; nothing is recorded."""
    case = leerplicht_case
    before = timeline(case)
    with pytest.raises(DomainError) as exc:
        exempt(region1, case, decided_on, ends_on)
    assert exc.value.rule_ids == ("R-UIT-2",)
    assert words in str(exc.value)
    assert not ExemptionDecision.objects.filter(case=case).exists()
    assert timeline(case) == before


@pytest.mark.parametrize(
    ("decided_on", "ends_on"),
    [
        (dt.date(2025, 1, 6), OPENED),  # decided before the case, ends on its opening day
        (OPENED, dt.date(2025, 7, 31)),
        (TODAY, TODAY),  # ends on the day it was decided
    ],
)
def test_r_uit_2_a_plausible_exemption_is_accepted(region1, leerplicht_case, decided_on, ends_on):
    """R-UIT-2: Leerplicht may have decided before the case was opened; the boundaries hold."""
    exemption = exempt(region1, leerplicht_case, decided_on, ends_on)
    assert (exemption.decided_on, exemption.ends_on) == (decided_on, ends_on)
    assert ExemptionDecision.objects.filter(case=leerplicht_case).count() == 1


# --- opening (R-START-1) -------------------------------------------------------------------------


def shown(text) -> str:
    """The message as the (Dutch by default) page shows it."""
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(text)


@pytest.fixture
def youth(region1):
    """Born 01-06-2008: 16 since 01-06-2024, so the route is open to them (R-START-1)."""
    student = region1.student(age=16)
    student.date_of_birth = BORN
    student.save(update_fields=["date_of_birth"])
    return student


def open_on(region1, youth, day):
    return route.case_open(actor=region1.coordinator, student_id=youth.pk, opened_on=day)


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (TODAY + dt.timedelta(days=1), "The opening date cannot be in the future."),
        (dt.date(2031, 1, 1), "The opening date cannot be in the future."),
        (
            BORN - dt.timedelta(days=1),
            "The opening date cannot be before the student's date of birth.",
        ),
        (dt.date(1990, 1, 1), "The opening date cannot be before the student's date of birth."),
    ],
)
def test_r_start_1_a_case_opened_in_the_future_or_before_birth_is_refused(
    region1, youth, day, words
):
    """R-START-1: a case is opened by today, and not before the youth was born (before, the age
    check would have said "this student is -17"); the message is about the opening date."""
    with pytest.raises(DomainError) as exc:
        open_on(region1, youth, day)
    assert str(exc.value) == words
    assert exc.value.field == "opened_on"
    assert not Case.objects.exists()
    assert not TimelineEvent.objects.exists()


def test_r_start_1_opening_today_is_accepted_and_on_the_day_of_birth_the_age_rule_answers(
    region1, youth
):
    """The boundaries: today is accepted; the day of birth passes this check and meets the age
    rule (R-START-1: 16 or older on the opening date) instead."""
    with pytest.raises(TransitionBlocked) as exc:
        open_on(region1, youth, BORN)
    assert exc.value.rule_ids == ("R-START-1",)
    assert not Case.objects.exists()
    case = open_on(region1, youth, TODAY)
    assert case.opened_on == TODAY


def test_r_start_1_the_open_form_shows_a_future_date_at_the_field_and_opens_nothing(
    client, region1, youth
):
    client.force_login(region1.coordinator)
    url = reverse("route:open", args=[youth.pk])
    response = client.post(url, {"open-opened_on": (TODAY + dt.timedelta(days=1)).isoformat()})
    assert response.status_code == 200
    form = response.context["open_form"]
    assert form.errors["opened_on"] == [shown("The opening date cannot be in the future.")]
    assert not form.non_field_errors()
    page = response.content.decode()
    assert 'id="id_open-opened_on_error"' in page
    assert 'aria-describedby="id_open-opened_on_error"' in page
    assert not Case.objects.exists()
    response = client.post(url, {"open-opened_on": TODAY.isoformat()})
    assert response.status_code == 302
    assert Case.objects.get().opened_on == TODAY


def test_r_start_1_the_api_answers_422_for_an_opening_before_birth(region1, youth, api):
    school = api(region1.coordinator)
    for day in ("1990-01-01", (TODAY + dt.timedelta(days=1)).isoformat()):
        response = school.post(
            "/api/v1/cases", {"student": youth.pk, "openedOn": day}, format="json"
        )
        assert response.status_code == 422, response.content
        assert response["Content-Type"].startswith("application/problem+json")
    assert not Case.objects.exists()
    response = school.post(
        "/api/v1/cases", {"student": youth.pk, "openedOn": TODAY.isoformat()}, format="json"
    )
    assert response.status_code == 201, response.content


# --- asking a partner to take part (R-OVL-2) -----------------------------------------------------


@pytest.fixture
def opened(region1, youth) -> Case:
    return open_on(region1, youth, OPENED)


def ask_swv(region1, case, on):
    return route.involvement_request(
        actor=region1.coordinator, case_id=case.pk, organisation_id=region1.swv.pk, on=on
    )


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (TODAY + dt.timedelta(days=1), "The request date cannot be in the future."),
        (
            OPENED - dt.timedelta(days=1),
            "The request date cannot be before the case was opened (08-02-2025).",
        ),
        (
            dt.date(1990, 1, 1),
            "The request date cannot be before the case was opened (08-02-2025).",
        ),
    ],
)
def test_r_ovl_2_a_partner_asked_in_the_future_or_before_the_case_is_refused(
    region1, opened, day, words
):
    """R-OVL-2: the school asks a partner to take part in the case: by today, and not before the
    case was opened. (The screen and the API ask with today's date; other callers give one.)"""
    before = timeline(opened)
    with pytest.raises(DomainError) as exc:
        ask_swv(region1, opened, day)
    assert str(exc.value) == words
    assert not Involvement.objects.filter(case=opened).exists()
    assert timeline(opened) == before


@pytest.mark.parametrize("day", [OPENED, TODAY, None])
def test_r_ovl_2_a_partner_asked_from_the_opening_day_to_today_is_accepted(region1, opened, day):
    """R-OVL-2: the boundaries, and no date at all (today)."""
    involvement = ask_swv(region1, opened, day)
    assert involvement.requested_on == (day or TODAY)
    assert Involvement.objects.filter(case=opened).count() == 1
