#!/usr/bin/env python
"""Benchmark data: N cases with realistic distributions, loaded fast, and a plan for locust.

    DATABASE_URL=postgres://... python bench/generate.py --cases 100000
    python bench/generate.py --cases 5000            # SQLite (var/routearbeid.sqlite3 or DATABASE_URL)

PostgreSQL: COPY (psycopg 3 `cursor.copy`) per table, in chunks of one school at a time, with the
table's plain indexes dropped during the load and built again afterwards, and
session_replication_role=replica so that foreign-key triggers do not fire per row (the rows are
consistent by construction; `--verify` checks every foreign key afterwards). Check and unique
constraints stay on. SQLite: bulk INSERTs (executemany) of the same rows, smaller default.

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
import datetime as dt
import json
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "routearbeid.config.settings.bench")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from routearbeid.aftercare.models import (  # noqa: E402
    AftercareCheck,
    FollowUpContact,
    MonitoringNote,
    SelfReport,
    Signal,
    WorkServiceFollowUp,
)
from routearbeid.core.dates import add_months, add_years  # noqa: E402
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

_user_seq = 0


def weighted(rng: random.Random, table):
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


def j(data) -> str:
    return json.dumps(data, separators=(",", ":"))


# --- loading -------------------------------------------------------------------------------------


class Table:
    """A model's table and the columns we write, by field name."""

    def __init__(self, model, fields: list[str]):
        self.model = model
        self.name = model._meta.db_table
        self.columns = [model._meta.get_field(f).column for f in fields]


class Loader:
    def __init__(self):
        self.counts: dict[str, int] = defaultdict(int)
        self.seconds: dict[str, float] = defaultdict(float)

    def load(self, table: Table, rows: list[tuple]) -> None:
        if not rows:
            return
        started = time.perf_counter()
        self._load(table, rows)
        self.seconds[table.name] += time.perf_counter() - started
        self.counts[table.name] += len(rows)

    def _load(self, table: Table, rows: list[tuple]) -> None:
        raise NotImplementedError

    def begin(self, tables: list[Table]) -> None:
        pass

    def finish(self, tables: list[Table]) -> None:
        pass


class PostgresLoader(Loader):
    def __init__(self):
        super().__init__()
        self.dropped: list[tuple[str, str]] = []

    def begin(self, tables):
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            for table in tables:
                # Plain indexes only: the ones behind primary keys and unique constraints stay.
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND "
                    "indexname NOT IN (SELECT conname FROM pg_constraint "
                    "WHERE conrelid = %s::regclass)",
                    [table.name, table.name],
                )
                for name, definition in cursor.fetchall():
                    self.dropped.append((name, definition))
                    cursor.execute(f'DROP INDEX "{name}"')

    def _load(self, table, rows):
        columns = ", ".join(f'"{c}"' for c in table.columns)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def finish(self, tables):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in self.dropped:
                cursor.execute(definition)
        self.seconds["(indexes)"] = time.perf_counter() - started


class SqliteLoader(Loader):
    def _load(self, table, rows):
        columns = ", ".join(f'"{c}"' for c in table.columns)
        marks = ", ".join("?" for _ in table.columns)
        with connection.cursor() as cursor:
            cursor.executemany(
                f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})',
                [tuple(_sqlite_value(v) for v in row) for row in rows],
            )


def _sqlite_value(value):
    # As Django's SQLite backend stores them: datetimes in UTC without zone, dates as ISO text.
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


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


class Ids:
    def __init__(self):
        self.next: dict[str, int] = defaultdict(lambda: 1)

    def __call__(self, table: Table) -> int:
        value = self.next[table.name]
        self.next[table.name] = value + 1
        return value


