"""R-HO-1: a warm handover waits in the receiving organisation's worklist until someone there
accepts it; only that organisation's people see it, and only while the case is open."""

import datetime as dt

from django.urls import reverse

from routearbeid.aftercare.selectors import my_handovers, worklist_counts
from routearbeid.core.dates import today
from routearbeid.processing_log.models import ProcessingLogRecord
from routearbeid.route.services import case_withdraw, handover_accept
from routearbeid.tests.people import Region1

URL = reverse("worklist")


def section(page: str) -> str:
    """The worklist's section "Warme overdrachten om te accepteren", or "" when it is not shown."""
    return page.partition('id="wl-handovers"')[2].partition("</section>")[0]


def handed_over(region1, first_name="Sami", last_name="Overgedragen", on=None):
    opened = today() - dt.timedelta(days=30)
    case = region1.open_case(first_name=first_name, last_name=last_name, on=opened)
    region1.hand_over(case, on=on)
    return case


def test_r_ho_1_a_handover_waits_in_the_receiving_work_services_worklist_until_accepted(
    client, region1
):
    case = handed_over(region1)
    client.force_login(region1.work_service_manager)
    page = client.get(URL).content.decode()
    part = section(page)
    assert "Warme overdrachten om te accepteren" in part
    assert f'href="/jongeren/{case.student_id}/#panel-handover">Sami Overgedragen</a>' in part
    assert "overgedragen door ISK A (Regio Test) op" in part
    assert "Gesprek samen met de jongere" in part and "aan K. Manager" in part
    assert '<span class="utrecht-badge-counter">1</span>' in part
    assert worklist_counts(region1.work_service_manager).handovers == 1
    assert worklist_counts(region1.work_service_manager).total == 1

    # accepted on the youth's page: gone from the worklist
    response = client.post(reverse("route:action", args=[case.student_id, "handover-accept"]))
    assert response.status_code == 302
    page = client.get(URL).content.decode()
    assert "Sami Overgedragen" not in page and section(page) == ""
    assert worklist_counts(region1.work_service_manager).handovers == 0


def test_only_the_receiving_organisation_sees_the_handover_in_its_worklist(client, region1):
    handed_over(region1)
    other = Region1.build("Regio Ander")
    for person in (
        region1.coordinator,
        region1.rmc_officer,
        region1.leerplicht_officer,
        region1.route_coordinator,
        region1.admin,
        region1.privacy_officer,
        other.work_service_manager,
    ):
        client.force_login(person)
        page = client.get(URL).content.decode()
        assert "Sami Overgedragen" not in page, person.username
        assert worklist_counts(person).handovers == 0
        assert list(my_handovers(person)) == []


def test_a_handover_to_another_party_of_the_region_is_that_partys(client, region1):
    case = region1.open_case(first_name="Uma", last_name="Uwv")
    region1.handover_row(case, organisation=region1.uwv)
    assert list(my_handovers(region1.work_service_manager)) == []
    assert worklist_counts(region1.work_service_manager).handovers == 0


def test_an_ended_case_needs_no_acceptance(client, region1):
    case = handed_over(region1)
    case_withdraw(actor=region1.coordinator, case_id=case.pk, reason="Gaat naar het mbo")
    client.force_login(region1.work_service_manager)
    assert "Sami Overgedragen" not in client.get(URL).content.decode()
    assert worklist_counts(region1.work_service_manager).handovers == 0


def test_the_longest_waiting_first_and_reading_them_is_logged(client, region1):
    on = today()
    newer = handed_over(region1, first_name="Nina", last_name="Nieuw", on=on)
    older = handed_over(region1, first_name="Otto", last_name="Oud", on=on - dt.timedelta(days=3))
    client.force_login(region1.work_service_manager)
    before = ProcessingLogRecord.objects.count()
    part = section(client.get(URL).content.decode())
    assert part.index("Otto Oud") < part.index("Nina Nieuw")
    logged = set(
        ProcessingLogRecord.objects.order_by("id")[before:].values_list(
            "subject_student_id", flat=True
        )
    )
    assert {older.student_id, newer.student_id} <= logged


def test_the_download_lists_the_handovers_to_accept(client, region1):
    handed_over(region1)
    client.force_login(region1.work_service_manager)
    text = client.get(reverse("worklist_export", args=["csv"])).content.decode("utf-8-sig")
    row = next(line for line in text.splitlines() if "Sami Overgedragen" in line)
    assert row.startswith("Warme overdrachten om te accepteren;Sami Overgedragen;")
    assert "Warme overdracht van ISK A (Regio Test)" in row
    assert "Gesprek samen met de jongere, K. Manager" in row


def test_accepting_removes_it_for_every_colleague_of_the_work_service(region1):
    case = handed_over(region1)
    colleague = region1.work_service_manager
    assert [h.case_id for h in my_handovers(colleague)] == [case.pk]
    handover_accept(actor=colleague, case_id=case.pk)
    assert list(my_handovers(colleague)) == []


def test_the_handovers_listed_are_those_to_my_organisations_whose_case_i_may_see(region1):
    """The section needs no test of each case: a handover to one of my receiving organisations
    of a youth of its region is itself my reason to see the case (route.selectors.
    received_handovers_q). The same handovers as testing each case against my access, also
    for a stray handover to another region's youth, which shows no case."""
    from routearbeid.route.models import Handover
    from routearbeid.route.selectors import visible_cases

    handed_over(region1)
    other = Region1.build("Regio Ander")
    elsewhere = other.open_case(first_name="Ed", last_name="Elders", on=today() - dt.timedelta(30))
    region1.handover_row(elsewhere)  # region 1's work service, a youth of the other region
    for person in (region1.work_service_manager, region1.rmc_officer, other.work_service_manager):
        waiting = Handover.objects.filter(
            accepted_on__isnull=True,
            receiving_organisation_id__in=[m.organisation_id for m in person.memberships.all()],
            case__in=visible_cases(person),
        )
        assert set(my_handovers(person)) == set(waiting), person.username
    assert [h.case.student.last_name for h in my_handovers(region1.work_service_manager)] == [
        "Overgedragen"
    ]
