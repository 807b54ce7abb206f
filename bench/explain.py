#!/usr/bin/env python
"""Where a scenario's time goes: each page of the mix requested once in-process (Django's test
client, the bench settings, a login from the plan), with its number of queries, time in SQL and
in all, and the slowest queries with EXPLAIN ANALYZE.

    DATABASE_URL=... python bench/explain.py [--top 3] [--analyze] [--only werkvoorraad]
        [--repeat 11 --stat median]

Reads only (the POST scenarios are left out: they would change the data); the processing-log
rows the pages write are part of what is measured, as in the load run.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "routearbeid.config.settings.bench")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from routearbeid.organisations.models import User  # noqa: E402


def pages(plan: dict) -> list[tuple[str, str, str, dict]]:
    school, partner = plan["school"][0], plan["partner"][0]
    rmc = next((p for p in plan["partner"] if p["role"] == "rmc"), partner)
    coordinator = plan["coordinator"][0]
    return [
        ("floor", school["username"], "/bench/floor/", {"school": school["school_id"]}),
        ("werkvoorraad", school["username"], "/werkvoorraad/", {}),
        ("werkvoorraad", partner["username"], "/werkvoorraad/", {}),
        ("werkvoorraad", rmc["username"], "/werkvoorraad/", {}),
        # "Record now" opened: the one check-in form htmx loads (a check-in the load run may
        # have recorded since is a 404)
        (
            "werkvoorraad: a check-in form",
            school["username"],
            f"/werkvoorraad/nazorgcontact/{school['checkins'][-1][1]}/",
            {"htmx": True},
        ),
        ("youth page", school["username"], f"/jongeren/{school['students'][0]}/", {}),
        ("youth page", partner["username"], f"/jongeren/{partner['students'][0]}/", {}),
        ("youth page", rmc["username"], f"/jongeren/{rmc['students'][0]}/", {}),
        ("search", school["username"], "/jongeren/", {"q": school["search"][0]}),
        ("search", partner["username"], "/jongeren/", {"q": partner["search"][0]}),
        ("search", rmc["username"], "/jongeren/", {"q": rmc["search"][0]}),
        ("list filtered", school["username"], "/jongeren/", {}),
        ("list unfiltered", school["username"], "/bench/jongeren-ongefilterd/", {}),
        ("list filtered", partner["username"], "/jongeren/", {}),
        ("list unfiltered", partner["username"], "/bench/jongeren-ongefilterd/", {}),
        ("list filtered", rmc["username"], "/jongeren/", {}),
        ("list unfiltered", rmc["username"], "/bench/jongeren-ongefilterd/", {}),
        (
            "outflow meeting",
            coordinator["username"],
            f"/uitstroomtafels/{coordinator['meetings'][0]}/",
            {},
        ),
        ("outflow meeting", school["username"], f"/uitstroomtafels/{school['meetings'][0]}/", {}),
        ("API list", school["username"], "/api/v1/cases", {"token": school.get("token")}),
        ("API list", partner["username"], "/api/v1/cases", {"token": partner.get("token")}),
        ("API list", rmc["username"], "/api/v1/cases", {"token": rmc.get("token")}),
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plan", default=str(ROOT / "var/bench/plan.json"))
    parser.add_argument("--top", type=int, default=3, help="slowest queries shown per page")
    parser.add_argument("--analyze", action="store_true", help="EXPLAIN ANALYZE the slowest")
    parser.add_argument("--only", help="only scenarios whose name contains this")
    parser.add_argument("--repeat", type=int, default=3, help="requests per page")
    parser.add_argument(
        "--stat", choices=["best", "median"], default="best", help="which request is shown"
    )
    args = parser.parse_args()
    logging.getLogger("axes").setLevel(logging.WARNING)  # one line per force_login otherwise
    plan = json.loads(Path(args.plan).read_text())
    for name, username, path, params in pages(plan):
        if args.only and args.only not in name:
            continue
        client = Client(HTTP_HOST="127.0.0.1")
        headers = {}
        token = params.pop("token", None)
        if params.pop("htmx", False):
            headers["HX-Request"] = "true"
        if path.startswith("/api/"):
            if not token:
                continue
            headers["Authorization"] = f"Bearer {token}"
        else:
            client.force_login(User.objects.get(username=username))
        client.get(path, params, headers=headers)  # the session's kept badge, as in the load run
        runs = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path, params, headers=headers)
                wall = (time.perf_counter() - started) * 1000
            runs.append((wall, list(queries.captured_queries), response))
        runs.sort(key=lambda run: run[0])
        wall, captured, response = runs[0] if args.stat == "best" else runs[len(runs) // 2]
        sql_ms = sum(float(q["time"]) for q in captured) * 1000
        print(
            f"\n## {name} as {username}: {response.status_code}, {len(response.content) / 1024:.0f} KB, "
            f"{wall:.0f} ms, {len(captured)} queries, {sql_ms:.0f} ms in SQL, "
            f"{wall - sql_ms:.0f} ms in Python"
        )
        for q in sorted(captured, key=lambda q: -float(q["time"]))[: args.top]:
            sql = q["sql"]
            print(f"- {float(q['time']) * 1000:.1f} ms: {sql[:300]}{'…' if len(sql) > 300 else ''}")
            if (
                args.analyze
                and connection.vendor == "postgresql"
                and sql.lstrip().upper().startswith("SELECT")
            ):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    print("  " + "\n  ".join(row[0] for row in cursor.fetchall()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
