"""The benchmark's data generator (bench/generate.py) on a fresh database of the suite's own
kind: SQLite's bulk INSERTs in the SQLite run, PostgreSQL's COPY (two worker processes) in the
PostgreSQL run. `make bench` is not part of CI; this keeps its first step working when a model
gains a column (the rows are written as text, column by column) or a rule changes the plan."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[4]
CASES = 300


def _run(args: list[str], database_url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env["DATABASE_URL"] = database_url
    env["DJANGO_SETTINGS_MODULE"] = "routearbeid.config.settings.bench"
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture
def fresh_database(tmp_path):
    """An empty database of the suite's kind, migrated: a file for SQLite; a database of its
    own on the suite's PostgreSQL server, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'bench.sqlite3'}", None
        return
    import psycopg

    params = connection.settings_dict
    server = (
        f"postgres://{params['USER']}"
        + (f":{params['PASSWORD']}" if params.get("PASSWORD") else "")
        + f"@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
    )
    name = f"routearbeid_generator_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}", psycopg
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _query(url: str, driver, sql: str) -> list[tuple]:
    if driver is None:
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return db.execute(sql).fetchall()
    with driver.connect(url) as db:
        return db.execute(sql).fetchall()


@pytest.mark.django_db
def test_the_generator_fills_a_fresh_database_consistently_and_writes_a_plan(
    fresh_database, tmp_path
):
    url, driver = fresh_database
    migrated = _run(["manage.py", "migrate", "--noinput", "-v0"], url)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    plan_path = tmp_path / "plan.json"
    generated = _run(
        ["bench/generate.py", "--cases", str(CASES), "--regions", "3", "--plan", str(plan_path)]
        + ["--verify"]
        + (["--workers", "2"] if driver else []),
        url,
    )
    assert generated.returncode == 0, generated.stdout[-2000:] + generated.stderr[-3000:]

    # every case keeps the region of its youth's school (route.models.Case.student_region),
    # and --verify found every foreign key in place
    rows = _query(
        url,
        driver,
        "SELECT COUNT(*), SUM(CASE WHEN c.student_region_id = o.region_id THEN 1 ELSE 0 END), "
        "COUNT(DISTINCT c.stage) FROM route_case c JOIN students_student s ON s.id = c.student_id "
        "JOIN organisations_organisation o ON o.id = s.school_id",
    )
    total, kept, stages = rows[0]
    assert total == CASES and kept == CASES and stages >= 5
    monitored = _query(
        url,
        driver,
        "SELECT COUNT(*) FROM route_case WHERE rmc_monitoring_ends_on IS NOT NULL "
        "AND stage IN ('aftercare', 'closed')",
    )[0][0]
    assert monitored > 0
    # an unanswered request waits exactly while its case is before aftercare
    # (route.models.Involvement.request_lapsed); both kinds are there
    waiting = _query(
        url,
        driver,
        "SELECT CASE WHEN c.stage IN ('consultation', 'aba', 'handover', 'outflow') "
        "THEN 0 ELSE 1 END, i.request_lapsed, COUNT(*) FROM route_involvement i "
        "JOIN route_case c ON c.id = i.case_id WHERE i.involved_on IS NULL GROUP BY 1, 2",
    )
    assert sorted((past, bool(lapsed)) for past, lapsed, _n in waiting) == [(0, False), (1, True)]
    # a handover not accepted waits exactly while its case has not ended
    # (route.models.Handover.acceptance_lapsed); both kinds are there
    handovers = _query(
        url,
        driver,
        "SELECT CASE WHEN c.stage IN ('closed', 'withdrawn') THEN 1 ELSE 0 END, "
        "h.acceptance_lapsed, COUNT(*) FROM route_handover h "
        "JOIN route_case c ON c.id = h.case_id WHERE h.accepted_on IS NULL GROUP BY 1, 2",
    )
    assert sorted((ended, bool(lapsed)) for ended, lapsed, _n in handovers) == [
        (0, False),
        (1, True),
    ]

    plan = json.loads(plan_path.read_text())
    assert plan["cases"] == CASES
    assert plan["school"] and plan["coordinator"]
    # the first people locust starts come from every region and include an RMC officer and a
    # work-service client manager (one region's partners after another's left the RMC out)
    first = plan["partner"][:3]
    assert len({login["region_id"] for login in first}) == 3
    assert {login["role"] for login in first} == {"rmc", "work_service"}
    for login in plan["school"] + plan["partner"]:
        assert login["students"] and login["search"], login["username"]

    # the raiser's timing runs on the generated data: each run rolled back, so the signals are
    # still scheduled afterwards; on PostgreSQL also the bare change by hand, which opens as
    # many signals as are due (the script refuses to report otherwise)
    scheduled = "SELECT COUNT(*) FROM aftercare_signal WHERE status = 'scheduled'"
    before = _query(url, driver, scheduled)[0][0]
    timing_path = tmp_path / "raise.json"
    timed = _run(
        ["bench/raise_signals.py", "--repeat", "1", "--ahead", "60", "--json", str(timing_path)],
        url,
    )
    assert timed.returncode == 0, timed.stdout[-2000:] + timed.stderr[-3000:]
    timing = json.loads(timing_path.read_text())
    assert timing["due"] > 0 and timing["raised"] <= timing["due"]
    assert _query(url, driver, scheduled)[0][0] == before
    if driver:
        assert timing["bare_change_ms"] > 0 and timing["change_ratio"] > 0
    else:
        assert timing["bare_change_ms"] is None
