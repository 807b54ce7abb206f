"""Migrations of aftercare that change existing rows, run forward over rows written before them."""

from __future__ import annotations

import datetime as dt

import pytest

from routearbeid.tests.migrations import migrate, migrate_to_latest

BEFORE = [("aftercare", "0005_fewer_write_indexes"), ("route", "0004_links_keep_student_region")]
AFTER = [("aftercare", "0006_checks_keep_school")]


@pytest.mark.django_db(transaction=True)
def test_0006_gives_existing_check_ins_their_youths_school():
    """aftercare 0006 keeps the youth's school on each check-in (issue #7); check-ins written
    before it get it from their case, each from its own student's school, open or recorded."""
    apps = migrate(BEFORE)
    try:
        Region = apps.get_model("organisations", "Region")
        Organisation = apps.get_model("organisations", "Organisation")
        Student = apps.get_model("students", "Student")
        Case = apps.get_model("route", "Case")
        AftercareCheck = apps.get_model("aftercare", "AftercareCheck")
        day = dt.date(2026, 9, 1)
        region = Region.objects.create(name="Regio")
        checks = []
        for n in (1, 2):
            school = Organisation.objects.create(region=region, kind="school", name=f"ISK {n}")
            for i in range(2):
                student = Student.objects.create(
                    school=school,
                    first_name=f"Jongere {i}",
                    last_name=f"School {n}",
                    date_of_birth=dt.date(2009, 1, 1),
                    municipality="Alkmaar",
                )
                case = Case.objects.create(student=student, opened_on=day)
                for sequence, recorded in ((1, day), (2, None)):
                    check = AftercareCheck.objects.create(
                        case=case,
                        sequence=sequence,
                        due_on=day,
                        recorded_on=recorded,
                        contact_made=False if recorded else None,
                    )
                    checks.append((check.pk, school.pk))

        apps = migrate(AFTER)
        AftercareCheck = apps.get_model("aftercare", "AftercareCheck")
        kept = dict(AftercareCheck.objects.values_list("pk", "school_id"))
        assert kept == dict(checks)
        assert len(set(kept.values())) == 2
    finally:
        migrate_to_latest()
