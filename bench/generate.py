#!/usr/bin/env python
"""Benchmark data: N cases with realistic distributions, loaded fast, and a plan for locust.

    DATABASE_URL=postgres://... python bench/generate.py --cases 100000
    python bench/generate.py --cases 5000            # SQLite (var/routearbeid.sqlite3 or DATABASE_URL)

PostgreSQL: one school at a time in `--workers` processes (default: one per core), each school
on its own random generator (the data do not depend on the number of workers) and with ids from
its own block per table; the rows are made as COPY text directly (days as ordinals, their text
and the office-hour clock times from tables made once, JSON from templates) and written per
table with one psycopg 3 `copy.write()`. The tables' plain indexes are dropped during the load
and built again afterwards over two connections; session_replication_role=replica so that
foreign-key triggers do not fire per row (the rows are consistent by construction; `--verify`
checks every foreign key afterwards); autovacuum off on those tables while loading; at the end
VACUUM (ANALYZE). Check and unique constraints stay on. 1,000,000 cases (37 million rows) in
under 8 minutes on 2 cores (docs/performance.md). SQLite: bulk INSERTs (executemany) of the
same rows, in one process, smaller default.

Distributions (scaled with N; at 1,000,000 cases: 20 regions of 10 schools, 5,000 cases a
school): stages weighted toward aftercare and closed; partner organisations involved per stage;
warm handovers; four check-ins per case in aftercare (aftercare/schedules.py: 2 years, 2 a year),
recorded when past due for most; signals as schedules.py makes them (check-in overdue, aftercare
end, RMC monitoring end, contract end, ABA without decision, self-reports) with their statuses;
timeline events per step; processing-log rows per read and write; outflow meetings with agendas.

The plan (`--plan`, default var/bench/plan.json) lists the bench logins and, per login, youth
it may see (sampled through the selectors, so the permission rules decide), open check-ins and
cases ready for a transition. All bench users have the password printed at the end.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import datetime as dt
import itertools
import json
import multiprocessing
import os
import random
import sys
import threading
import time
import zoneinfo
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "routearbeid.config.settings.bench")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from routearbeid.aftercare.models import (  # noqa: E402
    AftercareCheck,
    FollowUpContact,
    MonitoringNote,
    SelfReport,
    Signal,
    WorkServiceFollowUp,
)
from routearbeid.core.dates import add_months  # noqa: E402
from routearbeid.employment.models import AbaApplication, Employer, Employment  # noqa: E402
from routearbeid.meetings.models import (  # noqa: E402
    Advice,
    AgendaItem,
    Decision,
    MeetingAction,
    MeetingParticipant,
    OutflowMeeting,
)
from routearbeid.organisations.models import Membership, Organisation, Region, User  # noqa: E402
from routearbeid.processing_log.models import ProcessingLogRecord  # noqa: E402
from routearbeid.route.models import Case, Handover, Involvement, TimelineEvent  # noqa: E402
from routearbeid.students.models import Guardian, Student  # noqa: E402

PASSWORD = "bench-wachtwoord-2026"  # bench users only, in a throwaway database
CASES_PER_SCHOOL = 5_000  # 1,000,000 cases over 20 regions of 10 schools
SCHOOLS_PER_REGION = 10
MENTORS_PER_SCHOOL = 4
WORK_SERVICE_MANAGERS_PER_REGION = 3

STAGES = [
    ("consultation", 7),
    ("aba", 4),
    ("handover", 4),
    ("outflow", 3),
    ("aftercare", 40),
    ("closed", 37),
    ("withdrawn", 5),
]
SITUATIONS = [
    ("working_same_employer", 50),
    ("working_other_employer", 12),
    ("dual_track", 8),
    ("education", 8),
    ("daytime_activities", 3),
    ("training_programme", 4),
    ("not_working_seeking", 10),
    ("moved_abroad", 1),
    ("unknown", 4),
]
FIRST_NAMES = [
    "Ahmad",
    "Mohammed",
    "Omar",
    "Yusuf",
    "Ali",
    "Hamza",
    "Bilal",
    "Tesfay",
    "Yonas",
    "Dawit",
    "Senait",
    "Helen",
    "Mariam",
    "Fatima",
    "Aisha",
    "Amina",
    "Layla",
    "Noor",
    "Sara",
    "Rania",
    "Olena",
    "Iryna",
    "Oksana",
    "Dmytro",
    "Andriy",
    "Maksym",
    "Bohdan",
    "Sofiia",
    "Anastasiia",
    "Viktoriia",
    "Mustafa",
    "Emre",
    "Elif",
    "Zeynep",
    "Mehmet",
    "Ayse",
    "Farid",
    "Ahmad",
    "Zahra",
    "Parisa",
    "Hossein",
    "Karim",
    "Samira",
    "Nadia",
    "Abdi",
    "Hodan",
    "Ayan",
    "Khadija",
    "Ibrahim",
    "Adam",
    "Yara",
    "Lina",
    "Joud",
    "Maya",
    "Kidane",
    "Selam",
    "Luwam",
    "Robel",
    "Natalia",
    "Piotr",
    "Kacper",
    "Zuzanna",
    "Hanna",
    "Jakub",
    "Mateusz",
    "Alicja",
]
LAST_NAMES = [
    "Alhassan",
    "Al-Ahmad",
    "Haddad",
    "Khalil",
    "Hussein",
    "Mansour",
    "Nasser",
    "Saleh",
    "Darwish",
    "Ibrahim",
    "Tesfamariam",
    "Gebremedhin",
    "Haile",
    "Berhane",
    "Tekle",
    "Woldemichael",
    "Ghebreyesus",
    "Kovalenko",
    "Shevchenko",
    "Bondarenko",
    "Tkachenko",
    "Kravchenko",
    "Melnyk",
    "Boyko",
    "Oliynyk",
    "Lysenko",
    "Yilmaz",
    "Kaya",
    "Demir",
    "Sahin",
    "Celik",
    "Yildiz",
    "Ozturk",
    "Aydin",
    "Arslan",
    "Dogan",
    "Ahmadi",
    "Hosseini",
    "Rahimi",
    "Karimi",
    "Mohammadi",
    "Rezaei",
    "Sultani",
    "Noori",
    "Hashimi",
    "Popal",
    "Warsame",
    "Abdullahi",
    "Mohamud",
    "Farah",
    "Hassan",
    "Jama",
    "Osman",
    "Nowak",
    "Kowalski",
    "Wisniewski",
    "Wojcik",
    "Kaminski",
    "Lewandowski",
    "Zielinski",
    "El",
    "Amrani",
    "Bennani",
    "Tahiri",
    "Idrissi",
    "Alaoui",
    "Benali",
    "Haddou",
    "Ouali",
    "Ziani",
    "Bakkali",
    "Asante",
    "Mensah",
    "Owusu",
    "Diallo",
    "Traore",
    "Kone",
    "Camara",
]
REGION_NAMES = [
    "Utrecht",
    "Amersfoort",
    "Rotterdam-Rijnmond",
    "Haaglanden",
    "Amsterdam",
    "Zaanstreek",
    "Twente",
    "Arnhem",
    "Nijmegen",
    "Eindhoven",
    "Tilburg",
    "Breda",
    "Zwolle",
    "Groningen",
    "Friesland",
    "Drenthe",
    "Zeeland",
    "Limburg-Noord",
    "Zuid-Limburg",
    "Gooi en Vechtstreek",
]
MUNICIPALITIES = [
    "Utrecht",
    "Nieuwegein",
    "Zeist",
    "Amersfoort",
    "Leusden",
    "Soest",
    "Rotterdam",
    "Schiedam",
    "Vlaardingen",
    "Den-Haag",
    "Delft",
    "Rijswijk",
    "Amsterdam",
    "Amstelveen",
    "Diemen",
    "Zaanstad",
    "Wormerland",
    "Oostzaan",
    "Enschede",
    "Hengelo",
    "Almelo",
    "Arnhem",
    "Rheden",
    "Renkum",
    "Nijmegen",
    "Wijchen",
    "Beuningen",
    "Eindhoven",
    "Veldhoven",
    "Helmond",
    "Tilburg",
    "Goirle",
    "Oisterwijk",
    "Breda",
    "Etten-Leur",
    "Oosterhout",
    "Zwolle",
    "Kampen",
    "Dalfsen",
    "Groningen",
    "Haren",
    "Midden-Groningen",
    "Leeuwarden",
    "Sneek",
    "Heerenveen",
    "Assen",
    "Emmen",
    "Hoogeveen",
    "Middelburg",
    "Vlissingen",
    "Goes",
    "Venlo",
    "Venray",
    "Roermond",
    "Maastricht",
    "Heerlen",
    "Sittard",
    "Hilversum",
    "Huizen",
    "Bussum",
]


# --- loading -------------------------------------------------------------------------------------

NULL = "\\N"  # COPY text: NULL; the generated strings never hold a tab, newline or backslash


class Table:
    """A model's table and the columns we write, by field name."""

    def __init__(self, model, fields: list[str]):
        self.model = model
        self.name = model._meta.db_table
        self.fields = [model._meta.get_field(f) for f in fields]
        self.columns = [f.column for f in self.fields]


class Loader:
    """Takes a table's rows as lines of COPY text: tab-separated, \\N for NULL, booleans t/f,
    moments in local time (settings.TIME_ZONE) without offset."""

    def __init__(self):
        self.counts: dict[str, int] = defaultdict(int)
        self.seconds: dict[str, float] = defaultdict(float)

    def load(self, table: Table, lines: list[str]) -> None:
        if not lines:
            return
        started = time.perf_counter()
        self._load(table, lines)
        self.seconds[table.name] += time.perf_counter() - started
        self.counts[table.name] += len(lines)

    def _load(self, table: Table, lines: list[str]) -> None:
        raise NotImplementedError

    def start_session(self) -> None:
        pass