class Generator:
    def __init__(self, rng, today, now, employer_ids, n_log_per_case):
        self.rng = rng
        self.today = today
        self.now = now
        self.employer_ids = employer_ids
        self.ids = Ids()
        self.n_log = n_log_per_case
        self.rows: dict[str, list[tuple]] = defaultdict(list)
        self.mornings: dict[dt.date, dt.datetime] = {}

    def add(self, table: Table, row: tuple) -> int:
        self.rows[table.name].append(row)
        return row[0]

    def at(self, day: dt.date) -> dt.datetime:
        """A moment on `day` during office hours (local time), never later than now."""
        base = self.mornings.get(day)
        if base is None:
            base = self.mornings[day] = timezone.make_aware(dt.datetime.combine(day, dt.time(8)))
        moment = base + dt.timedelta(seconds=self.rng.randrange(9 * 3600))
        return moment if moment < self.now else self.now

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    def event(self, case_id, day, actor, organisation_id, kind, summary, data):
        self.add(
            EVENT,
            (
                self.ids(EVENT),
                case_id,
                self.at(day),
                actor,
                organisation_id,
                kind,
                summary[:300],
                j(data),
            ),
        )

    def log(self, student_id, actor, organisation_id, day, operation, activity):
        self.add(
            LOG,
            (
                self.ids(LOG),
                f"{self.rng.getrandbits(128):032x}",
                operation,
                activity,
                student_id,
                actor,
                organisation_id,
                self.at(day),
                "ok",
            ),
        )

    def signal(
        self,
        case_id,
        kind,
        rule,
        organisation_id,
        raise_on,
        due_on,
        message,
        params,
        key,
        *,
        closed: bool,
        resolved_if_past: float = 0.4,
    ):
        """A signal as schedules.py makes it; its status follows from its date and the case."""
        today, rng = self.today, self.rng
        raised_at = None
        note = ""
        if raise_on > today:
            status = "cancelled" if closed else "scheduled"
        elif raise_on == today and not closed:
            status = "scheduled"  # due: what today's daily run raises (bench/raise_signals.py)
        else:
            raised_at = self.at(raise_on)
            roll = rng.random()
            if closed or roll < resolved_if_past:
                status, note = "resolved", "Afgehandeld"
            elif roll < resolved_if_past + 0.2:
                status = "acknowledged"
            else:
                status = "open"
        created = self.at(min(raise_on, today) - dt.timedelta(days=30))
        self.add(
            SIGNAL,
            (
                self.ids(SIGNAL),
                created,
                raised_at or created,
                case_id,
                kind,
                rule,
                organisation_id,
                status,
                raise_on,
                due_on,
                raised_at,
                message,
                j(params),
                note,
                key,
            ),
        )
        return status

    def school_cases(self, rs: RegionSet, school: Organisation, n_cases: int) -> None:
        rng = self.rng
        coordinator = rs.coordinators[school.pk]
        mentors = rs.mentors[school.pk]
        made = 0
        while made < n_cases:
            stage = weighted(rng, STAGES)
            # a few students have an earlier, withdrawn case before this one
            earlier = made + 1 < n_cases and rng.random() < 0.04
            made += 2 if earlier else 1
            self.student_with_case(rs, school, coordinator, mentors, stage, earlier)

    def student_with_case(self, rs, school, coordinator, mentors, stage, earlier) -> None:
        rng, today, ids = self.rng, self.today, self.ids
        # When the case opened and (after school) when the youth left for work.
        if stage in ("consultation", "aba", "handover", "outflow"):
            opened = today - dt.timedelta(days=rng.randrange(14, 365))
            outflow = None
        elif stage == "aftercare":
            outflow = today - dt.timedelta(days=rng.randrange(1, 730))
            opened = outflow - dt.timedelta(days=rng.randrange(90, 540))
        elif stage == "closed":
            outflow = today - dt.timedelta(days=rng.randrange(731, 1460))
            opened = outflow - dt.timedelta(days=rng.randrange(90, 540))
        else:  # withdrawn
            opened = today - dt.timedelta(days=rng.randrange(30, 1100))
            outflow = None
        first_opened = opened - dt.timedelta(days=rng.randrange(60, 400)) if earlier else opened
        age_at_opening = rng.choices([16, 17, 18, 19, 20], [25, 30, 25, 12, 8])[0]
        born = add_years(first_opened, -age_at_opening) - dt.timedelta(days=rng.randrange(365))
        arrival = min(add_years(born, rng.randrange(12, 17)), first_opened)
        qualified = rng.random() < 0.15 and stage in ("aftercare", "closed")
        municipality = rng.choices(rs.municipalities, [50, 25, 25])[0]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        student_id = ids(STUDENT)
        created = self.at(first_opened - dt.timedelta(days=rng.randrange(1, 60)))
        self.add(
            STUDENT,
            (
                student_id,
                created,
                created,
                school.pk,
                first,
                last,
                born,
                f"ISK-{rng.randrange(1, 5)}{rng.choice('ABCD')}",
                rng.choice(mentors).pk,
                arrival,
                rng.choice(
                    ["Arabisch", "Tigrinya", "Oekraïens", "Turks", "Dari", "Somalisch", "Pools"]
                ),
                municipality,
                qualified,
                self.day_between(outflow, today) if qualified and outflow else None,
                f"{100_000_000 + student_id}" if rng.random() < 0.8 else "",
                f"jongere{student_id}@example.invalid" if rng.random() < 0.6 else "",
                f"06{rng.randrange(10_000_000, 99_999_999)}" if rng.random() < 0.7 else "",
            ),
        )
        if age_at_opening < 18 or rng.random() < 0.3:
            self.add(
                GUARDIAN,
                (
                    ids(GUARDIAN),
                    created,
                    created,
                    student_id,
                    f"{rng.choice(FIRST_NAMES)} {last}",
                    rng.choice(["moeder", "vader", "voogd"]),
                    f"06{rng.randrange(10_000_000, 99_999_999)}",
                    "",
                    rng.choice(["Arabisch", "Tigrinya", "Oekraïens", "Dari"]),
                ),
            )
        if earlier:
            self.case(
                rs,
                school,
                coordinator,
                student_id,
                born,
                qualified,
                "withdrawn",
                first_opened,
                None,
                municipality,
            )
        self.case(
            rs,
            school,
            coordinator,
            student_id,
            born,
            qualified,
            stage,
            opened,
            outflow,
            municipality,
        )

    def case(
        self,
        rs,
        school,
        coordinator,
        student_id,
        born,
        qualified,
        stage,
        opened,
        outflow,
        municipality,
    ) -> None:
        rng, today, ids = self.rng, self.today, self.ids
        case_id = ids(CASE)
        actor, school_id = coordinator.pk, school.pk
        under_18 = add_years(born, 18) > opened
        past_consultation = stage not in ("consultation", "withdrawn")
        after_outflow = stage in ("aftercare", "closed")
        profile = ""
        if past_consultation:
            profile = rng.choices(["work", "education", "daytime_activities"], [85, 10, 5])[0]
        profile_on = opened + dt.timedelta(days=rng.randrange(7, 45)) if profile else None
        if profile_on and outflow:
            profile_on = min(profile_on, outflow)
        if profile_on:
            profile_on = min(profile_on, today)
        aftercare_ends = add_months(outflow, 24) if after_outflow else None
        rmc_ends = add_years(born, 23) if after_outflow and not qualified else None
        ended = None
        end_reason = ""
        if stage == "closed":
            ended = aftercare_ends
        elif stage == "withdrawn":
            ended = min(opened + dt.timedelta(days=rng.randrange(20, 300)), today)
            end_reason = rng.choice(
                [
                    "Verhuisd naar andere regio",
                    "Kiest voor vervolgonderwijs",
                    "Terug naar land van herkomst",
                ]
            )
        ev = self.event
        ev(case_id, opened, actor, school_id, "case_opened", "Casus geopend", {})
        self.log(student_id, actor, school_id, opened, "create", "route.case")

        # Partners asked to take part (R-OVL-2); the work service nearly always after consultation.
        involved: dict[str, int] = {}
        partners = [
            (
                "work_service",
                rs.work_service,
                rs.work_service_managers,
                0.95 if past_consultation else 0.4,
            ),
            ("rmc", rs.rmc, [rs.rmc_officer], 0.5 if past_consultation else 0.25),
            (
                "leerplicht",
                rs.leerplicht,
                [rs.leerplicht_officer],
                0.6 if under_18 and municipality == rs.municipalities[0] else 0.02,
            ),
            ("swv", rs.swv, [rs.swv_officer], 0.08),
        ]
        last_day = ended or outflow or today
        for kind, organisation, people, chance in partners:
            if rng.random() >= chance:
                continue
            requested = self.day_between(opened, min(last_day, opened + dt.timedelta(days=30)))
            done = past_consultation or rng.random() < 0.3
            involved_on = (
                self.day_between(requested, min(today, requested + dt.timedelta(days=21)))
                if done
                else None
            )
            person = rng.choice(people)
            created = self.at(requested)
            self.add(
                INVOLVEMENT,
                (
                    ids(INVOLVEMENT),
                    created,
                    created,
                    case_id,
                    organisation.pk,
                    person.pk if done else None,
                    requested,
                    actor,
                    str(person) if done else "",
                    involved_on,
                    "Advies: richting werk met begeleiding." if done else "",
                    "legal_task",
                    "",
                ),
            )
            involved[kind] = organisation.pk
            ev(
                case_id,
                requested,
                actor,
                school_id,
                "involvement_requested",
                f"{organisation.name} gevraagd mee te doen",
                {"organisation": organisation.name},
            )
            if done:
                ev(
                    case_id,
                    involved_on,
                    person.pk,
                    organisation.pk,
                    "involvement_recorded",
                    f"Betrokkenheid van {organisation.name} vastgelegd",
                    {"organisation": organisation.name},
                )
                self.log(
                    student_id,
                    person.pk,
                    organisation.pk,
                    involved_on,
                    "update",
                    "route.involvement",
                )
        if profile_on:
            ev(
                case_id,
                profile_on,
                actor,
                school_id,
                "profile_established",
                'Uitstroomprofiel "werk" vastgesteld',
                {},
            )

        # ABA at UWV (R-ABA-1): filed for some; in the ABA stage mostly waiting for a decision.
        if stage == "aba" or (past_consultation and rng.random() < 0.25):
            submitted = self.day_between(profile_on or opened, min(outflow or today, today))
            decided = None
            if stage != "aba" or rng.random() < 0.3:
                decided = self.day_between(
                    submitted, min(submitted + dt.timedelta(days=70), outflow or today, today)
                )
            aba_id = ids(ABA)
            created = self.at(submitted)
            self.add(
                ABA,
                (
                    aba_id,
                    created,
                    created,
                    case_id,
                    submitted,
                    submitted + dt.timedelta(days=3)
                    if submitted + dt.timedelta(days=3) <= (decided or today)
                    else None,
                    decided,
                    rng.choice(["indicatie_banenafspraak", "rejected", "wajong"])
                    if decided
                    else "",
                ),
            )
            ev(case_id, submitted, actor, school_id, "aba_submitted", "ABA ingediend bij UWV", {})
            due = submitted + dt.timedelta(weeks=8)
            self.signal(
                case_id,
                "aba_no_decision",
                "R-ABA-3",
                school_id,
                due,
                due,
                "The ABA filed on %(date)s has no decision yet: contact UWV.",
                {"date": submitted.strftime("%d-%m-%Y")},
                f"aba-{aba_id}",
                closed=decided is not None or stage in ("closed", "withdrawn"),
            )

        # Warm handover (R-HO-1) to the work service, from the handover stage on.
        handover_to = None
        if stage in ("outflow", "aftercare", "closed") or (
            stage == "handover" and rng.random() < 0.4
        ):
            handover_to = rs.work_service
            handed = self.day_between(profile_on or opened, min(outflow or today, today))
            accepted = (
                self.day_between(handed, min(handed + dt.timedelta(days=14), today))
                if rng.random() < 0.85
                else None
            )
            person = rng.choice(rs.work_service_managers)
            created = self.at(handed)
            self.add(
                HANDOVER,
                (
                    ids(HANDOVER),
                    created,
                    created,
                    case_id,
                    handover_to.pk,
                    str(person),
                    person.pk,
                    handed,
                    rng.choice(["joint_meeting", "meeting", "phone"]),
                    "legal_task",
                    "",
                    "Overdracht naar werk",
                    accepted,
                    person.pk if accepted else None,
                ),
            )
            ev(
                case_id,
                handed,
                actor,
                school_id,
                "handover_recorded",
                f"Warme overdracht aan {handover_to.name} vastgelegd",
                {"organisation": handover_to.name},
            )
            self.log(student_id, actor, school_id, handed, "create", "route.handover")
            if accepted:
                ev(
                    case_id,
                    accepted,
                    person.pk,
                    handover_to.pk,
                    "handover_accepted",
                    "Warme overdracht geaccepteerd",
                    {},
                )

        last_situation, last_contact = "", None
        if after_outflow:
            ev(
                case_id,
                outflow,
                actor,
                school_id,
                "outflow",
                f"Uitstroom naar werk; uitgeschreven op {outflow:%d-%m-%Y}",
                {"deregistered_on": outflow.strftime("%d-%m-%Y")},
            )
            self.log(student_id, actor, school_id, outflow, "update", "route.outflow")
            closed = stage == "closed"
            # A job (R-UIT-1) for most who left for work.
            if profile == "work" and rng.random() < 0.85:
                kind = rng.choices(
                    ["permanent", "fixed_term", "dual_track", "other"], [30, 55, 10, 5]
                )[0]
                starts = outflow + dt.timedelta(days=rng.randrange(-30, 30))
                ends = (
                    add_months(starts, rng.choice([6, 12, 12, 24]))
                    if kind == "fixed_term"
                    else None
                )
                employment_id = ids(EMPLOYMENT)
                created = self.at(min(starts, today))
                self.add(
                    EMPLOYMENT,
                    (
                        employment_id,
                        created,
                        created,
                        case_id,
                        rng.choice(self.employer_ids),
                        kind,
                        starts,
                        ends,
                        rng.choice([16, 24, 32, 36, 38]),
                        "ROC Nieuwkomers" if kind == "dual_track" else "",
                        "",
                        None,
                    ),
                )
                ev(
                    case_id,
                    min(starts, today),
                    actor,
                    school_id,
                    "employment_recorded",
                    "Baan vastgelegd",
                    {"employer": "werkgever"},
                )
                if ends:
                    # R-NZ-5: continuation asked 3 months before the end, to school and work service
                    raise_on = add_months(ends, -3)
                    for organisation_id in filter(
                        None, [handover_to.pk if handover_to else None, school_id]
                    ):
                        self.signal(
                            case_id,
                            "contract_end",
                            "R-NZ-5",
                            organisation_id,
                            raise_on,
                            ends,
                            "The contract ends on %(date)s: ask about continuation.",
                            {"date": ends.strftime("%d-%m-%Y")},
                            f"contract-end-{employment_id}",
                            closed=closed,
                        )
            # Four check-ins (R-NZ-1): most recorded when past due.
            for sequence in range(1, 5):
                due = add_months(outflow, 6 * sequence)
                recorded = None
                contact = None
                situation = ""
                if due <= today and (closed or rng.random() < 0.85):
                    recorded = self.day_between(
                        max(outflow, due - dt.timedelta(days=10)),
                        min(today, due + dt.timedelta(days=25)),
                    )
                    contact = rng.random() < 0.9
                    situation = weighted(rng, SITUATIONS) if contact else "unknown"
                    if contact:
                        last_situation, last_contact = situation, recorded
                created = self.at(outflow)
                self.add(
                    CHECK,
                    (
                        ids(CHECK),
                        created,
                        self.at(recorded) if recorded else created,
                        case_id,
                        sequence,
                        due,
                        recorded,
                        contact,
                        situation,
                        "Gesproken met jongere." if recorded else "",
                        "",
                        rng.choice([actor, *[m.pk for m in rs.mentors[school_id]]])
                        if recorded
                        else None,
                    ),
                )
                if recorded:
                    ev(
                        case_id,
                        recorded,
                        actor,
                        school_id,
                        "checkin_recorded" if contact else "checkin_not_reached",
                        f"Nazorgcontact {sequence} vastgelegd",
                        {"sequence": str(sequence), "situation": situation}
                        if contact
                        else {"sequence": str(sequence), "date": "–"},
                    )
                    self.log(student_id, actor, school_id, recorded, "update", "aftercare.checkin")
                # R-NZ-3: the overdue signal, cancelled or resolved once the check-in is recorded
                raise_on = due + dt.timedelta(days=30)
                key = f"checkin-{sequence}"
                params = {"n": sequence, "date": due.strftime("%d-%m-%Y")}
                message = "Check-in %(n)s was due on %(date)s and has not been recorded."
                if recorded and recorded < raise_on:
                    created = self.at(outflow)
                    self.add(
                        SIGNAL,
                        (
                            self.ids(SIGNAL),
                            created,
                            self.at(recorded),
                            case_id,
                            "checkin_overdue",
                            "R-NZ-3",
                            school_id,
                            "cancelled",
                            raise_on,
                            due,
                            None,
                            message,
                            j(params),
                            "",
                            key,
                        ),
                    )
                else:
                    status = self.signal(
                        case_id,
                        "checkin_overdue",
                        "R-NZ-3",
                        school_id,
                        raise_on,
                        due,
                        message,
                        params,
                        key,
                        closed=closed or recorded is not None,
                        resolved_if_past=0.2,
                    )
                    if status in ("open", "acknowledged", "resolved"):
                        ev(
                            case_id,
                            raise_on,
                            None,
                            None,
                            "signal_raised",
                            "Signaal: nazorgcontact te laat",
                            {"signal_kind": "checkin_overdue"},
                        )
            # R-NZ-7 and R-RMC-1
            self.signal(
                case_id,
                "aftercare_end",
                "R-NZ-7",
                school_id,
                aftercare_ends,
                aftercare_ends,
                "Aftercare ends on %(date)s; the case closes with the last known situation.",
                {"date": aftercare_ends.strftime("%d-%m-%Y")},
                "aftercare-end",
                closed=closed,
            )
            if rmc_ends and "rmc" in involved:
                self.signal(
                    case_id,
                    "rmc_monitoring_end",
                    "R-RMC-1",
                    involved["rmc"],
                    rmc_ends,
                    rmc_ends,
                    "RMC monitoring ends on %(date)s (age limit).",
                    {"date": rmc_ends.strftime("%d-%m-%Y")},
                    "rmc-monitoring-end",
                    closed=closed and rmc_ends <= today,
                )
            # The work service follows the youth at work (and its contacts).
            if handover_to is not None:
                follow_ended = aftercare_ends if closed and rng.random() < 0.7 else None
                created = self.at(outflow)
                self.add(
                    FOLLOW_UP,
                    (
                        ids(FOLLOW_UP),
                        created,
                        created,
                        case_id,
                        handover_to.pk,
                        outflow,
                        follow_ended,
                        "Duurzaam aan het werk" if follow_ended else "",
                    ),
                )
                for _ in range(rng.choice([0, 1, 1, 2])):
                    on = self.day_between(outflow, min(today, aftercare_ends))
                    created = self.at(on)
                    self.add(
                        FOLLOW_UP_CONTACT,
                        (
                            ids(FOLLOW_UP_CONTACT),
                            created,
                            created,
                            case_id,
                            handover_to.pk,
                            on,
                            rng.choice(["youth", "employer", "both"]),
                            weighted(rng, SITUATIONS),
                            "",
                            "",
                            rs.work_service_managers[0].pk,
                        ),
                    )
                    ev(
                        case_id,
                        on,
                        rs.work_service_managers[0].pk,
                        handover_to.pk,
                        "follow_up_contact",
                        "Vervolgcontact werkdienst",
                        {"with_whom": "youth"},
                    )
            if rmc_ends and rmc_ends > today and rng.random() < 0.05:
                on = self.day_between(outflow, today)
                created = self.at(on)
                self.add(
                    MONITORING_NOTE,
                    (
                        ids(MONITORING_NOTE),
                        created,
                        created,
                        case_id,
                        rs.rmc.pk,
                        on,
                        "Contact gehad, gaat goed.",
                        rs.rmc_officer.pk,
                    ),
                )
            # R-NZ-4: a few youth report themselves through their page.
            if rng.random() < 0.05:
                on = self.day_between(outflow, min(today, aftercare_ends))
                reported = self.at(on)
                report_id = ids(SELF_REPORT)
                self.add(
                    SELF_REPORT,
                    (
                        report_id,
                        reported,
                        reported,
                        case_id,
                        reported,
                        rng.choice(["job_at_risk", "problems_at_work", "contract_ending"]),
                        "Ik wil graag contact.",
                        "",
                        "portal",
                    ),
                )
                self.signal(
                    case_id,
                    "self_report",
                    "R-NZ-4",
                    school_id,
                    on,
                    on,
                    "The youth reported: %(report_kind)s.",
                    {"report_kind": "job_at_risk"},
                    f"self-report-{report_id}",
                    closed=closed,
                    resolved_if_past=0.7,
                )
            if closed:
                ev(
                    case_id,
                    aftercare_ends,
                    None,
                    None,
                    "case_closed",
                    "Casus gesloten na nazorg",
                    {},
                )
        if stage == "withdrawn":
            ev(
                case_id,
                ended,
                actor,
                school_id,
                "case_withdrawn",
                f"Casus ingetrokken: {end_reason}",
                {"reason": end_reason},
            )

        # People reading the youth's page: the school most, partners now and then.
        for _ in range(self.n_log):
            day = self.day_between(opened, ended or today)
            if involved and rng.random() < 0.3:
                kind, organisation_id = rng.choice(list(involved.items()))
                reader = {
                    "work_service": rs.work_service_managers[0],
                    "rmc": rs.rmc_officer,
                    "leerplicht": rs.leerplicht_officer,
                    "swv": rs.swv_officer,
                }[kind]
                self.log(student_id, reader.pk, organisation_id, day, "read", "route.case")
            else:
                self.log(
                    student_id,
                    rng.choice([actor, rng.choice(rs.mentors[school_id]).pk]),
                    school_id,
                    day,
                    "read",
                    "students.student",
                )

        created = self.at(opened)
        updated = self.at(min(today, ended or last_contact or outflow or opened))
        self.add(
            CASE,
            (
                case_id,
                created,
                max(created, updated),
                student_id,
                stage,
                opened,
                actor,
                profile,
                profile_on,
                "",
                "",
                False,
                True if past_consultation and under_18 else None,
                "",
                outflow,
                aftercare_ends,
                rmc_ends,
                last_situation,
                last_contact,
                ended,
                end_reason,
            ),
        )
        if stage == "consultation":
            rs.consultation_cases.append(case_id)
        elif past_consultation:
            rs.later_cases.append((case_id, profile))

    def flush(self, loader: Loader) -> None:
        for table in BULK_TABLES:
            loader.load(table, self.rows.pop(table.name, []))


