"""The employer pages (/werkgevers/): who sees them, what they count, adding one, fixed queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from routearbeid.core.dates import add_months, today
from routearbeid.employment.models import Employer, Employment
from routearbeid.processing_log.models import ProcessingLogRecord

LIST = reverse("employment:list")


def shown(text: str) -> str:
    """The text as the (Dutch by default) page shows it."""
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(text)


def detail(employer) -> str:
    return reverse("employment:detail", args=[employer.pk])


def employer(n: int = 1, **kwargs) -> Employer:
    return Employer.objects.create(
        name=kwargs.pop("name", f"Bedrijf {n:02d}"),
        kvk_number=kwargs.pop("kvk_number", f"{20000000 + n}"),
        contact_name=kwargs.pop("contact_name", f"Contact {n}"),
        sector="Logistiek",
        place="Alkmaar",
        **kwargs,
    )


def place(
    region1, at: Employer, *, school=None, kind="permanent", starts_on=None, ends_on=None, **student
):
    """A case of a student of `school` (default school A) with a job at `at`, recorded by that school."""
    from routearbeid.employment.services import employment_record
    from routearbeid.route.services import case_open

    school = school or region1.school
    coordinator = region1.coordinator if school == region1.school else region1.other_coordinator
    s = region1.student(school=school, **student)
    case = case_open(actor=coordinator, student_id=s.pk)
    return employment_record(
        actor=coordinator,
        case_id=case.pk,
        employer_id=at.pk,
        kind=kind,
        starts_on=starts_on or today(),
        ends_on=ends_on,
        hours_per_week=24,
    )


# --- who sees the pages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    [
        "coordinator",
        "mentor",
        "work_service_manager",
        "rmc_officer",
        "leerplicht_officer",
        "swv_officer",
    ],
)
def test_every_case_role_sees_the_employer_pages(client, region1, who):
    e = employer()
    client.force_login(getattr(region1, who))
    assert client.get(LIST).status_code == 200
    assert client.get(detail(e)).status_code == 200


@pytest.mark.parametrize("who", ["admin", "route_coordinator"])
def test_administrator_and_route_coordinator_get_not_found(client, region1, who):
    e = employer()
    client.force_login(getattr(region1, who))
    assert client.get(LIST).status_code == 404
    assert client.get(detail(e)).status_code == 404
    response = client.post(LIST, {"employer-name": "X", "employer-kvk_number": "12345678"})
    assert response.status_code == 404
    assert not Employer.objects.filter(kvk_number="12345678").exists()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_unknown_employer_is_not_found(client, region1):
    client.force_login(region1.coordinator)
    assert client.get(reverse("employment:detail", args=[999999])).status_code == 404


# --- the list --------------------------------------------------------------------------------


def test_list_shows_employer_facts(client, region1):
    employer(name="Bakkerij De Korst", kvk_number="12345678", contact_name="Mevr. Bakker")
    client.force_login(region1.coordinator)
    page = client.get(LIST).content.decode()
    for text in ("Bakkerij De Korst", "12345678", "Mevr. Bakker", "Logistiek", "Alkmaar"):
        assert text in page


def test_list_counts_only_youth_the_actor_may_see(client, region1):
    e = employer()
    end = add_months(today(), 2)
    place(region1, e)  # school A
    place(region1, e, kind="fixed_term", ends_on=end)  # school A, ends in 2 months
    place(
        region1,
        e,
        school=region1.other_school,
        kind="fixed_term",
        ends_on=today() + dt.timedelta(days=3),
    )

    client.force_login(region1.coordinator)
    row = client.get(LIST).context["rows"][0]
    assert row.youth_count == 2
    assert row.nearest_end == end  # school B's earlier end is not visible to school A
    assert row.ends_soon

    client.force_login(region1.other_coordinator)
    row = client.get(LIST).context["rows"][0]
    assert row.youth_count == 1
    assert row.nearest_end == today() + dt.timedelta(days=3)

    client.force_login(region1.swv_officer)  # SWV is not involved in any of these cases
    row = client.get(LIST).context["rows"][0]
    assert row.youth_count == 0
    assert row.nearest_end is None


def test_list_does_not_count_ended_jobs(client, region1):
    from routearbeid.employment.services import employment_end

    e = employer()
    job = place(region1, e, starts_on=today() - dt.timedelta(days=60))
    employment_end(
        actor=region1.coordinator, employment_id=job.pk, ended_on=today() - dt.timedelta(days=1)
    )
    client.force_login(region1.coordinator)
    assert client.get(LIST).context["rows"][0].youth_count == 0


def test_work_service_sees_youth_after_the_handover(client, region1):
    e = employer()
    job = place(region1, e)
    client.force_login(region1.work_service_manager)
    assert client.get(LIST).context["rows"][0].youth_count == 0
    region1.hand_over(job.case)
    assert client.get(LIST).context["rows"][0].youth_count == 1


@pytest.mark.parametrize("q", ["korst", "KORST", "1234", "1234 5678", "12345678"])
def test_search_by_name_or_kvk(client, region1, q):
    employer(1, name="Bakkerij De Korst", kvk_number="12345678")
    employer(2, name="Groenbedrijf", kvk_number="87654321")
    client.force_login(region1.coordinator)
    names = [r.name for r in client.get(LIST, {"q": q}).context["rows"]]
    assert names == ["Bakkerij De Korst"]


def test_search_without_result_and_odd_input_is_no_error(client, region1):
    employer()
    client.force_login(region1.coordinator)
    for params in (
        {"q": "zzz"},
        {"q": "%_'\"<script>" * 20},
        {"sort": "bogus", "page": "x"},
        {"page": "999"},
    ):
        response = client.get(LIST, params)
        assert response.status_code == 200
    assert (
        shown("No employer matches this search.") in client.get(LIST, {"q": "zzz"}).content.decode()
    )


def test_sort_by_nearest_contract_end(client, region1):
    late, soon, none = (
        employer(1, name="A Laat"),
        employer(2, name="B Snel"),
        employer(3, name="C Geen"),
    )
    place(region1, late, kind="fixed_term", ends_on=add_months(today(), 10))
    place(region1, soon, kind="fixed_term", ends_on=add_months(today(), 1))
    client.force_login(region1.coordinator)
    names = [r.name for r in client.get(LIST, {"sort": "end"}).context["rows"]]
    assert names == [soon.name, late.name, none.name]


# --- adding an employer ---------------------------------------------------------------------------


def test_add_employer(client, region1):
    client.force_login(region1.work_service_manager)
    response = client.post(
        LIST,
        {
            "employer-name": "Bouwbedrijf Noord",
            "employer-kvk_number": "1234 5678",
            "employer-contact_name": "J. de Vries",
            "employer-contact_email": "j@example.nl",
            "employer-sector": "Bouw",
            "employer-place": "Heerhugowaard",
        },
    )
    new = Employer.objects.get(kvk_number="12345678")
    assert response.status_code == 302
    assert response["Location"] == detail(new)
    assert new.name == "Bouwbedrijf Noord" and new.place == "Heerhugowaard"


@pytest.mark.parametrize("kvk", ["1234567", "123456789", "abcdefgh", "", "1234-567"])
def test_add_employer_refuses_a_kvk_number_without_8_digits(client, region1, kvk):
    client.force_login(region1.coordinator)
    response = client.post(LIST, {"employer-name": "Bedrijf", "employer-kvk_number": kvk})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page
    assert 'aria-invalid="true"' in page
    assert "kvk_number" in response.context["form"].errors
    if kvk:
        assert shown("A KvK number has 8 digits.") in page
    assert not Employer.objects.exists()


def test_add_employer_with_a_duplicate_kvk_number_says_so_and_links_the_existing_one(
    client, region1
):
    existing = employer(name="Bestaand BV", kvk_number="12345678")
    client.force_login(region1.coordinator)
    response = client.post(LIST, {"employer-name": "Nieuw BV", "employer-kvk_number": "12345678"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page
    assert shown("An employer with this KvK number already exists.") in page
    assert detail(existing) in page
    # the input points at its help text and its error message, and both exist
    assert 'aria-describedby="id_employer-kvk_number-help id_employer-kvk_number-error"' in page
    assert (
        'id="id_employer-kvk_number-help"' in page and 'id="id_employer-kvk_number-error"' in page
    )
    assert Employer.objects.count() == 1


def test_add_employer_without_a_name_or_with_a_bad_email_shows_errors(client, region1):
    client.force_login(region1.coordinator)
    response = client.post(
        LIST,
        {
            "employer-name": "  ",
            "employer-kvk_number": "12345678",
            "employer-contact_email": "geen-adres",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"name", "contact_email"}
    assert not Employer.objects.exists()


def test_every_field_of_the_add_form_has_a_label(client, region1):
    client.force_login(region1.coordinator)
    page = client.get(LIST).content.decode()
    for name in (
        "name",
        "kvk_number",
        "contact_name",
        "contact_email",
        "contact_phone",
        "sector",
        "place",
    ):
        assert f'for="id_employer-{name}"' in page
        assert f'id="id_employer-{name}"' in page


def test_pages_have_no_inline_script_or_style(client, region1):
    e = employer()
    place(region1, e)
    client.force_login(region1.coordinator)
    for url in (LIST, detail(e)):
        page = client.get(url).content.decode()
        assert "style=" not in page
        assert "<script>" not in page and "<style" not in page


# --- the detail ------------------------------------------------------------------------------


def test_detail_shows_the_visible_youth_and_highlights_contracts_ending_within_3_months(
    client, region1
):
    e = employer(name="Logistiek Centrum", contact_email="hr@example.nl")
    soon = place(region1, e, kind="fixed_term", ends_on=add_months(today(), 3), last_name="Eindigt")
    later = place(
        region1,
        e,
        kind="fixed_term",
        ends_on=add_months(today(), 3) + dt.timedelta(days=1),
        last_name="Later",
    )
    permanent = place(region1, e, last_name="Vast")
    hidden = place(region1, e, school=region1.other_school, last_name="Andereschool")

    client.force_login(region1.coordinator)
    response = client.get(detail(e))
    page = response.content.decode()
    assert "Logistiek Centrum" in page and "hr@example.nl" in page
    rows = {r.pk: r for r in response.context["current"]}
    assert set(rows) == {soon.pk, later.pk, permanent.pk}
    assert rows[soon.pk].ends_soon
    assert not rows[later.pk].ends_soon
    assert not rows[permanent.pk].ends_soon
    assert page.count('class="utrecht-mark"') == 1
    assert reverse("route:student", args=[soon.case.student_id]) in page
    assert "Andereschool" not in page
    assert reverse("route:student", args=[hidden.case.student_id]) not in page


def test_detail_lists_ended_jobs_separately(client, region1):
    from routearbeid.employment.services import employment_end

    e = employer()
    job = place(region1, e, starts_on=today() - dt.timedelta(days=90), last_name="Gestopt")
    employment_end(
        actor=region1.coordinator, employment_id=job.pk, ended_on=today() - dt.timedelta(days=10)
    )
    client.force_login(region1.coordinator)
    response = client.get(detail(e))
    assert response.context["current"] == []
    assert [r.pk for r in response.context["earlier"]] == [job.pk]
    assert "Gestopt" in response.content.decode()


def test_detail_logs_the_read_of_the_youth_shown(client, region1):
    e = employer()
    job = place(region1, e)
    client.force_login(region1.coordinator)
    client.get(detail(e))
    assert ProcessingLogRecord.objects.filter(
        activity="employment.record",
        operation="read",
        subject_student_id=job.case.student_id,
        actor=region1.coordinator,
    ).exists()


# --- fixed number of queries --------------------------------------------------------------------


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # the worklist badge is kept in the session from here on
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# session, user, memberships, the page's own reads and the processing log (the worklist badge is
# kept in the session)
MAX_QUERIES = 9


def test_list_uses_the_same_number_of_queries_for_1_and_20_employers(
    client, region1, django_assert_num_queries
):
    place(region1, employer(1), kind="fixed_term", ends_on=add_months(today(), 1))
    client.force_login(region1.coordinator)
    one = _queries(client, LIST)
    assert one <= MAX_QUERIES
    for n in range(2, 21):
        place(region1, employer(n), kind="fixed_term", ends_on=add_months(today(), n))
    with django_assert_num_queries(one):
        response = client.get(LIST)
    assert len(response.context["rows"]) == 20
    assert [r.youth_count for r in response.context["rows"]] == [1] * 20


def test_detail_uses_the_same_number_of_queries_for_1_and_20_employments(
    client, region1, django_assert_num_queries
):
    e = employer()
    place(region1, e, kind="fixed_term", ends_on=add_months(today(), 1))
    client.force_login(region1.coordinator)
    url = detail(e)
    one = _queries(client, url)
    assert one <= MAX_QUERIES
    for n in range(19):
        place(
            region1,
            e,
            kind="fixed_term" if n % 2 else "permanent",
            ends_on=add_months(today(), n) if n % 2 else None,
        )
    with django_assert_num_queries(one):
        response = client.get(url)
    assert len(response.context["current"]) == 20
    assert Employment.objects.filter(employer=e).count() == 20
