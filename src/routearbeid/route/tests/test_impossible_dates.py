"""Dates a partner's record on a case cannot have: an involvement before the case was opened,
consent before the youth was born or in the future, an exemption decided before the youth was born
or ended before the case was opened. Each is refused and writes nothing; the boundary is accepted."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from routearbeid.core.errors import DomainError
from routearbeid.route import services as route
from routearbeid.route.constants import LegalBasis
from routearbeid.route.models import Case, ExemptionDecision, Involvement, TimelineEvent

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = dt.date(2025, 3, 10)
OPENED = dt.date(2025, 2, 8)  # TODAY - 30 days
BORN = dt.date(2008, 6, 1)  # 16 when the case is opened


@pytest.fixture(autouse=True)
def fixed_today():
    with time_machine.travel(dt.datetime(2025, 3, 10, 10, 0, tzinfo=AMSTERDAM), tick=False):
        yield


@pytest.fixture
def case(region1) -> Case:
    student = region1.student(age=16)
    student.date_of_birth = BORN
    student.save(update_fields=["date_of_birth"])
    case = region1.open_case(student, on=OPENED)
    for org in (region1.rmc, region1.leerplicht):
        route.involvement_request(
            actor=region1.coordinator, case_id=case.pk, organisation_id=org.pk, on=OPENED
        )
    return case


def timeline(case) -> int:
    return TimelineEvent.objects.filter(case=case).count()


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