class PostgresLoader(Loader):
    def start_session(self):
        with connection.cursor() as cursor:
            # No foreign-key triggers per row (the rows are consistent by construction; --verify)
            cursor.execute("SET session_replication_role = replica")
            # The COPY text holds local times, read in the session's time zone.
            cursor.execute("SELECT set_config('TimeZone', %s, false)", [settings.TIME_ZONE])
            cursor.execute("SET synchronous_commit = off")

    def _load(self, table, lines):
        columns = ", ".join(f'"{c}"' for c in table.columns)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy,
        ):
            copy.write("".join(lines))


class SqliteLoader(Loader):
    """Bulk INSERTs of the same rows, converted as Django's SQLite backend stores them."""

    def _load(self, table, lines):
        convert = [_sqlite_converter(f) for f in table.fields]
        rows = []
        for line in lines:
            values = line[:-1].split("\t")
            rows.append(
                tuple(
                    None if v == NULL else (c(v) if c else v)
                    for v, c in zip(values, convert, strict=True)
                )
            )
        columns = ", ".join(f'"{c}"' for c in table.columns)
        marks = ", ".join("?" for _ in table.columns)
        with connection.cursor() as cursor:
            cursor.executemany(f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', rows)


def _sqlite_converter(field):
    from django.db import models

    if isinstance(field, models.BooleanField):
        return lambda v: v == "t"
    if isinstance(field, models.DateTimeField):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)

        def utc(v):  # as Django stores them on SQLite: UTC without zone
            local = dt.datetime.fromisoformat(v).replace(tzinfo=zone)
            return local.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")

        return utc
    return None


def drop_plain_indexes(tables: list[Table]) -> list[tuple[str, str, str]]:
    """Drops the tables' plain indexes (not those behind primary keys and unique constraints,
    which foreign keys need); returns (table, index, definition) to build them again."""
    dropped = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND "
                "indexname NOT IN (SELECT conname FROM pg_constraint "
                "WHERE conrelid = %s::regclass)",
                [table.name, table.name],
            )
            for name, definition in cursor.fetchall():
                dropped.append((table.name, name, definition))
                cursor.execute(f'DROP INDEX "{name}"')
    return dropped


def in_parallel(statements: list[str], threads: int, setup: list[str]) -> list[tuple[float, str]]:
    """Runs the statements over `threads` connections, in the order given; returns how long
    each took."""
    queue = list(reversed(statements))
    lock = threading.Lock()
    errors: list[BaseException] = []
    took: list[tuple[float, str]] = []

    def run():
        try:
            with connection.cursor() as cursor:
                for sql in setup:
                    cursor.execute(sql)
                while True:
                    with lock:
                        if not queue or errors:
                            return
                        sql = queue.pop()
                    started = time.perf_counter()
                    cursor.execute(sql)
                    took.append((time.perf_counter() - started, sql))
        except BaseException as error:  # reported by the caller
            errors.append(error)
        finally:
            connection.close()

    pool = [threading.Thread(target=run) for _ in range(max(1, threads))]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if errors:
        raise errors[0]
    return sorted(took, reverse=True)


def table_sizes() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, pg_relation_size(oid) FROM pg_class "
            "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
        )
        return dict(cursor.fetchall())


def build_indexes(dropped: list[tuple[str, str, str]], threads: int) -> list[tuple[float, str]]:
    """CREATE INDEX again, over `threads` connections, the indexes of the largest tables first."""
    size = table_sizes()
    order = sorted(dropped, key=lambda d: -size.get(d[0], 0))
    return in_parallel(
        [definition for _t, _n, definition in order],
        threads,
        ["SET maintenance_work_mem = '1GB'", "SET max_parallel_maintenance_workers = 0"],
    )


def autovacuum(tables: list[Table], on: bool) -> None:
    """Off while loading (it would vacuum each table again and again as it grows)."""
    with connection.cursor() as cursor:
        for table in tables:
            option = "RESET (autovacuum_enabled)" if on else "SET (autovacuum_enabled = off)"
            cursor.execute(f'ALTER TABLE "{table.name}" {option}')


