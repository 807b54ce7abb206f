"""Timing of the student import (students.importing, students.services) with 10,000 rows.

Generates a Somtoday-style export in memory, as CSV and as XLSX, and for each in a throwaway
school of a throwaway region: reads and checks it, writes it (first import: all new), imports the
same file again (nothing to write) and then a file in which every student changed class (all
updates). Prints the seconds of every step.

    DJANGO_SETTINGS_MODULE=routearbeid.config.settings.dev \\
    DATABASE_URL=sqlite:////tmp/import-bench.sqlite3 \\
    .venv/bin/python bench/import_timing.py [--rows 10000]

Without DATABASE_URL a temporary SQLite file is made and removed afterwards. The write runs the
way the task runs it (TASKS_BACKEND is set to the immediate backend for this script only).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

HEADERS = [
    "Leerlingnummer",
    "Roepnaam",
    "Voorvoegsel",
    "Achternaam",
    "Geboortedatum",
    "Stamgroep",
    "BSN",
    "Onderwijsnummer",
    "Woonplaats",
    "E-mail",
    "Telefoonnummer",
    "Datum in Nederland",
]
FIRST = ["Amina", "Bilal", "Chaya", "Dawit", "Esra", "Farah", "Goran", "Hiba", "Ivan", "Jamal"]
PREFIX = ["", "", "", "van", "de", "van der", "el"]
LAST = ["Demir", "Haddad", "Bakker", "Dijk", "Yilmaz", "Tesfaye", "Kowalski", "Nguyen", "Ali"]
TOWNS = ["Alkmaar", "Heiloo", "Bergen", "Castricum", "Heerhugowaard", "Langedijk"]


def students(n: int, pgn_base: int, seed: int = 1) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        born = dt.date(2005, 1, 1) + dt.timedelta(days=rnd.randrange(5 * 365))
        has_bsn = i % 10 != 0  # one in ten has only an education number
        rows.append(
            {
                "number": 100_000 + i,
                "first": f"{rnd.choice(FIRST)}{i}",
                "prefix": rnd.choice(PREFIX),
                "last": rnd.choice(LAST),
                "born": born,
                "group": f"ISK{1 + i % 4}",
                "bsn": pgn_base + i if has_bsn else None,
                "own": None if has_bsn else pgn_base + i,
                "town": rnd.choice(TOWNS),
                "email": f"leerling{i}@example.nl",
                "phone": f"06{rnd.randrange(10**8):08d}",
                "arrival": born + dt.timedelta(days=365 * 10 + rnd.randrange(700)),
            }
        )
    return rows


def as_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADERS)
    for r in rows:
        writer.writerow(
            [
                r["number"],
                r["first"],
                r["prefix"],
                r["last"],
                r["born"].strftime("%d-%m-%Y"),
                r["group"],
                r["bsn"] or "",
                r["own"] or "",
                r["town"],
                r["email"],
                r["phone"],
                r["arrival"].strftime("%d-%m-%Y"),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode()


def as_xlsx(rows: list[dict[str, Any]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Leerlingen")
    sheet.append(HEADERS)
    for r in rows:
        sheet.append(
            [
                r["number"],
                r["first"],
                r["prefix"],
                r["last"],
                r["born"],  # a date cell
                r["group"],
                r["bsn"],  # a number cell
                r["own"],
                r["town"],
                r["email"],
                r["phone"],
                r["arrival"],
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def timed(label: str, results: list[tuple[str, float]], do: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    value = do()
    results.append((label, time.perf_counter() - start))
    return value


def run_format(fmt: str, n: int, pgn_base: int, token: str) -> list[tuple[str, float]]:
    from routearbeid.organisations.actors import actor_for
    from routearbeid.organisations.constants import OrganisationKind, Role
    from routearbeid.organisations.models import Membership, Organisation, Region, User
    from routearbeid.students import importing, services
    from routearbeid.students.models import Student

    region = Region.objects.create(name=f"Bench {token} {fmt}")
    school = Organisation.objects.create(
        region=region, kind=OrganisationKind.SCHOOL, name=f"Bench ISK {fmt}", municipality="X"
    )
    user = User.objects.create_user(username=f"bench-{token}-{fmt}", password=None)
    Membership.objects.create(user=user, organisation=school, role=Role.SCHOOL_COORDINATOR)
    actor = actor_for(user)
    encode = as_csv if fmt == "csv" else as_xlsx
    results: list[tuple[str, float]] = []
    first = timed(f"{fmt}: generate {n} rows", results, lambda: encode(students(n, pgn_base)))
    changed_rows = students(n, pgn_base)
    for r in changed_rows:
        r["group"] = "ISK-nieuw"
    changed = encode(changed_rows)
    print(f"  {fmt}: file of {len(first) / 1024 / 1024:.1f} MB", flush=True)

    def one_import(label: str, data: bytes) -> dict:
        timed(f"{fmt} {label}: read file", results, lambda: importing.parse_file(fmt, data))
        batch = timed(
            f"{fmt} {label}: read + store rows (start)",
            results,
            lambda: services.student_import_start(
                actor=actor, school_id=school.pk, file_name=f"bench.{fmt}", data=data
            ),
        )
        batch = timed(
            f"{fmt} {label}: check every row (preview)",
            results,
            lambda: services.student_import_map(
                actor=actor, import_id=batch.pk, mapping=batch.mapping
            ),
        )
        timed(
            f"{fmt} {label}: write (confirm + task)",
            results,
            lambda: services.student_import_confirm(actor=actor, import_id=batch.pk),
        )
        batch.refresh_from_db()
        outcome = {
            "preview": batch.summary["counts"],
            "status": batch.status,
            "created": batch.created_count,
            "updated": batch.updated_count,
            "unchanged": batch.unchanged_count,
            "skipped": batch.skipped_count,
        }
        print(f"  {fmt} {label}: {outcome}", flush=True)
        return outcome

    one_import("1st import", first)
    one_import("same file again", first)
    one_import("every class changed", changed)
    print(f"  {fmt}: {Student.objects.filter(school=school).count()} students", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "routearbeid.config.settings.dev")
    os.environ["TASKS_BACKEND"] = "django.tasks.backends.immediate.ImmediateBackend"
    temporary = None
    if not os.environ.get("DATABASE_URL"):
        handle, temporary = tempfile.mkstemp(suffix=".sqlite3", prefix="import-bench-")
        os.close(handle)
        os.environ["DATABASE_URL"] = f"sqlite:///{temporary}"
    if not os.environ["DATABASE_URL"].startswith("sqlite"):
        sys.exit("Give DATABASE_URL a temporary SQLite file: this script adds throwaway data.")

    import logging

    import django
    from django.core.management import call_command

    django.setup()
    logging.getLogger("django.tasks").setLevel(logging.WARNING)
    print(f"database: {os.environ['DATABASE_URL']}", flush=True)
    try:
        start = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrate: {time.perf_counter() - start:.1f} s", flush=True)
        token = f"{int(time.time())}"
        results = []
        for i, fmt in enumerate(("csv", "xlsx")):
            results += run_format(fmt, args.rows, 100_000_000 + i * 1_000_000, token)
        print()
        print(f"{'step':<52} seconds")
        for label, seconds in results:
            print(f"{label:<52} {seconds:7.2f}")
    finally:
        if temporary:
            from django.db import connections

            connections.close_all()
            for suffix in ("", "-wal", "-shm"):
                Path(temporary + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
