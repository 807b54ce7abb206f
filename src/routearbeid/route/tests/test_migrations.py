"""Migrations that change existing rows, run forward over rows written before them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from routearbeid.tests.migrations import migrate, migrate_to_latest

BEFORE = [("route", "0003_fewer_write_indexes")]
AFTER = [("route", "0004_links_keep_student_region")]


@pytest.mark.django_db(transaction=True)
def test_0004_gives_existing_links_their_cases_youth_and_region():
    """route 0004 adds the youth and the region kept on involvements and handovers (issue #7);
    links written before it get them from their case, each from its own case and school."""
    apps = migrate(BEFORE)
    try:
        Region = apps.get_model("organisations", "Region")
        Organisation = apps.get_model("organisations", "Organisation")
        Student = apps.get_model("students", "Student")
        Case = apps.get_model("route", "Case")
        Involvement = apps.get_model("route", "Involvement")
        Handover = apps.get_model("route", "Handover")
        day = dt.date(2026, 9, 1)
        links = []
        for n in (1, 2):
            region = Region.objects.create(name=f"Regio {n}")
            school = Organisation.objects.create(region=region, kind="school", name=f"ISK {n}")
            work = Organisation.objects.create(region=region, kind="work_service", name=f"HW {n}")
            for i in range(2):
                student = Student.objects.create(
                    school=school,
                    first_name=f"Jongere {i}",
                    last_name=f"Regio {n}",
                    date_of_birth=dt.date(2009, 1, 1),
                    municipality="Alkmaar",
                )
                case = Case.objects.create(student=student, opened_on=day)
                involvement = Involvement.objects.create(
                    case=case, organisation=work, requested_on=day
                )
                handover = Handover.objects.create(
                    case=case,
                    receiving_organisation=work,
                    receiving_person="K. Manager",
                    handed_over_on=day,
                    form="phone",
                    legal_basis="legal_task",
                )
                links.append((involvement.pk, handover.pk, student.pk, region.pk))

        apps = migrate(AFTER)
        Involvement = apps.get_model("route", "Involvement")
        Handover = apps.get_model("route", "Handover")
        for involvement_id, handover_id, student_id, region_id in links:
            for row in (
                Involvement.objects.get(pk=involvement_id),
                Handover.objects.get(pk=handover_id),
            ):
                assert (row.student_id, row.student_region_id) == (student_id, region_id)
    finally:
        migrate_to_latest()


@pytest.mark.django_db(transaction=True)
def test_0006_gives_existing_cases_the_region_of_their_youths_school():
    """route 0006 keeps the region of the youth's school on the case (issue #7: the RMC's
    monitoring list by one index); cases written before it get it, each from its own school."""
    apps = migrate([("route", "0005_link_case_order_indexes")])
    try:
        Region = apps.get_model("organisations", "Region")
        Organisation = apps.get_model("organisations", "Organisation")
        Student = apps.get_model("students", "Student")
        Case = apps.get_model("route", "Case")
        cases = []
        for n in (1, 2):
            region = Region.objects.create(name=f"Regio {n}")
            for s in (1, 2):
                school = Organisation.objects.create(
                    region=region, kind="school", name=f"ISK {n}-{s}"
                )
                student = Student.objects.create(
                    school=school,
                    first_name="Jongere",
                    last_name=f"Regio {n}",
                    date_of_birth=dt.date(2008, 1, 1),
                    municipality="Alkmaar",
                )
                for stage in ("closed", "aftercare"):  # a closed case and the one after it
                    case = Case.objects.create(
                        student=student,
                        opened_on=dt.date(2025, 9, 1),
                        stage=stage,
                        outflow_on=dt.date(2025, 10, 1),
                    )
                    cases.append((case.pk, region.pk))

        apps = migrate([("route", "0006_case_keeps_student_region")])
        Case = apps.get_model("route", "Case")
        kept = dict(Case.objects.values_list("pk", "student_region_id"))
        assert kept == dict(cases)
        assert len(set(kept.values())) == 2
    finally:
        migrate_to_latest()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the index is PostgreSQL's only: SQLite's CREATE INDEX cannot say NULLS FIRST",
)
@pytest.mark.django_db
def test_0006_gives_postgresql_an_index_in_the_monitoring_lists_contact_order(region1):
    """The RMC's monitoring list sorted by contact (never contacted first) reads its page along
    `case_rmc_contact_idx` instead of sorting the region's monitored cases (issue #7): the
    index is there and its order is the page's (no Sort in the plan)."""
    from routearbeid.aftercare.selectors import monitoring_list

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'case_rmc_contact_idx'")
        (definition,) = cursor.fetchone()
    assert "(student_region_id, last_contact_on NULLS FIRST, outflow_on, id" in definition
    qs, _filters = monitoring_list(region1.rmc_officer, {"sort": "contact"})
    sql, params = qs[:25].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "case_rmc_contact_idx" in plan and "Sort" not in plan, plan