def vacuum_analyze(threads: int) -> None:
    """VACUUM (ANALYZE) every table, the largest first: statistics for the planner, and the
    visibility map set as in a database that has run a while (index-only scans), so that
    autovacuum does not start on the new rows while the load is measured."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return
    size = table_sizes()
    tables = sorted(size, key=lambda t: -size[t])
    in_parallel([f'VACUUM (ANALYZE) "{t}"' for t in tables], threads, [])


# --- the tables written in bulk ------------------------------------------------------------------

STUDENT = Table(
    Student,
    [
        "id",
        "created_at",
        "updated_at",
        "school",
        "first_name",
        "last_name",
        "date_of_birth",
        "class_name",
        "mentor",
        "arrival_date",
        "languages",
        "municipality",
        "has_basic_qualification",
        "basic_qualification_on",
        "pgn",
        "email",
        "phone",
    ],
)
GUARDIAN = Table(
    Guardian,
    ["id", "created_at", "updated_at", "student", "name", "relation", "phone", "email", "language"],
)
CASE = Table(
    Case,
    [
        "id",
        "created_at",
        "updated_at",
        "student",
        "student_region",
        "stage",
        "opened_on",
        "opened_by",
        "outflow_profile",
        "profile_established_on",
        "education_first_reason",
        "aba_skip_reason",
        "target_group_register",
        "guardians_involved",
        "guardians_not_involved_reason",
        "outflow_on",
        "aftercare_ends_on",
        "rmc_monitoring_ends_on",
        "last_known_situation",
        "last_contact_on",
        "ended_on",
        "end_reason",
    ],
)
INVOLVEMENT = Table(
    Involvement,
    [
        "id",
        "created_at",
        "updated_at",
        "case",
        "organisation",
        "person",
        "requested_on",
        "requested_by",
        "person_name",
        "involved_on",
        "advice",
        "legal_basis",
        "consent_given_by",
        "student",
        "student_region",
        "request_lapsed",
    ],
)
HANDOVER = Table(
    Handover,
    [
        "id",
        "created_at",
        "updated_at",
        "case",
        "receiving_organisation",
        "receiving_person",
        "receiving_user",
        "handed_over_on",
        "form",
        "legal_basis",
        "consent_given_by",
        "purpose",
        "accepted_on",
        "accepted_by",
        "student",
        "student_region",
        "acceptance_lapsed",
    ],
)
ABA = Table(
    AbaApplication,
    [
        "id",
        "created_at",
        "updated_at",
        "case",
        "submitted_on",
        "received_on",
        "decided_on",
        "outcome",
    ],
)
EMPLOYMENT = Table(
    Employment,
    [
        "id",
        "created_at",
        "updated_at",
        "case",
        "employer",
        "kind",
        "starts_on",
        "ends_on",
        "hours_per_week",
        "training_institution",
        "enrolment_reference",
        "ended_on",
    ],
)
CHECK = Table(
    AftercareCheck,
    [
        "id",
        "created_at",
        "updated_at",
        "case",
        "sequence",
        "due_on",
        "recorded_on",
        "contact_made",
        "situation",
        "notes",
        "follow_up",
        "recorded_by",
        "school",
    ],
)
SIGNAL = Table(
    Signal,
    [
        "id",
        "created_at",
        "updated_at",
        "case",
        "kind",
        "rule_id",
        "organisation",
        "status",
        "raise_on",
        "due_on",
        "raised_at",
        "message",
        "params",
        "resolution_note",
        "key",
    ],
)
FOLLOW_UP = Table(
    WorkServiceFollowUp,
    [
        "id",
        "created_at",
        "updated_at",
        "case",
        "organisation",
        "started_on",
        "ended_on",
        "end_reason",
    ],
)
FOLLOW_UP_CONTACT = Table(
    FollowUpContact,
    [
        "id",
        "created_at",
        "updated_at",
        "case",
        "organisation",
        "contact_on",
        "with_whom",
        "situation",
        "next_step",
        "notes",
        "recorded_by",
    ],
)
MONITORING_NOTE = Table(
    MonitoringNote,
    ["id", "created_at", "updated_at", "case", "organisation", "noted_on", "text", "recorded_by"],
)
SELF_REPORT = Table(
    SelfReport,
    [
        "id",
        "created_at",
        "updated_at",
        "case",
        "reported_at",
        "kind",
        "message",
        "contact_phone",
        "channel",
    ],
)
EVENT = Table(
    TimelineEvent, ["id", "case", "at", "actor", "organisation", "kind", "summary", "data"]
)
LOG = Table(
    ProcessingLogRecord,
    [
        "id",
        "trace_id",
        "operation",
        "activity",
        "subject_student_id",
        "actor",
        "organisation",
        "at",
        "status",
    ],
)
AGENDA = Table(AgendaItem, ["id", "created_at", "updated_at", "meeting", "case", "position"])
ADVICE = Table(
    Advice, ["id", "created_at", "updated_at", "agenda_item", "organisation", "given_by", "text"]
)
DECISION = Table(
    Decision,
    [
        "id",
        "created_at",
        "updated_at",
        "agenda_item",
        "outflow_profile",
        "reason",
        "decided_on",
        "decided_by",
    ],
)
ACTION = Table(
    MeetingAction,
    [
        "id",
        "created_at",
        "updated_at",
        "agenda_item",
        "description",
        "owner_organisation",
        "owner",
        "due_on",
        "done_on",
    ],
)
BULK_TABLES = [
    STUDENT,
    GUARDIAN,
    CASE,
    INVOLVEMENT,
    HANDOVER,
    ABA,
    EMPLOYMENT,
    CHECK,
    SIGNAL,
    FOLLOW_UP,
    FOLLOW_UP_CONTACT,
    MONITORING_NOTE,
    SELF_REPORT,
    EVENT,
    LOG,
    AGENDA,
    ADVICE,
    DECISION,
    ACTION,
]


# --- the organisations and people (ORM: a few thousand rows at most) ----------------------------


class RegionSet:
    """One region: its organisations and people, with what the case generator needs."""

    def __init__(self, region, municipalities):
        self.region = region
        self.municipalities = municipalities
        self.schools: list[Organisation] = []
        self.coordinators: dict[int, User] = {}
        self.mentors: dict[int, list[User]] = {}
        self.work_service: Organisation
        self.work_service_managers: list[User] = []
        self.rmc: Organisation
        self.rmc_officer: User
        self.leerplicht: Organisation
        self.leerplicht_officer: User
        self.swv: Organisation
        self.swv_officer: User
        self.route_coordination: Organisation
        self.route_coordinator: User
        self.meetings: list[OutflowMeeting] = []
        # case ids by stage, for the agendas of the outflow meetings
        self.consultation_cases: list[int] = []
        self.later_cases: list[tuple[int, str]] = []


def make_user(username: str, first: str, last: str, password_hash: str) -> User:
    return User(
        username=username,
        first_name=first,
        last_name=last,
        email=f"{username}@bench.routearbeid.localhost",
        password=password_hash,
        is_active=True,
    )


def build_organisations(n_regions: int, rng: random.Random) -> list[RegionSet]:
    password_hash = make_password(PASSWORD)
    sets: list[RegionSet] = []
    users: list[User] = []
    memberships: list[tuple[str, Organisation, str]] = []  # username, organisation, role
    for r in range(n_regions):
        name = REGION_NAMES[r % len(REGION_NAMES)]
        if r >= len(REGION_NAMES):
            name = f"{name} {r // len(REGION_NAMES) + 1}"
        region = Region.objects.create(name=f"Regio {name}")
        municipalities = [MUNICIPALITIES[(3 * r + k) % len(MUNICIPALITIES)] for k in range(3)]
        if r >= len(MUNICIPALITIES) // 3:
            municipalities = [f"{m}-{r}" for m in municipalities]
        rs = RegionSet(region, municipalities)

        def org(kind, title, municipality="", region=region):
            return Organisation.objects.create(
                region=region, kind=kind, name=title, municipality=municipality
            )

        def person(username, first, last, organisation, role):
            user = make_user(username, first, last, password_hash)
            users.append(user)
            memberships.append((username, organisation, role))
            return user

        for s in range(SCHOOLS_PER_REGION):
            school = org("school", f"ISK {municipalities[s % 3]} {s + 1}", municipalities[s % 3])
            rs.schools.append(school)
            rs.coordinators[school.pk] = person(
                f"bench-school-{r + 1}-{s + 1}",
                "Coördinator",
                school.name,
                school,
                "school_coordinator",
            )
            rs.mentors[school.pk] = [
                person(
                    f"bench-mentor-{r + 1}-{s + 1}-{m + 1}",
                    rng.choice(["Anne", "Peter", "Sanne", "Mark", "Fleur", "Joost"]),
                    rng.choice(["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer"]),
                    school,
                    "mentor",
                )
                for m in range(MENTORS_PER_SCHOOL)
            ]
        rs.work_service = org("work_service", f"Halte Werk {name}", municipalities[0])
        rs.work_service_managers = [
            person(
                f"bench-ws-{r + 1}-{k + 1}",
                "Klantmanager",
                f"{k + 1} {name}",
                rs.work_service,
                "work_service_manager",
            )
            for k in range(WORK_SERVICE_MANAGERS_PER_REGION)
        ]
        rs.rmc = org("rmc", f"RMC {name}", municipalities[0])
        rs.rmc_officer = person(f"bench-rmc-{r + 1}", "RMC", name, rs.rmc, "rmc_officer")
        rs.leerplicht = org("leerplicht", f"Leerplicht {municipalities[0]}", municipalities[0])
        rs.leerplicht_officer = person(
            f"bench-lp-{r + 1}", "Leerplicht", name, rs.leerplicht, "leerplicht_officer"
        )
        rs.swv = org("swv", f"Samenwerkingsverband {name}", municipalities[0])
        rs.swv_officer = person(f"bench-swv-{r + 1}", "SWV", name, rs.swv, "swv_officer")
        org("uwv", f"UWV {name}", municipalities[0])
        rs.route_coordination = org(
            "route_coordination", f"Route Nieuwkomers {name}", municipalities[0]
        )
        rs.route_coordinator = person(
            f"bench-rc-{r + 1}",
            "Routecoördinator",
            name,
            rs.route_coordination,
            "route_coordinator",
        )
        sets.append(rs)
    User.objects.bulk_create(users, batch_size=1000)
    by_name = {u.username: u for u in User.objects.filter(username__startswith="bench-")}
    for rs in sets:  # bulk_create on SQLite does not set pks: take them from the database
        rs.coordinators = {k: by_name[u.username] for k, u in rs.coordinators.items()}
        rs.mentors = {k: [by_name[u.username] for u in v] for k, v in rs.mentors.items()}
        rs.work_service_managers = [by_name[u.username] for u in rs.work_service_managers]
        for attr in ("rmc_officer", "leerplicht_officer", "swv_officer", "route_coordinator"):
            setattr(rs, attr, by_name[getattr(rs, attr).username])
    Membership.objects.bulk_create(
        [Membership(user=by_name[u], organisation=o, role=role) for u, o, role in memberships],
        batch_size=1000,
    )
    return sets


def build_employers(count: int, rng: random.Random) -> list[int]:
    sectors = ["Logistiek", "Zorg", "Horeca", "Bouw", "Techniek", "Schoonmaak", "Retail", "Groen"]
    Employer.objects.bulk_create(
        [
            Employer(
                name=f"{rng.choice(sectors)} {rng.choice(LAST_NAMES)} B.V. {i + 1}",
                kvk_number=f"{10_000_000 + i}",
                contact_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                sector=rng.choice(sectors),
                place=rng.choice(MUNICIPALITIES),
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    return list(Employer.objects.values_list("id", flat=True))


def build_meetings(sets: list[RegionSet], today: dt.date) -> None:
    """Every two weeks from a year ago to two months ahead; held in the past, planned ahead."""
    first = today - dt.timedelta(days=364)
    for rs in sets:
        meetings = []
        day = first
        while day <= today + dt.timedelta(days=60):
            held = day < today
            meetings.append(
                OutflowMeeting(
                    region=rs.region,
                    scheduled_on=day,
                    place=f"Gemeentehuis {rs.municipalities[0]}",
                    status="held" if held else "planned",
                    held_on=day if held else None,
                    minutes="Besproken volgens agenda." if held else "",
                )
            )
            day += dt.timedelta(days=14)
        OutflowMeeting.objects.bulk_create(meetings)
        rs.meetings = list(OutflowMeeting.objects.filter(region=rs.region).order_by("scheduled_on"))
        participants = []
        for meeting in rs.meetings:
            for organisation, user in [
                (rs.route_coordination, rs.route_coordinator),
                (rs.work_service, rs.work_service_managers[0]),
                (rs.rmc, rs.rmc_officer),
                (rs.leerplicht, rs.leerplicht_officer),
                (rs.schools[0], rs.coordinators[rs.schools[0].pk]),
            ]:
                participants.append(
                    MeetingParticipant(
                        meeting=meeting,
                        organisation=organisation,
                        person=user,
                        person_name=str(user),
                    )
                )
        MeetingParticipant.objects.bulk_create(participants)


# --- the cases -----------------------------------------------------------------------------------
#
# Per school, on its own random generator (seeded by --seed and the school's number, so the data
# do not depend on the number of worker processes), straight into COPY text: days are ordinals,
# their text and the office-hour moments come from tables made once, JSON from templates.
# Each school writes its rows with ids from its own block per table (school k: k * block + 1 …),
# so that the schools can be generated and loaded in parallel; the ids have gaps between schools.

LANGUAGES = ["Arabisch", "Tigrinya", "Oekraïens", "Turks", "Dari", "Somalisch", "Pools"]
GUARDIAN_LANGUAGES = ["Arabisch", "Tigrinya", "Oekraïens", "Dari"]
END_REASONS = [
    "Verhuisd naar andere regio",
    "Kiest voor vervolgonderwijs",
    "Terug naar land van herkomst",
]
PRE_OUTFLOW = ("consultation", "aba", "handover", "outflow")
OFFICE_SECONDS = 9 * 3600  # moments fall between 08:00 and 17:00 local time

# The most rows one case can have per table (the blocks of ids per school are sized by them).
ROWS_PER_CASE = {
    "students_student": 1,
    "students_guardian": 1,
    "route_case": 1,
    "route_involvement": 4,
    "route_handover": 1,
    "employment_abaapplication": 1,
    "employment_employment": 1,
    "aftercare_aftercarecheck": 4,
    "aftercare_signal": 10,
    "aftercare_workservicefollowup": 1,
    "aftercare_followupcontact": 2,
    "aftercare_monitoringnote": 1,
    "aftercare_selfreport": 1,
    "route_timelineevent": 32,
    "processing_log_processinglogrecord": 11,  # + the reads per case
}


def picker(table):
    """A function that picks a value of [(value, weight), …] by weight."""
    values = [v for v, _w in table]
    cumulative = list(itertools.accumulate(w for _v, w in table))
    total = cumulative[-1]
    rnd_bisect = bisect.bisect

    def pick(rnd):
        return values[rnd_bisect(cumulative, rnd() * total)]

    return pick


class Calendar:
    """Days as ordinals; their ISO and d-m-Y text and the moments' text made once."""

    def __init__(self, today: dt.date, now: dt.datetime):
        self.today = today.toordinal()
        first, last = self.today - 60 * 366, self.today + 30 * 366
        self.iso: list[str] = [""] * (last + 1)
        self.iso_space: list[str] = [""] * (last + 1)
        self.dmy: list[str] = [""] * (last + 1)
        for o in range(first, last + 1):
            day = dt.date.fromordinal(o)
            self.iso[o] = day.isoformat()
            self.iso_space[o] = self.iso[o] + " "
            self.dmy[o] = f"{day.day:02d}-{day.month:02d}-{day.year}"
        self.clock = [
            f"{8 + s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(OFFICE_SECONDS)
        ]
        local = timezone.localtime(now)
        self.now_second = local.hour * 3600 + local.minute * 60 + local.second - 8 * 3600
        self.now_text = local.strftime("%Y-%m-%d %H:%M:%S")
        self._months: dict[tuple[int, int], int] = {}

    def add_months(self, o: int, months: int) -> int:
        key = (o, months)
        value = self._months.get(key)
        if value is None:
            value = self._months[key] = add_months(dt.date.fromordinal(o), months).toordinal()
        return value


