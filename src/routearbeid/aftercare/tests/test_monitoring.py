"""The RMC's monitoring list (/monitoring/, R-RMC-1): every youth of its region without
startkwalificatie from outflow until the age limit, only for RMC officers, with an export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from routearbeid.aftercare.services import self_report_record
from routearbeid.core.dates import today
from routearbeid.processing_log.models import ProcessingLogRecord
from routearbeid.route.constants import Situation, Stage
from routearbeid.route.models import Case
from routearbeid.route.services import basic_qualification_record
from routearbeid.tests.people import Region1

URL = reverse("monitoring")
EXPORT = reverse("monitoring_export")


def monitored(region: Region1, *, last_name: str, school=None, age=19, **case_fields) -> Case:
    """A case after outflow, written directly (the route itself is tested elsewhere)."""
    student = region.student(age=age, school=school, first_name="Jongere", last_name=last_name)
    return region.after_outflow(student, **case_fields)


def names(response) -> list[str]:
    rows = response.content.decode().split("<tbody")[1] if b"<tbody" in response.content else ""
    return [part.split(",")[0] for part in rows.split('">')[1:] if part.startswith("Achter")]


def test_r_rmc_1_the_list_holds_every_youth_without_startkwalificatie_until_the_age_limit(
    client, region1
):
    on_list = monitored(region1, last_name="Achter-Aan")
    monitored(region1, last_name="Achter-Anderschool", school=region1.other_school)
    monitored(region1, last_name="Achter-Gesloten", stage=Stage.CLOSED, ended_on=today())
    qualified = monitored(region1, last_name="Achter-Diploma")
    # recorded as the school does (it ends the monitoring: rmc_monitoring_q)
    basic_qualification_record(
        actor=region1.coordinator, student_id=qualified.student_id, on=today()
    )
    monitored(region1, last_name="Achter-Te-oud", rmc_monitoring_ends_on=today())
    region1.open_case(last_name="Achter-Nog-op-school")
    other_region = Region1.build("Regio Elders")
    monitored(other_region, last_name="Achter-Elders")

    client.force_login(region1.rmc_officer)
    response = client.get(URL)
    page = response.content.decode()
    for shown in ("Achter-Aan", "Achter-Anderschool", "Achter-Gesloten"):
        assert shown in page
    for hidden in ("Achter-Diploma", "Achter-Te-oud", "Achter-Nog-op-school", "Achter-Elders"):
        assert hidden not in page
    assert "3 jongeren op de monitorlijst" in page
    # the youth page opens for the RMC (the same need-to-know condition)
    assert client.get(reverse("route:student", args=[on_list.student_id])).status_code == 200
    logged = set(
        ProcessingLogRecord.objects.filter(
            activity="aftercare.monitoring", actor=region1.rmc_officer, operation="read"
        ).values_list("subject_student_id", flat=True)
    )
    assert on_list.student_id in logged and len(logged) == 3


def test_r_rmc_1_age_limit_27_keeps_older_youth_on_the_list(client, region1):
    region1.region.rmc_age_limit = 27
    region1.region.save()
    monitored(region1, last_name="Achter-Vierentwintig", age=24)
    client.force_login(region1.rmc_officer)
    assert "Achter-Vierentwintig" in client.get(URL).content.decode()


@pytest.mark.parametrize(
    "person",
    [
        "coordinator",
        "mentor",
        "work_service_manager",
        "leerplicht_officer",
        "swv_officer",
        "route_coordinator",
        "admin",
        "privacy_officer",
    ],
)
def test_the_monitoring_list_is_not_found_for_anyone_but_the_rmc(client, region1, person):
    monitored(region1, last_name="Achter-Geheim")
    client.force_login(getattr(region1, person))
    assert client.get(URL).status_code == 404
    assert client.get(EXPORT).status_code == 404
    assert "/monitoring/" not in client.get(reverse("worklist")).content.decode()


def test_anonymous_visitors_are_sent_to_the_login(client):
    assert client.get(URL).status_code == 302


def test_filters_school_situation_and_no_contact_for_months(client, region1):
    monitored(
        region1,
        last_name="Achter-Recent",
        last_known_situation=Situation.WORKING_SAME_EMPLOYER,
        last_contact_on=today() - dt.timedelta(days=10),
    )
    monitored(
        region1,
        last_name="Achter-Lang",
        school=region1.other_school,
        last_known_situation=Situation.NOT_WORKING_SEEKING,
        last_contact_on=today() - dt.timedelta(days=200),
    )
    monitored(
        region1,
        last_name="Achter-Nooit",
        outflow_on=today() - dt.timedelta(days=400),
    )
    client.force_login(region1.rmc_officer)

    def shown(**params):
        page = client.get(URL, params).content.decode()
        return {n for n in ("Achter-Recent", "Achter-Lang", "Achter-Nooit") if n in page}

    assert shown() == {"Achter-Recent", "Achter-Lang", "Achter-Nooit"}
    assert shown(school=region1.other_school.pk) == {"Achter-Lang"}
    assert shown(situation="not_working_seeking") == {"Achter-Lang"}
    assert shown(situation="unknown") == {"Achter-Nooit"}
    assert shown(no_contact=6) == {"Achter-Lang", "Achter-Nooit"}
    assert shown(no_contact=12) == {"Achter-Nooit"}
    assert shown(no_contact="abc", situation="nonsense", school="x") == {
        "Achter-Recent",
        "Achter-Lang",
        "Achter-Nooit",
    }
    page = client.get(URL, {"sort": "contact"}).content.decode()
    assert page.index("Achter-Nooit") < page.index("Achter-Lang") < page.index("Achter-Recent")


def test_last_contact_and_open_signals_come_from_self_reports_check_ins_and_follow_up(
    client, region1
):
    case = region1.outflow(region1.ready_for_outflow(last_name="Achter-Meldt"))
    self_report_record(actor=None, case_id=case.pk, kind="lost_job", channel="portal")
    client.force_login(region1.rmc_officer)
    page = client.get(URL).content.decode()
    row = page.split("Achter-Meldt")[1].split("</tr>")[0]
    assert today().strftime("%d-%m-%Y") in row
    assert "Werkt niet, zoekt werk" in row
    # the self-report's signals are the school's and the work service's: not the RMC's to see,
    # so not counted on its list (as on its youth list and the youth's page)
    assert "utrecht-badge-counter" not in row
    from routearbeid.aftercare.constants import SignalStatus
    from routearbeid.aftercare.models import Signal

    Signal.objects.create(
        case=case,
        kind="other",
        organisation=region1.rmc,
        status=SignalStatus.OPEN,
        raise_on=today(),
        due_on=today(),
        message="Bel de jongere.",
        key="rmc-test",
    )
    row = client.get(URL).content.decode().split("Achter-Meldt")[1].split("</tr>")[0]
    assert '<span class="utrecht-badge-counter">1</span>' in row  # the RMC's own


def test_export_is_a_csv_of_the_filtered_list_and_logs_every_youth(client, region1):
    a = monitored(region1, last_name="Achter-Een", last_known_situation=Situation.DUAL_TRACK)
    b = monitored(region1, last_name="=Achter-Formule", school=region1.other_school)
    client.force_login(region1.rmc_officer)
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Naam", "Geboortedatum", "Leeftijd"]
    body = {r[0]: r for r in rows[1:]}
    assert set(body) == {"Jongere Achter-Een", "'Jongere =Achter-Formule"} or set(body) == {
        "Jongere Achter-Een",
        "Jongere =Achter-Formule",
    }
    assert body["Jongere Achter-Een"][5] == "Werken en leren (duaal traject)"
    logged = set(
        ProcessingLogRecord.objects.filter(activity="aftercare.monitoring").values_list(
            "subject_student_id", flat=True
        )
    )
    assert logged == {a.student_id, b.student_id}
    only_b = client.get(EXPORT, {"school": region1.other_school.pk})
    assert only_b.content.decode("utf-8-sig").count("\n") == 2


def test_a_formula_is_never_written_into_the_export(client, region1):
    student_name = "=HYPERLINK(1)"
    case = monitored(region1, last_name="X")
    case.student.first_name = student_name
    case.student.save()
    client.force_login(region1.rmc_officer)
    content = client.get(EXPORT).content.decode("utf-8-sig")
    assert "\n=HYPERLINK" not in content and "'=HYPERLINK" in content


@pytest.mark.parametrize("rows", [1, 20])
def test_monitoring_query_count_does_not_grow_with_rows(
    client, region1, django_assert_num_queries, rows
):
    """Conventions §5: the same number of queries with 1 and with 20 youth on the list."""
    for i in range(rows):
        monitored(region1, last_name=f"Achter{i}")
    client.force_login(region1.rmc_officer)
    client.get(URL)
    with django_assert_num_queries(QUERIES):
        assert client.get(URL).status_code == 200
    with django_assert_num_queries(EXPORT_QUERIES):
        assert client.get(EXPORT).status_code == 200


QUERIES = 7  # 3 fewer since the worklist badge is kept in the session, 3 since the session is
# saved at most once a minute (core.middleware.SessionTouchMiddleware)
EXPORT_QUERIES = 5  # 3 fewer since the session is saved at most once a minute


@pytest.mark.parametrize(
    "query",
    [
        {"school": "²"},
        {"no_contact": "²"},
        {"school": "1" * 5000},
        {"school": "9999999999999999999999"},
        {"no_contact": "-3"},
        {"sort": "x" * 300, "page": "99999999999"},
    ],
)
def test_odd_filter_values_are_ignored_never_a_server_error(client, region1, query):
    monitored(region1, last_name="Jansen")
    client.force_login(region1.rmc_officer)
    page = client.get(URL, query)
    assert page.status_code == 200
    assert "Jansen" in page.content.decode()
    assert client.get(EXPORT, query).status_code == 200