def build_agendas(gen: Generator, sets: list[RegionSet], loader: Loader) -> None:
    """Held meetings discussed cases that went on; planned ones have consultation cases."""
    rng, ids = gen.rng, gen.ids
    for rs in sets:
        consultation = rs.consultation_cases[:]
        later = rs.later_cases[:]
        rng.shuffle(consultation)
        rng.shuffle(later)
        for meeting in rs.meetings:
            held = meeting.status == "held"
            pool = later if held else consultation
            items = [pool.pop() for _ in range(min(len(pool), 20))]
            for position, item in enumerate(items, start=1):
                case_id = item[0] if held else item
                created = gen.at(min(meeting.scheduled_on, gen.today) - dt.timedelta(days=7))
                item_id = ids(AGENDA)
                gen.add(AGENDA, (item_id, created, created, meeting.pk, case_id, position))
                gen.event(
                    case_id,
                    min(meeting.scheduled_on, gen.today) - dt.timedelta(days=7),
                    rs.route_coordinator.pk,
                    rs.route_coordination.pk,
                    "meeting_agenda",
                    f"Op de agenda van de uitstroomtafel van {meeting.scheduled_on:%d-%m-%Y}",
                    {"date": meeting.scheduled_on.strftime("%d-%m-%Y")},
                )
                if held:
                    decided_at = gen.at(meeting.scheduled_on)
                    gen.add(
                        ADVICE,
                        (
                            ids(ADVICE),
                            decided_at,
                            decided_at,
                            item_id,
                            rs.work_service.pk,
                            rs.work_service_managers[0].pk,
                            "Werk met begeleiding via Halte Werk.",
                        ),
                    )
                    gen.add(
                        DECISION,
                        (
                            ids(DECISION),
                            decided_at,
                            decided_at,
                            item_id,
                            item[1] or "work",
                            "Besloten aan tafel",
                            meeting.scheduled_on,
                            rs.route_coordinator.pk,
                        ),
                    )
                    gen.add(
                        ACTION,
                        (
                            ids(ACTION),
                            decided_at,
                            decided_at,
                            item_id,
                            "Gesprek met werkgever plannen",
                            rs.work_service.pk,
                            None,
                            meeting.scheduled_on + dt.timedelta(days=14),
                            meeting.scheduled_on + dt.timedelta(days=10)
                            if rng.random() < 0.8
                            else None,
                        ),
                    )
    gen.flush(loader)