class SchoolPlan:
    """What generating one school's cases needs (plain values, cheap to use in the hot loop)."""

    def __init__(self, k: int, region_index: int, rs, school, n_cases: int):
        self.k = k
        self.region_index = region_index
        self.n_cases = n_cases
        self.school_id = school.pk
        self.region_id = rs.region.pk
        self.actor = rs.coordinators[school.pk].pk
        self.mentors = [m.pk for m in rs.mentors[school.pk]]
        self.municipalities = rs.municipalities
        self.main_municipality = rs.municipalities[0]
        self.work_service = rs.work_service.pk
        self.work_service_name = rs.work_service.name
        self.work_service_managers = [(u.pk, str(u)) for u in rs.work_service_managers]
        self.first_manager = rs.work_service_managers[0].pk
        self.rmc = rs.rmc.pk
        self.rmc_officer = rs.rmc_officer.pk
        # kind, organisation, its name, people who record, who reads the youth's case later
        self.partners = [
            (
                "work_service",
                rs.work_service.pk,
                rs.work_service.name,
                self.work_service_managers,
                rs.work_service_managers[0].pk,
            ),
            (
                "rmc",
                rs.rmc.pk,
                rs.rmc.name,
                [(rs.rmc_officer.pk, str(rs.rmc_officer))],
                rs.rmc_officer.pk,
            ),
            (
                "leerplicht",
                rs.leerplicht.pk,
                rs.leerplicht.name,
                [(rs.leerplicht_officer.pk, str(rs.leerplicht_officer))],
                rs.leerplicht_officer.pk,
            ),
            (
                "swv",
                rs.swv.pk,
                rs.swv.name,
                [(rs.swv_officer.pk, str(rs.swv_officer))],
                rs.swv_officer.pk,
            ),
        ]


class Context:
    """Everything the workers share (inherited by fork)."""

    def __init__(self, seed, today, now, employer_ids, n_log, plans, blocks):
        self.seed = seed
        self.calendar = Calendar(today, now)
        self.employer_ids = employer_ids
        self.n_log = n_log
        self.plans: list[SchoolPlan] = plans
        self.blocks: dict[str, int] = blocks


pick_stage = picker(STAGES)
pick_situation = picker(SITUATIONS)
pick_age = picker([(16, 25), (17, 30), (18, 25), (19, 12), (20, 8)])
pick_profile = picker([("work", 85), ("education", 10), ("daytime_activities", 5)])
pick_job = picker([("permanent", 30), ("fixed_term", 55), ("dual_track", 10), ("other", 5)])