@pytest.mark.django_db(transaction=True)
def test_0008_marks_the_requests_that_no_longer_wait():
    """route 0008: a request to take part not answered while its case is past outflow or
    withdrawn waits no longer (Involvement.request_lapsed, issue #7); one still before
    aftercare waits, and an answered one is left as it was."""
    apps = migrate([("route", "0007_drop_unused_monitoring_end_index")])
    try:
        Region = apps.get_model("organisations", "Region")
        Organisation = apps.get_model("organisations", "Organisation")
        Student = apps.get_model("students", "Student")
        Case = apps.get_model("route", "Case")
        Involvement = apps.get_model("route", "Involvement")
        region = Region.objects.create(name="Regio")
        school = Organisation.objects.create(region=region, kind="school", name="ISK")
        asked = Organisation.objects.create(region=region, kind="work_service", name="Halte Werk")
        expected = {}
        for stage in ("consultation", "outflow", "aftercare", "closed", "withdrawn"):
            student = Student.objects.create(
                school=school,
                first_name="Jongere",
                last_name=stage,
                date_of_birth=dt.date(2008, 1, 1),
                municipality="Alkmaar",
            )
            after = stage in ("aftercare", "closed")
            case = Case.objects.create(
                student=student,
                student_region=region,
                opened_on=dt.date(2025, 9, 1),
                stage=stage,
                outflow_on=dt.date(2025, 10, 1) if after else None,
                ended_on=dt.date(2025, 10, 1) if stage in ("closed", "withdrawn") else None,
            )
            for answered in (None, dt.date(2025, 9, 20)):
                involvement = Involvement.objects.create(
                    case=case,
                    organisation=asked if answered is None else school,
                    student=student,
                    student_region=region,
                    requested_on=dt.date(2025, 9, 10),
                    involved_on=answered,
                )
                lapsed = answered is None and stage not in ("consultation", "outflow")
                expected[involvement.pk] = lapsed

        apps = migrate([("route", "0008_involvement_request_lapses")])
        Involvement = apps.get_model("route", "Involvement")
        assert dict(Involvement.objects.values_list("pk", "request_lapsed")) == expected
        assert sum(expected.values()) == 3
    finally:
        migrate_to_latest()


@pytest.mark.django_db(transaction=True)
def test_0010_marks_the_handovers_that_no_longer_wait():
    """route 0010: a warm handover not accepted while its case has ended (closed or withdrawn)
    waits no longer in the receiving organisation's worklist (Handover.acceptance_lapsed); one of
    an open case waits, and an accepted one is left as it was."""
    apps = migrate([("route", "0009_timeline_person_indexes_partial")])
    try:
        Region = apps.get_model("organisations", "Region")
        Organisation = apps.get_model("organisations", "Organisation")
        Student = apps.get_model("students", "Student")
        Case = apps.get_model("route", "Case")
        Handover = apps.get_model("route", "Handover")
        region = Region.objects.create(name="Regio")
        school = Organisation.objects.create(region=region, kind="school", name="ISK")
        receiving = Organisation.objects.create(
            region=region, kind="work_service", name="Halte Werk"
        )
        expected = {}
        for stage in ("handover", "outflow", "aftercare", "closed", "withdrawn"):
            for accepted in (None, dt.date(2025, 9, 25)):
                student = Student.objects.create(
                    school=school,
                    first_name="Jongere",
                    last_name=f"{stage}{accepted is None}",
                    date_of_birth=dt.date(2008, 1, 1),
                    municipality="Alkmaar",
                )
                case = Case.objects.create(
                    student=student,
                    student_region=region,
                    opened_on=dt.date(2025, 9, 1),
                    stage=stage,
                    outflow_on=dt.date(2025, 10, 1) if stage in ("aftercare", "closed") else None,
                    ended_on=dt.date(2025, 10, 1) if stage in ("closed", "withdrawn") else None,
                )
                handover = Handover.objects.create(
                    case=case,
                    student=student,
                    student_region=region,
                    receiving_organisation=receiving,
                    receiving_person="K. Manager",
                    handed_over_on=dt.date(2025, 9, 20),
                    form="meeting",
                    legal_basis="legal_task",
                    accepted_on=accepted,
                )
                expected[handover.pk] = accepted is None and stage in ("closed", "withdrawn")

        apps = migrate([("route", "0010_handover_waiting_idx")])
        Handover = apps.get_model("route", "Handover")
        assert dict(Handover.objects.values_list("pk", "acceptance_lapsed")) == expected
        assert sum(expected.values()) == 2
    finally:
        migrate_to_latest()