def reset_sequences() -> None:
    models = [t.model for t in BULK_TABLES]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


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

    def students(user: User) -> tuple[list[int], list[str]]:
        actor = actor_for(user)
        rows = list(visible_students(actor).order_by("?").values_list("id", "last_name")[:sample])
        words = sorted({name[:4] for _id, name in rows})
        return [r[0] for r in rows], words

    def login(user: User, **extra) -> dict:
        ids, words = students(user)
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
            plan["partner"].append(login(user, role=role, region_id=rs.region.pk))
        plan["coordinator"].append(
            login(rs.route_coordinator, region_id=rs.region.pk, meetings=recent or meetings)
        )
    # Interleave the regions, so that the first logins locust takes are spread over them.
    for key in ("school", "partner", "coordinator"):
        position: dict[int, int] = defaultdict(int)
        keyed = []
        for entry in plan[key]:
            keyed.append((position[entry["region_id"]], entry["region_id"], entry))
            position[entry["region_id"]] += 1
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
    parser.add_argument("--plan", default=str(ROOT / "var" / "bench" / "plan.json"))
    parser.add_argument(
        "--plan-only",
        action="store_true",
        help="write the plan for data generated before (same --cases/--regions)",
    )
    parser.add_argument("--verify", action="store_true", help="check every foreign key afterwards")
    args = parser.parse_args()

    n_regions = args.regions or max(1, round(args.cases / (CASES_PER_SCHOOL * SCHOOLS_PER_REGION)))
    n_schools = n_regions * SCHOOLS_PER_REGION
    rng = random.Random(args.seed)
    today = timezone.localdate()
    now = timezone.now()
    print(
        f"bench data: {args.cases:,} cases, {n_regions} regions, {n_schools} schools, "
        f"{vendor}, seed {args.seed}"
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

    loader: Loader = PostgresLoader() if vendor == "postgresql" else SqliteLoader()
    gen = Generator(rng, today, now, employer_ids, args.log_per_case)
    per_school = [
        args.cases // n_schools + (1 if i < args.cases % n_schools else 0) for i in range(n_schools)
    ]
    started = time.perf_counter()
    with transaction.atomic():
        loader.begin(BULK_TABLES)
        i = 0
        for rs in sets:
            for school in rs.schools:
                gen.school_cases(rs, school, per_school[i])
                gen.flush(loader)
                i += 1
        build_agendas(gen, sets, loader)
        loader.finish(BULK_TABLES)
        reset_sequences()
    load_seconds = time.perf_counter() - started
    rows = sum(loader.counts.values())
    copy_seconds = sum(v for k, v in loader.seconds.items() if k != "(indexes)")
    print(f"{'table':<42} {'rows':>11} {'load s':>8} {'rows/s':>10}")
    for table in BULK_TABLES:
        n, s = loader.counts[table.name], loader.seconds[table.name]
        print(f"{table.name:<42} {n:>11,} {s:>8.1f} {n / s if s else 0:>10,.0f}")
    if "(indexes)" in loader.seconds:
        print(f"{'(indexes built again)':<42} {'':>11} {loader.seconds['(indexes)']:>8.1f}")
    print(
        f"{'total':<42} {rows:>11,} {load_seconds:>8.1f} {rows / load_seconds:>10,.0f}"
        f"   (of which loading {copy_seconds:.1f} s, generating {load_seconds - copy_seconds - loader.seconds.get('(indexes)', 0):.1f} s)"
    )

    started = time.perf_counter()
    analyze()
    print(f"analyze: {time.perf_counter() - started:.1f} s")
    if args.verify:
        started = time.perf_counter()
        problems = verify_foreign_keys()
        print(f"foreign keys verified: {problems} problems ({time.perf_counter() - started:.1f} s)")
        if problems:
            return 1
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