def generate_school(ctx: Context, plan: SchoolPlan) -> tuple[dict[str, list[str]], dict]:
    """One school's students and cases with everything that goes with them, as COPY lines."""
    rng = random.Random(ctx.seed * 1_000_003 + plan.k)
    rnd = rng.random
    bits = rng.getrandbits
    cal = ctx.calendar
    T = cal.today
    iso, iso_space, dmy, clock = cal.iso, cal.iso_space, cal.dmy, cal.clock
    now_second, now_text = cal.now_second, cal.now_text
    months = cal.add_months
    employer_ids = ctx.employer_ids
    n_employers = len(employer_ids)
    n_log = ctx.n_log

    out: dict[str, list[str]] = {t.name: [] for t in BULK_TABLES}
    counters = {name: itertools.count(plan.k * block + 1) for name, block in ctx.blocks.items()}
    next_student = counters[STUDENT.name].__next__
    next_guardian = counters[GUARDIAN.name].__next__
    next_case = counters[CASE.name].__next__
    next_involvement = counters[INVOLVEMENT.name].__next__
    next_handover = counters[HANDOVER.name].__next__
    next_aba = counters[ABA.name].__next__
    next_employment = counters[EMPLOYMENT.name].__next__
    next_check = counters[CHECK.name].__next__
    next_signal = counters[SIGNAL.name].__next__
    next_follow_up = counters[FOLLOW_UP.name].__next__
    next_contact = counters[FOLLOW_UP_CONTACT.name].__next__
    next_note = counters[MONITORING_NOTE.name].__next__
    next_report = counters[SELF_REPORT.name].__next__
    next_event = counters[EVENT.name].__next__
    next_log = counters[LOG.name].__next__
    add_student = out[STUDENT.name].append
    add_guardian = out[GUARDIAN.name].append
    add_case = out[CASE.name].append
    add_involvement = out[INVOLVEMENT.name].append
    add_handover = out[HANDOVER.name].append
    add_aba = out[ABA.name].append
    add_employment = out[EMPLOYMENT.name].append
    add_check = out[CHECK.name].append
    add_signal = out[SIGNAL.name].append
    add_follow_up = out[FOLLOW_UP.name].append
    add_contact = out[FOLLOW_UP_CONTACT.name].append
    add_note = out[MONITORING_NOTE.name].append
    add_report = out[SELF_REPORT.name].append
    add_event = out[EVENT.name].append
    add_log = out[LOG.name].append

    school_id = plan.school_id
    region_id = plan.region_id
    actor = plan.actor
    mentors = plan.mentors
    recorders = [actor, *mentors]
    municipalities = plan.municipalities
    main_municipality = plan.main_municipality
    ws_id, ws_name = plan.work_service, plan.work_service_name
    ws_managers = plan.work_service_managers
    first_manager = plan.first_manager
    rmc_id, rmc_officer = plan.rmc, plan.rmc_officer
    partners = [
        (
            kind,
            org_id,
            people,
            reader,
            f"{name} gevraagd mee te doen",
            f"Betrokkenheid van {name} vastgelegd",
            j_text({"organisation": name}),
        )
        for kind, org_id, name, people, reader in plan.partners
    ]
    handover_summary = f"Warme overdracht aan {ws_name} vastgelegd"
    handover_data = j_text({"organisation": ws_name})
    consultation_cases: list[int] = []
    later_cases: list[tuple[int, str]] = []

    def between(a: int, b: int) -> int:
        return a if b <= a else a + int(rnd() * (b - a + 1))

    def at(o: int) -> str:
        """A moment on day `o` during office hours (local time), never later than now."""
        s = int(rnd() * OFFICE_SECONDS)
        if o >= T and (o > T or s >= now_second):
            return now_text
        return iso_space[o] + clock[s]

    def ev(case_id, o, who, organisation, kind, summary, data):
        add_event(
            f"{next_event()}\t{case_id}\t{at(o)}\t{who}\t{organisation}\t{kind}\t{summary}\t{data}\n"
        )

    def log(student_id, who, organisation, o, operation, activity):
        add_log(
            f"{next_log()}\t{bits(128):032x}\t{operation}\t{activity}\t{student_id}\t{who}\t"
            f"{organisation}\t{at(o)}\tok\n"
        )

    def signal(
        case_id,
        kind,
        rule,
        organisation,
        raise_on,
        due_on,
        message,
        params,
        key,
        closed,
        resolved_if_past=0.4,
    ):
        """A signal as schedules.py makes it; its status follows from its date and the case."""
        raised = NULL
        note = ""
        if raise_on > T:
            status = "cancelled" if closed else "scheduled"
        elif raise_on == T and not closed:
            status = "scheduled"  # due: what today's daily run raises (bench/raise_signals.py)
        else:
            raised = at(raise_on)
            roll = rnd()
            if closed or roll < resolved_if_past:
                status, note = "resolved", "Afgehandeld"
            elif roll < resolved_if_past + 0.2:
                status = "acknowledged"
            else:
                status = "open"
        created = at(min(raise_on, T) - 30)
        add_signal(
            f"{next_signal()}\t{created}\t{created if raised is NULL else raised}\t{case_id}\t"
            f"{kind}\t{rule}\t{organisation}\t{status}\t{iso[raise_on]}\t{iso[due_on]}\t"
            f"{raised}\t{message}\t{params}\t{note}\t{key}\n"
        )
        return status

    def case(student_id, born, qualified, stage, opened, outflow, municipality):
        case_id = next_case()
        opened_18 = months(born, 12 * 18)
        under_18 = opened_18 > opened
        past_consultation = stage != "consultation" and stage != "withdrawn"
        after_outflow = stage == "aftercare" or stage == "closed"
        profile = pick_profile(rnd) if past_consultation else ""
        profile_on = None
        if profile:
            profile_on = opened + 7 + int(rnd() * 38)
            if outflow and outflow < profile_on:
                profile_on = outflow
            if profile_on > T:
                profile_on = T
        aftercare_ends = months(outflow, 24) if after_outflow else None
        rmc_ends = months(born, 12 * 23) if after_outflow and not qualified else None
        ended = None
        end_reason = ""
        if stage == "closed":
            ended = aftercare_ends
        elif stage == "withdrawn":
            ended = min(opened + 20 + int(rnd() * 280), T)
            end_reason = END_REASONS[int(rnd() * 3)]
        ev(case_id, opened, actor, school_id, "case_opened", "Casus geopend", "{}")
        log(student_id, actor, school_id, opened, "create", "route.case")

        # Partners asked to take part (R-OVL-2); the work service nearly always after consultation.
        involved = []
        last_day = ended or outflow or T
        for kind, org_id, people, reader, asked, recorded_text, data in partners:
            if kind == "work_service":
                chance = 0.95 if past_consultation else 0.4
            elif kind == "rmc":
                chance = 0.5 if past_consultation else 0.25
            elif kind == "leerplicht":
                chance = 0.6 if under_18 and municipality == main_municipality else 0.02
            else:
                chance = 0.08
            if rnd() >= chance:
                continue
            requested = between(opened, min(last_day, opened + 30))
            done = past_consultation or rnd() < 0.3
            person_id, person_name = people[int(rnd() * len(people))]
            created = at(requested)
            if done:
                involved_on = between(requested, min(T, requested + 21))
                add_involvement(
                    f"{next_involvement()}\t{created}\t{created}\t{case_id}\t{org_id}\t"
                    f"{person_id}\t{iso[requested]}\t{actor}\t{person_name}\t{iso[involved_on]}\t"
                    "Advies: richting werk met begeleiding.\tlegal_task\t\t"
                    f"{student_id}\t{region_id}\tf\n"
                )
            else:
                add_involvement(
                    f"{next_involvement()}\t{created}\t{created}\t{case_id}\t{org_id}\t{NULL}\t"
                    f"{iso[requested]}\t{actor}\t\t{NULL}\t\tlegal_task\t\t"
                    # not answered: waits while the case is before aftercare (request_lapsed)
                    f"{student_id}\t{region_id}\t{'t' if stage == 'withdrawn' else 'f'}\n"
                )
            involved.append((kind, org_id, reader))
            ev(case_id, requested, actor, school_id, "involvement_requested", asked, data)
            if done:
                ev(
                    case_id,
                    involved_on,
                    person_id,
                    org_id,
                    "involvement_recorded",
                    recorded_text,
                    data,
                )
                log(student_id, person_id, org_id, involved_on, "update", "route.involvement")
        if profile_on:
            ev(
                case_id,
                profile_on,
                actor,
                school_id,
                "profile_established",
                'Uitstroomprofiel "werk" vastgesteld',
                "{}",
            )

        # ABA at UWV (R-ABA-1): filed for some; in the ABA stage mostly waiting for a decision.
        if stage == "aba" or (past_consultation and rnd() < 0.25):
            submitted = between(profile_on or opened, min(outflow or T, T))
            decided = None
            if stage != "aba" or rnd() < 0.3:
                decided = between(submitted, min(submitted + 70, outflow or T, T))
            aba_id = next_aba()
            created = at(submitted)
            received = submitted + 3 if submitted + 3 <= (decided or T) else None
            outcome = ABA_OUTCOMES[int(rnd() * 3)] if decided else ""
            add_aba(
                f"{aba_id}\t{created}\t{created}\t{case_id}\t{iso[submitted]}\t"
                f"{iso[received] if received else NULL}\t{iso[decided] if decided else NULL}\t"
                f"{outcome}\n"
            )
            ev(case_id, submitted, actor, school_id, "aba_submitted", "ABA ingediend bij UWV", "{}")
            due = submitted + 56
            signal(
                case_id,
                "aba_no_decision",
                "R-ABA-3",
                school_id,
                due,
                due,
                "The ABA filed on %(date)s has no decision yet: contact UWV.",
                f'{{"date":"{dmy[submitted]}"}}',
                f"aba-{aba_id}",
                decided is not None or stage == "closed" or stage == "withdrawn",
            )

        # Warm handover (R-HO-1) to the work service, from the handover stage on.
        handed_over = stage in ("outflow", "aftercare", "closed") or (
            stage == "handover" and rnd() < 0.4
        )
        if handed_over:
            handed = between(profile_on or opened, min(outflow or T, T))
            accepted = between(handed, min(handed + 14, T)) if rnd() < 0.85 else None
            person_id, person_name = ws_managers[int(rnd() * len(ws_managers))]
            created = at(handed)
            add_handover(
                f"{next_handover()}\t{created}\t{created}\t{case_id}\t{ws_id}\t{person_name}\t"
                f"{person_id}\t{iso[handed]}\t{HANDOVER_FORMS[int(rnd() * 3)]}\tlegal_task\t\t"
                f"Overdracht naar werk\t{iso[accepted] if accepted else NULL}\t"
                f"{person_id if accepted else NULL}\t{student_id}\t{region_id}\t"
                # not accepted: waits while the case has not ended (acceptance_lapsed)
                f"{'t' if stage == 'closed' and not accepted else 'f'}\n"
            )
            ev(
                case_id,
                handed,
                actor,
                school_id,
                "handover_recorded",
                handover_summary,
                handover_data,
            )
            log(student_id, actor, school_id, handed, "create", "route.handover")
            if accepted:
                ev(
                    case_id,
                    accepted,
                    person_id,
                    ws_id,
                    "handover_accepted",
                    "Warme overdracht geaccepteerd",
                    "{}",
                )

        last_situation, last_contact = "", None
        if after_outflow:
            ev(
                case_id,
                outflow,
                actor,
                school_id,
                "outflow",
                f"Uitstroom naar werk; uitgeschreven op {dmy[outflow]}",
                f'{{"deregistered_on":"{dmy[outflow]}"}}',
            )
            log(student_id, actor, school_id, outflow, "update", "route.outflow")
            closed = stage == "closed"
            # A job (R-UIT-1) for most who left for work.
            if profile == "work" and rnd() < 0.85:
                kind = pick_job(rnd)
                starts = outflow - 30 + int(rnd() * 60)
                ends = months(starts, JOB_MONTHS[int(rnd() * 4)]) if kind == "fixed_term" else None
                employment_id = next_employment()
                created = at(min(starts, T))
                add_employment(
                    f"{employment_id}\t{created}\t{created}\t{case_id}\t"
                    f"{employer_ids[int(rnd() * n_employers)]}\t{kind}\t{iso[starts]}\t"
                    f"{iso[ends] if ends else NULL}\t{JOB_HOURS[int(rnd() * 5)]}\t"
                    f"{'ROC Nieuwkomers' if kind == 'dual_track' else ''}\t\t{NULL}\n"
                )
                ev(
                    case_id,
                    min(starts, T),
                    actor,
                    school_id,
                    "employment_recorded",
                    "Baan vastgelegd",
                    '{"employer":"werkgever"}',
                )
                if ends:
                    # R-NZ-5: continuation asked 3 months before the end, to school and work service
                    raise_on = months(ends, -3)
                    params = f'{{"date":"{dmy[ends]}"}}'
                    for organisation in (ws_id, school_id) if handed_over else (school_id,):
                        signal(
                            case_id,
                            "contract_end",
                            "R-NZ-5",
                            organisation,
                            raise_on,
                            ends,
                            "The contract ends on %(date)s: ask about continuation.",
                            params,
                            f"contract-end-{employment_id}",
                            closed,
                        )
            # Four check-ins (R-NZ-1): most recorded when past due.
            for sequence in (1, 2, 3, 4):
                due = months(outflow, 6 * sequence)
                recorded = None
                contact = NULL
                situation = ""
                if due <= T and (closed or rnd() < 0.85):
                    recorded = between(max(outflow, due - 10), min(T, due + 25))
                    if rnd() < 0.9:
                        contact = "t"
                        situation = pick_situation(rnd)
                        last_situation, last_contact = situation, recorded
                    else:
                        contact = "f"
                        situation = "unknown"
                created = at(outflow)
                if recorded:
                    add_check(
                        f"{next_check()}\t{created}\t{at(recorded)}\t{case_id}\t{sequence}\t"
                        f"{iso[due]}\t{iso[recorded]}\t{contact}\t{situation}\t"
                        f"Gesproken met jongere.\t\t{recorders[int(rnd() * len(recorders))]}\t"
                        f"{school_id}\n"
                    )
                    if contact == "t":
                        ev(
                            case_id,
                            recorded,
                            actor,
                            school_id,
                            "checkin_recorded",
                            f"Nazorgcontact {sequence} vastgelegd",
                            f'{{"sequence":"{sequence}","situation":"{situation}"}}',
                        )
                    else:
                        ev(
                            case_id,
                            recorded,
                            actor,
                            school_id,
                            "checkin_not_reached",
                            f"Nazorgcontact {sequence} vastgelegd",
                            f'{{"sequence":"{sequence}","date":"–"}}',
                        )
                    log(student_id, actor, school_id, recorded, "update", "aftercare.checkin")
                else:
                    add_check(
                        f"{next_check()}\t{created}\t{created}\t{case_id}\t{sequence}\t"
                        f"{iso[due]}\t{NULL}\t{NULL}\t\t\t\t{NULL}\t{school_id}\n"
                    )
                # R-NZ-3: the overdue signal, cancelled or resolved once the check-in is recorded
                raise_on = due + 30
                params = f'{{"n":{sequence},"date":"{dmy[due]}"}}'
                if recorded and recorded < raise_on:
                    created = at(outflow)
                    add_signal(
                        f"{next_signal()}\t{created}\t{at(recorded)}\t{case_id}\tcheckin_overdue\t"
                        f"R-NZ-3\t{school_id}\tcancelled\t{iso[raise_on]}\t{iso[due]}\t{NULL}\t"
                        f"{CHECKIN_MESSAGE}\t{params}\t\tcheckin-{sequence}\n"
                    )
                else:
                    status = signal(
                        case_id,
                        "checkin_overdue",
                        "R-NZ-3",
                        school_id,
                        raise_on,
                        due,
                        CHECKIN_MESSAGE,
                        params,
                        f"checkin-{sequence}",
                        closed or recorded is not None,
                        0.2,
                    )
                    if status != "scheduled" and status != "cancelled":
                        ev(
                            case_id,
                            raise_on,
                            NULL,
                            NULL,
                            "signal_raised",
                            "Signaal: nazorgcontact te laat",
                            '{"signal_kind":"checkin_overdue"}',
                        )
            # R-NZ-7 and R-RMC-1
            signal(
                case_id,
                "aftercare_end",
                "R-NZ-7",
                school_id,
                aftercare_ends,
                aftercare_ends,
                "Aftercare ends on %(date)s; the case closes with the last known situation.",
                f'{{"date":"{dmy[aftercare_ends]}"}}',
                "aftercare-end",
                closed,
            )
            if rmc_ends:
                for kind, org_id, _reader in involved:
                    if kind == "rmc":
                        signal(
                            case_id,
                            "rmc_monitoring_end",
                            "R-RMC-1",
                            org_id,
                            rmc_ends,
                            rmc_ends,
                            "RMC monitoring ends on %(date)s (age limit).",
                            f'{{"date":"{dmy[rmc_ends]}"}}',
                            "rmc-monitoring-end",
                            closed and rmc_ends <= T,
                        )
            # The work service follows the youth at work (and its contacts).
            if handed_over:
                follow_ended = aftercare_ends if closed and rnd() < 0.7 else None
                created = at(outflow)
                add_follow_up(
                    f"{next_follow_up()}\t{created}\t{created}\t{case_id}\t{ws_id}\t{iso[outflow]}\t"
                    f"{iso[follow_ended] if follow_ended else NULL}\t"
                    f"{'Duurzaam aan het werk' if follow_ended else ''}\n"
                )
                for _ in range(CONTACTS[int(rnd() * 4)]):
                    on = between(outflow, min(T, aftercare_ends))
                    created = at(on)
                    add_contact(
                        f"{next_contact()}\t{created}\t{created}\t{case_id}\t{ws_id}\t{iso[on]}\t"
                        f"{WITH_WHOM[int(rnd() * 3)]}\t{pick_situation(rnd)}\t\t\t{first_manager}\n"
                    )
                    ev(
                        case_id,
                        on,
                        first_manager,
                        ws_id,
                        "follow_up_contact",
                        "Vervolgcontact werkdienst",
                        '{"with_whom":"youth"}',
                    )
            if rmc_ends and rmc_ends > T and rnd() < 0.05:
                on = between(outflow, T)
                created = at(on)
                add_note(
                    f"{next_note()}\t{created}\t{created}\t{case_id}\t{rmc_id}\t{iso[on]}\t"
                    f"Contact gehad, gaat goed.\t{rmc_officer}\n"
                )
            # R-NZ-4: a few youth report themselves through their page.
            if rnd() < 0.05:
                on = between(outflow, min(T, aftercare_ends))
                reported = at(on)
                report_id = next_report()
                add_report(
                    f"{report_id}\t{reported}\t{reported}\t{case_id}\t{reported}\t"
                    f"{REPORT_KINDS[int(rnd() * 3)]}\tIk wil graag contact.\t\tportal\n"
                )
                signal(
                    case_id,
                    "self_report",
                    "R-NZ-4",
                    school_id,
                    on,
                    on,
                    "The youth reported: %(report_kind)s.",
                    '{"report_kind":"job_at_risk"}',
                    f"self-report-{report_id}",
                    closed,
                    0.7,
                )
            if closed:
                ev(
                    case_id,
                    aftercare_ends,
                    NULL,
                    NULL,
                    "case_closed",
                    "Casus gesloten na nazorg",
                    "{}",
                )
        if stage == "withdrawn":
            ev(
                case_id,
                ended,
                actor,
                school_id,
                "case_withdrawn",
                f"Casus ingetrokken: {end_reason}",
                j_text({"reason": end_reason}),
            )

        # People reading the youth's page: the school most, partners now and then.
        last_read = ended or T
        for _ in range(n_log):
            o = between(opened, last_read)
            if involved and rnd() < 0.3:
                _kind, org_id, reader = involved[int(rnd() * len(involved))]
                log(student_id, reader, org_id, o, "read", "route.case")
            else:
                who = actor if rnd() < 0.5 else mentors[int(rnd() * len(mentors))]
                log(student_id, who, school_id, o, "read", "students.student")

        created = at(opened)
        updated = at(min(T, ended or last_contact or outflow or opened))
        add_case(
            f"{case_id}\t{created}\t{max(created, updated)}\t{student_id}\t{region_id}\t{stage}\t"
            f"{iso[opened]}\t"
            f"{actor}\t{profile}\t{iso[profile_on] if profile_on else NULL}\t\t\tf\t"
            f"{'t' if past_consultation and under_18 else NULL}\t\t"
            f"{iso[outflow] if outflow else NULL}\t{iso[aftercare_ends] if aftercare_ends else NULL}\t"
            f"{iso[rmc_ends] if rmc_ends else NULL}\t{last_situation}\t"
            f"{iso[last_contact] if last_contact else NULL}\t{iso[ended] if ended else NULL}\t"
            f"{end_reason}\n"
        )
        if stage == "consultation":
            consultation_cases.append(case_id)
        elif past_consultation:
            later_cases.append((case_id, profile))

    made = 0
    n_cases = plan.n_cases
    while made < n_cases:
        stage = pick_stage(rnd)
        # a few students have an earlier, withdrawn case before this one
        earlier = made + 1 < n_cases and rnd() < 0.04
        made += 2 if earlier else 1
        # When the case opened and (after school) when the youth left for work.
        if stage in PRE_OUTFLOW:
            opened = T - 14 - int(rnd() * 351)
            outflow = None
        elif stage == "aftercare":
            outflow = T - 1 - int(rnd() * 729)
            opened = outflow - 90 - int(rnd() * 450)
        elif stage == "closed":
            outflow = T - 731 - int(rnd() * 729)
            opened = outflow - 90 - int(rnd() * 450)
        else:  # withdrawn
            opened = T - 30 - int(rnd() * 1070)
            outflow = None
        first_opened = opened - 60 - int(rnd() * 340) if earlier else opened
        age_at_opening = pick_age(rnd)
        born = months(first_opened, -12 * age_at_opening) - int(rnd() * 365)
        arrival = min(months(born, 12 * (12 + int(rnd() * 5))), first_opened)
        qualified = (stage == "aftercare" or stage == "closed") and rnd() < 0.15
        roll = rnd()
        municipality = municipalities[0 if roll < 0.5 else 1 if roll < 0.75 else 2]
        last = LAST_NAMES[int(rnd() * len(LAST_NAMES))]
        student_id = next_student()
        created = at(first_opened - 1 - int(rnd() * 59))
        add_student(
            f"{student_id}\t{created}\t{created}\t{school_id}\t"
            f"{FIRST_NAMES[int(rnd() * len(FIRST_NAMES))]}\t{last}\t{iso[born]}\t"
            f"ISK-{1 + int(rnd() * 4)}{'ABCD'[int(rnd() * 4)]}\t"
            f"{mentors[int(rnd() * len(mentors))]}\t{iso[arrival]}\t"
            f"{LANGUAGES[int(rnd() * 7)]}\t{municipality}\t{'t' if qualified else 'f'}\t"
            f"{iso[between(outflow or T, T)] if qualified else NULL}\t"
            f"{100_000_000 + student_id if rnd() < 0.8 else ''}\t"
            f"{f'jongere{student_id}@example.invalid' if rnd() < 0.6 else ''}\t"
            f"{f'06{10_000_000 + int(rnd() * 89_999_999)}' if rnd() < 0.7 else ''}\n"
        )
        if age_at_opening < 18 or rnd() < 0.3:
            add_guardian(
                f"{next_guardian()}\t{created}\t{created}\t{student_id}\t"
                f"{FIRST_NAMES[int(rnd() * len(FIRST_NAMES))]} {last}\t"
                f"{GUARDIAN_RELATIONS[int(rnd() * 3)]}\t06{10_000_000 + int(rnd() * 89_999_999)}\t\t"
                f"{GUARDIAN_LANGUAGES[int(rnd() * 4)]}\n"
            )
        if earlier:
            case(student_id, born, qualified, "withdrawn", first_opened, None, municipality)
        case(student_id, born, qualified, stage, opened, outflow, municipality)

    for name, counter in counters.items():
        if next(counter) - 1 > (plan.k + 1) * ctx.blocks[name]:
            raise RuntimeError(f"{name}: more rows than its block of ids ({ctx.blocks[name]})")
    return out, {
        "region": plan.region_index,
        "consultation": consultation_cases,
        "later": later_cases,
    }


ABA_OUTCOMES = ["indicatie_banenafspraak", "rejected", "wajong"]
HANDOVER_FORMS = ["joint_meeting", "meeting", "phone"]
JOB_MONTHS = [6, 12, 12, 24]
JOB_HOURS = [16, 24, 32, 36, 38]
CONTACTS = [0, 1, 1, 2]
WITH_WHOM = ["youth", "employer", "both"]
REPORT_KINDS = ["job_at_risk", "problems_at_work", "contract_ending"]
GUARDIAN_RELATIONS = ["moeder", "vader", "voogd"]
CHECKIN_MESSAGE = "Check-in %(n)s was due on %(date)s and has not been recorded."


def j_text(data) -> str:
    """JSON for COPY text (no backslashes: non-ASCII stays as it is)."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    assert "\\" not in text and "\t" not in text
    return text


def build_agendas(ctx: Context, sets: list[RegionSet], base: dict[str, int], seed: int):
    """Held meetings discussed cases that went on; planned ones have consultation cases."""
    rng = random.Random(seed + 2)
    rnd = rng.random
    cal = ctx.calendar
    T = cal.today
    iso = cal.iso
    ids = {name: itertools.count(start) for name, start in base.items()}
    out: dict[str, list[str]] = defaultdict(list)

    def at(o: int) -> str:
        s = int(rnd() * OFFICE_SECONDS)
        if o >= T and (o > T or s >= cal.now_second):
            return cal.now_text
        return cal.iso_space[o] + cal.clock[s]

    for rs in sets:
        consultation = [(case_id, "") for case_id in rs.consultation_cases]
        later = rs.later_cases[:]
        rng.shuffle(consultation)
        rng.shuffle(later)
        for meeting in rs.meetings:
            held = meeting.status == "held"
            pool = later if held else consultation
            items = [pool.pop() for _ in range(min(len(pool), 20))]
            on = meeting.scheduled_on.toordinal()
            date = cal.dmy[on]
            for position, item in enumerate(items, start=1):
                case_id, profile = item
                created = at(min(on, T) - 7)
                item_id = next(ids[AGENDA.name])
                out[AGENDA.name].append(
                    f"{item_id}\t{created}\t{created}\t{meeting.pk}\t{case_id}\t{position}\n"
                )
                out[EVENT.name].append(
                    f"{next(ids[EVENT.name])}\t{case_id}\t{at(min(on, T) - 7)}\t"
                    f"{rs.route_coordinator.pk}\t{rs.route_coordination.pk}\tmeeting_agenda\t"
                    f"Op de agenda van de uitstroomtafel van {date}\t"
                    f'{{"date":"{date}"}}\n'
                )
                if held:
                    decided_at = at(on)
                    out[ADVICE.name].append(
                        f"{next(ids[ADVICE.name])}\t{decided_at}\t{decided_at}\t{item_id}\t"
                        f"{rs.work_service.pk}\t{rs.work_service_managers[0].pk}\t"
                        "Werk met begeleiding via Halte Werk.\n"
                    )
                    out[DECISION.name].append(
                        f"{next(ids[DECISION.name])}\t{decided_at}\t{decided_at}\t{item_id}\t"
                        f"{profile or 'work'}\tBesloten aan tafel\t{iso[on]}\t"
                        f"{rs.route_coordinator.pk}\n"
                    )
                    done = iso[on + 10] if rnd() < 0.8 else NULL
                    out[ACTION.name].append(
                        f"{next(ids[ACTION.name])}\t{decided_at}\t{decided_at}\t{item_id}\t"
                        f"Gesprek met werkgever plannen\t{rs.work_service.pk}\t{NULL}\t"
                        f"{iso[on + 14]}\t{done}\n"
                    )
    return out


# --- generating and loading, in parallel ---------------------------------------------------------

_CONTEXT: Context | None = None  # set before the worker processes fork
_LOADER: Loader | None = None


def _worker_start() -> None:
    global _LOADER
    _LOADER = PostgresLoader()
    _LOADER.start_session()


def school_task(k: int) -> dict:
    """Generates school k and loads it (in a worker process or in-process)."""
    assert _CONTEXT is not None and _LOADER is not None
    started = time.perf_counter()
    lines, result = generate_school(_CONTEXT, _CONTEXT.plans[k])
    generated = time.perf_counter() - started
    result["counts"] = {name: len(rows) for name, rows in lines.items()}
    before = dict(_LOADER.seconds)
    for table in BULK_TABLES:
        _LOADER.load(table, lines.pop(table.name, []))
    result["generate_seconds"] = generated
    result["load_seconds"] = {
        name: s - before.get(name, 0.0) for name, s in _LOADER.seconds.items()
    }
    return result


def generate_all(ctx: Context, workers: int, loader: Loader):
    """All schools' cases; with workers > 1 in that many forked processes, each on its own
    database connection (the schools are taken one at a time, the largest regions first)."""
    global _CONTEXT, _LOADER
    _CONTEXT = ctx
    order = list(range(len(ctx.plans)))
    if workers <= 1:
        _LOADER = loader
        loader.start_session()
        for k in order:
            yield school_task(k)
        return
    connections.close_all()  # the children open their own
    with multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start) as pool:
        yield from pool.imap_unordered(school_task, order)


def reset_sequences() -> None:
    models = [t.model for t in BULK_TABLES]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def verify_foreign_keys() -> int:
    """Every foreign key of the bulk tables points at a row (COPY ran without FK triggers)."""
    problems = 0
    with connection.cursor() as cursor:
        for table in BULK_TABLES:
            for field in table.model._meta.concrete_fields:
                if not field.is_relation or field.column not in table.columns:
                    continue
                target = field.related_model._meta
                cursor.execute(
                    f'SELECT COUNT(*) FROM "{table.name}" c LEFT JOIN "{target.db_table}" p '
                    f'ON p."{target.pk.column}" = c."{field.column}" '
                    f'WHERE c."{field.column}" IS NOT NULL AND p."{target.pk.column}" IS NULL'
                )
                missing = cursor.fetchone()[0]
                if missing:
                    problems += missing
                    print(f"  {table.name}.{field.column}: {missing} rows point nowhere")
    return problems


# --- the plan for locust -------------------------------------------------------------------------


def token_for(user: User, today: dt.date) -> str | None:
    """An API token for the login, when the API app is installed (it is being built)."""
    if not apps.is_installed("routearbeid.api"):
        return None
    try:
        from routearbeid.api.services import api_token_create
    except ImportError:
        return None
    return api_token_create(
        actor=user, name="bench", scope="read", expires_on=today + dt.timedelta(days=30)
    ).secret


def write_plan(path: Path, sets: list[RegionSet], cases: int, today: dt.date, seed: int) -> dict:
    from routearbeid.organisations.actors import actor_for
    from routearbeid.route.services import INVOLVED_KINDS
    from routearbeid.students.selectors import visible_students

    rng = random.Random(seed + 1)
    sample = 200

    def students(user: User, pool: list[int]) -> tuple[list[int], list[str]]:
        """Up to `sample` youth the login may see: candidates drawn from its school or region,
        kept when the selector lets the login see them (cheap at any size, unlike a random
        order over everyone visible)."""
        actor = actor_for(user)
        candidates = rng.sample(pool, min(len(pool), 3 * sample))
        rows = sorted(
            visible_students(actor).filter(id__in=candidates).values_list("id", "last_name")
        )
        if len(rows) < sample and len(candidates) < len(pool):
            # sees few of them (the route coordinator: the cases on its tables): all it sees
            rows = sorted(visible_students(actor).values_list("id", "last_name"))
        rng.shuffle(rows)
        rows = rows[:sample]
        words = sorted({name[:4] for _id, name in rows})
        return [r[0] for r in rows], words

    def login(user: User, pool: list[int], **extra) -> dict:
        ids, words = students(user, pool)
        return {
            "username": user.username,
            "token": token_for(user, today),
            "students": ids,
            "search": words,
            **extra,
        }

    plan: dict = {
        "cases": cases,
        "password": PASSWORD,
        "made_on": today.isoformat(),
        "school": [],
        "partner": [],
        "coordinator": [],
    }
    for rs in sets:
        region_orgs = list(
            Organisation.objects.filter(region=rs.region, kind__in=INVOLVED_KINDS).values_list(
                "id", flat=True
            )
        )
        meetings = [m.pk for m in rs.meetings]
        recent = [m.pk for m in rs.meetings if abs((m.scheduled_on - today).days) <= 42]
        by_school: dict[int, list[int]] = defaultdict(list)
        for student_id, school_id in (
            Student.objects.filter(school__region=rs.region)
            .order_by("id")
            .values_list("id", "school_id")
        ):
            by_school[school_id].append(student_id)
        region_pool = sorted(itertools.chain.from_iterable(by_school.values()))
        for school in rs.schools:
            checks = list(
                AftercareCheck.objects.filter(
                    case__student__school=school,
                    case__stage="aftercare",
                    recorded_on__isnull=True,
                    due_on__lte=today + dt.timedelta(days=30),
                )
                .order_by("?")
                .values_list("case__student_id", "id")[:500]
            )
            consultation = list(
                Case.objects.filter(student__school=school, stage="consultation")
                .order_by("?")
                .values_list("id", "student_id")[:300]
            )
            taken = defaultdict(set)
            for case_id, organisation_id in Involvement.objects.filter(
                case_id__in=[c for c, _s in consultation]
            ).values_list("case_id", "organisation_id"):
                taken[case_id].add(organisation_id)
            with_aba = set(
                AbaApplication.objects.filter(
                    case_id__in=[c for c, _s in consultation]
                ).values_list("case_id", flat=True)
            )
            transitions = []
            for case_id, student_id in consultation:
                if case_id not in with_aba:
                    transitions.append([student_id, "aba-submit", None])
                for organisation_id in region_orgs:
                    if organisation_id not in taken[case_id]:
                        transitions.append([student_id, "involvement-request", organisation_id])
            rng.shuffle(transitions)
            plan["school"].append(
                login(
                    rs.coordinators[school.pk],
                    by_school[school.pk],
                    school_id=school.pk,
                    region_id=rs.region.pk,
                    checkins=[list(c) for c in checks],
                    transitions=transitions,
                    meetings=recent or meetings,
                )
            )
        for user, role in [
            (rs.work_service_managers[0], "work_service"),
            (rs.work_service_managers[1], "work_service"),
            (rs.rmc_officer, "rmc"),
        ]:
            plan["partner"].append(login(user, region_pool, role=role, region_id=rs.region.pk))
        plan["coordinator"].append(
            login(
                rs.route_coordinator,
                region_pool,
                region_id=rs.region.pk,
                meetings=recent or meetings,
            )
        )
    # Interleave the regions, so that the first logins locust takes are spread over them. A
    # region's partners (two work-service client managers, an RMC officer) start at another one
    # in each region, so that the first 16 people include RMC officers however many regions
    # there are (with one region's partners after another, 16 people at 1,000,000 cases were
    # all work-service client managers).
    ordinal = {rs.region.pk: n for n, rs in enumerate(sets)}
    for key in ("school", "partner", "coordinator"):
        of_region: dict[int, list[dict]] = defaultdict(list)
        for entry in plan[key]:
            of_region[entry["region_id"]].append(entry)
        keyed = []
        for region_id, entries in of_region.items():
            shift = ordinal[region_id] % len(entries) if key == "partner" else 0
            for position, entry in enumerate(entries[shift:] + entries[:shift]):
                keyed.append((position, ordinal[region_id], entry))
        plan[key] = [entry for _p, _r, entry in sorted(keyed, key=lambda k: (k[0], k[1]))]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plan))
    return plan


# --- main ----------------------------------------------------------------------------------------


def main() -> int:
    vendor = connection.vendor
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000 if vendor == "postgresql" else 5_000)
    parser.add_argument(
        "--regions",
        type=int,
        default=0,
        help="default: one per 50,000 cases (5,000 cases a school)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--log-per-case",
        type=int,
        default=5,
        help="processing-log reads per case (on top of the writes)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 2,
        help="processes that generate and load schools in parallel (PostgreSQL; default: cores)",
    )
    parser.add_argument("--plan", default=str(ROOT / "var" / "bench" / "plan.json"))
    parser.add_argument(
        "--plan-only",
        action="store_true",
        help="write the plan for data generated before (same --cases/--regions)",
    )
    parser.add_argument("--verify", action="store_true", help="check every foreign key afterwards")
    args = parser.parse_args()

    postgres = vendor == "postgresql"
    workers = max(1, args.workers) if postgres else 1
    n_regions = args.regions or max(1, round(args.cases / (CASES_PER_SCHOOL * SCHOOLS_PER_REGION)))
    n_schools = n_regions * SCHOOLS_PER_REGION
    rng = random.Random(args.seed)
    today = timezone.localdate()
    now = timezone.now()
    print(
        f"bench data: {args.cases:,} cases, {n_regions} regions, {n_schools} schools, "
        f"{vendor}, seed {args.seed}, {workers} worker(s)",
        flush=True,
    )

    if args.plan_only:
        sets = load_region_sets()
        started = time.perf_counter()
        write_plan(Path(args.plan), sets, args.cases, today, args.seed)
        print(f"plan: {args.plan} ({time.perf_counter() - started:.1f} s)")
        return 0

    if Region.objects.exists() or Case.objects.exists():
        print(
            "the database already has regions or cases: start from an empty, migrated database",
            file=sys.stderr,
        )
        return 2

    total_started = time.perf_counter()
    started = time.perf_counter()
    with transaction.atomic():
        sets = build_organisations(n_regions, rng)
        employer_ids = build_employers(max(50, args.cases // 100), rng)
        build_meetings(sets, today)
    print(f"organisations, people, employers, meetings: {time.perf_counter() - started:.1f} s")

    per_school = [
        args.cases // n_schools + (1 if i < args.cases % n_schools else 0) for i in range(n_schools)
    ]
    plans: list[SchoolPlan] = []
    for r, rs in enumerate(sets):
        for school in rs.schools:
            k = len(plans)
            plans.append(SchoolPlan(k, r, rs, school, per_school[k]))
    most = max(per_school)
    blocks = {name: most * rows for name, rows in ROWS_PER_CASE.items()}
    blocks[LOG.name] += most * args.log_per_case
    ctx = Context(args.seed, today, now, employer_ids, args.log_per_case, plans, blocks)

    loader: Loader = PostgresLoader() if postgres else SqliteLoader()
    dropped = []
    if postgres:
        autovacuum(BULK_TABLES, on=False)
        dropped = drop_plain_indexes(BULK_TABLES)
    counts: dict[str, int] = defaultdict(int)
    load_seconds: dict[str, float] = defaultdict(float)
    generate_seconds = 0.0
    started = time.perf_counter()
    with transaction.atomic() if not postgres else contextlib.nullcontext():
        for done, result in enumerate(generate_all(ctx, workers, loader), start=1):
            for name, n in result["counts"].items():
                counts[name] += n
            for name, s in result["load_seconds"].items():
                load_seconds[name] += s
            generate_seconds += result["generate_seconds"]
            rs = sets[result["region"]]
            rs.consultation_cases.extend(result["consultation"])
            rs.later_cases.extend(result["later"])
            if done % max(1, n_schools // 10) == 0 or done == n_schools:
                elapsed = time.perf_counter() - started
                print(
                    f"  {done}/{n_schools} schools, {sum(counts.values()):,} rows, {elapsed:.0f} s",
                    flush=True,
                )
        cases_seconds = time.perf_counter() - started

        for rs in sets:  # in id order, so that the agendas do not depend on the workers
            rs.consultation_cases.sort()
            rs.later_cases.sort()
        base = {name: 1 for name in (AGENDA.name, ADVICE.name, DECISION.name, ACTION.name)}
        base[EVENT.name] = n_schools * blocks[EVENT.name] + 1
        loader.start_session()
        for name, lines in build_agendas(ctx, sets, base, args.seed).items():
            table = next(t for t in BULK_TABLES if t.name == name)
            counts[name] += len(lines)
            loader.load(table, lines)
            load_seconds[name] += loader.seconds.pop(name, 0.0)
    connections.close_all()  # the loading session's settings end here
    data_seconds = time.perf_counter() - started

    started = time.perf_counter()
    slowest = build_indexes(dropped, workers)[:3] if dropped else []
    index_seconds = time.perf_counter() - started
    reset_sequences()
    started = time.perf_counter()
    vacuum_analyze(workers)
    if postgres:
        autovacuum(BULK_TABLES, on=True)
    analyze_seconds = time.perf_counter() - started

    rows = sum(counts.values())
    print(f"{'table':<42} {'rows':>11} {'rows/case':>9} {'load s':>8}")
    for table in BULK_TABLES:
        n = counts[table.name]
        print(f"{table.name:<42} {n:>11,} {n / args.cases:>9.2f} {load_seconds[table.name]:>8.1f}")
    print(f"{'total':<42} {rows:>11,} {rows / args.cases:>9.2f} {sum(load_seconds.values()):>8.1f}")
    print(
        f"cases: {cases_seconds:.1f} s wall ({rows / max(data_seconds, 0.001):,.0f} rows/s; "
        f"over {workers} worker(s): generating {generate_seconds:.1f} s, "
        f"COPY {sum(load_seconds.values()):.1f} s); agendas {data_seconds - cases_seconds:.1f} s"
    )
    print(f"indexes built again: {index_seconds:.1f} s ({len(dropped)} indexes)")
    for seconds, sql in slowest:
        print(f"  {seconds:6.1f} s  {sql.split(' ON ')[0].split()[-1]}")
    print(f"vacuum and analyze: {analyze_seconds:.1f} s")
    if args.verify:
        started = time.perf_counter()
        problems = verify_foreign_keys()
        print(f"foreign keys verified: {problems} problems ({time.perf_counter() - started:.1f} s)")
        if problems:
            return 1
    print(f"data ready: {time.perf_counter() - total_started:.1f} s", flush=True)
    started = time.perf_counter()
    write_plan(Path(args.plan), sets, args.cases, today, args.seed)
    print(f"plan: {args.plan} ({time.perf_counter() - started:.1f} s)")
    print(
        f"generator total: {time.perf_counter() - total_started:.1f} s; "
        f"bench logins (password {PASSWORD}): bench-school-R-S, bench-ws-R-K, bench-rmc-R, bench-rc-R"
    )
    return 0


def load_region_sets() -> list[RegionSet]:
    """The RegionSets of data generated before (for --plan-only)."""
    sets = []
    by_name = {u.username: u for u in User.objects.filter(username__startswith="bench-")}
    for r, region in enumerate(Region.objects.order_by("pk"), start=1):
        rs = RegionSet(region, [])
        orgs = {
            o.kind: o for o in Organisation.objects.filter(region=region).exclude(kind="school")
        }
        rs.schools = list(Organisation.objects.filter(region=region, kind="school").order_by("pk"))
        rs.coordinators = {
            s.pk: by_name[f"bench-school-{r}-{i}"] for i, s in enumerate(rs.schools, start=1)
        }
        rs.work_service = orgs["work_service"]
        rs.work_service_managers = [
            by_name[f"bench-ws-{r}-{k}"] for k in range(1, WORK_SERVICE_MANAGERS_PER_REGION + 1)
        ]
        rs.rmc_officer = by_name[f"bench-rmc-{r}"]
        rs.route_coordinator = by_name[f"bench-rc-{r}"]
        rs.meetings = list(OutflowMeeting.objects.filter(region=region).order_by("scheduled_on"))
        sets.append(rs)
    return sets


if __name__ == "__main__":
    sys.exit(main())
