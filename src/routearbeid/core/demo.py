"""Demo data: the Alkmaar region with its partners and about sixty fictional youth, each walked
through Route Arbeid by the real services with dates in the past, so that every stage is present.

Everything is fictional and the same on every run (random.Random(seed)); the password of every
demo login is "demo". Never load this into a production database.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import transaction

from routearbeid.aftercare import services as aftercare_services
from routearbeid.aftercare.constants import ReportChannel, SelfReportKind, SignalKind, SignalStatus
from routearbeid.aftercare.models import AftercareCheck, Signal, WorkServiceFollowUp
from routearbeid.core.dates import add_months, add_years, age_on, school_year_end, today
from routearbeid.employment import services as employment_services
from routearbeid.employment.constants import (
    AbaOutcome,
    EmploymentKind,
    ProvisionKind,
    ProvisionStatus,
)
from routearbeid.employment.models import Employer
from routearbeid.meetings import services as meeting_services
from routearbeid.meetings.constants import MeetingStatus
from routearbeid.meetings.models import OutflowMeeting
from routearbeid.organisations.actors import as_actor
from routearbeid.organisations.constants import OrganisationKind, Role
from routearbeid.organisations.models import Membership, Organisation, Region, User
from routearbeid.portal import services as portal_services
from routearbeid.route import services as route_services
from routearbeid.route.constants import HandoverForm, LegalBasis, OutflowProfile, Situation, Stage
from routearbeid.route.models import Case
from routearbeid.students.models import Guardian, Student

DEMO_PASSWORD = "demo"  # demo only
DEMO_SEED = 2026
REGION_NAME = "Regio Alkmaar"

# key, name, kind, municipality
ORGANISATIONS = [
    ("school_a", "ISK Alkmaar (school A)", OrganisationKind.SCHOOL, "Alkmaar"),
    ("school_b", "ISK Heerhugowaard (school B)", OrganisationKind.SCHOOL, "Dijk en Waard"),
    ("work_service", "Halte Werk", OrganisationKind.WORK_SERVICE, "Alkmaar"),
    ("rmc", "RMC Noord-Kennemerland", OrganisationKind.RMC, "Alkmaar"),
    ("leerplicht", "Leerplicht Alkmaar", OrganisationKind.LEERPLICHT, "Alkmaar"),
    ("swv", "Samenwerkingsverband", OrganisationKind.SWV, "Alkmaar"),
    ("uwv", "UWV", OrganisationKind.UWV, ""),
    ("coordination", "Route Nieuwkomers", OrganisationKind.ROUTE_COORDINATION, "Alkmaar"),
]

# username, first name, last name, organisation key, role
USERS = [
    ("coordinator-a", "Sanne", "de Vries", "school_a", Role.SCHOOL_COORDINATOR),
    ("mentor-a", "Joost", "Bakker", "school_a", Role.MENTOR),
    ("coordinator-b", "Ingrid", "Visser", "school_b", Role.SCHOOL_COORDINATOR),
    ("klantmanager", "Mark", "Jansen", "work_service", Role.WORK_SERVICE_MANAGER),
    ("rmc", "Eline", "Smit", "rmc", Role.RMC_OFFICER),
    ("leerplicht", "Marieke", "Dekker", "leerplicht", Role.LEERPLICHT_OFFICER),
    ("swv", "Pieter", "van Dijk", "swv", Role.SWV_OFFICER),
    ("routecoordinator", "Annemarie", "Mulder", "coordination", Role.ROUTE_COORDINATOR),
    ("beheerder", "Thomas", "Koster", "coordination", Role.FUNCTIONAL_ADMIN),
    # School A's privacy officer (functionaris gegevensbescherming): processing log and inzage.
    ("fg", "Fatima", "El Amrani", "school_a", Role.PRIVACY_OFFICER),
]

# The functional administrator manages their organisation, its people and their memberships in
# the admin and reads the region's settings; no case data. The user admin never offers them staff
# status, superuser status, groups or permissions (organisations.admin.RouteUserAdmin).
ADMIN_PERMISSIONS = [
    "view_region",
    "view_organisation",
    "change_organisation",
    "view_user",
    "add_user",
    "change_user",
    "view_membership",
    "add_membership",
    "change_membership",
    "delete_membership",
    # Delivery health of the e-mail outbox (the admin shows no subject or body) and "try again".
    "view_outboxmessage",
    "change_outboxmessage",
]

# Origin groups of newcomer youth: male and female first names, last names, languages (Dutch
# names, as on screen), weight. Last names ending in -ski/-cki take -ska/-cka for women.
ORIGINS = [
    (
        ["Ahmad", "Mohammad", "Omar", "Khaled", "Yazan", "Hamza", "Rami", "Bashar"],
        ["Rania", "Lama", "Nour", "Hiba", "Rasha", "Sidra", "Aya", "Dania"],
        ["Al-Hassan", "Haddad", "Kassab", "Al-Khatib", "Darwish", "Sabbagh", "Hamdan", "Al-Masri"],
        ["Arabisch", "Arabisch, Koerdisch (Kurmanji)"],
        5,
    ),
    (
        ["Yonas", "Dawit", "Robel", "Filmon", "Henok", "Semere", "Bereket", "Mussie"],
        ["Selam", "Helen", "Senait", "Ruta", "Luwam", "Saba", "Feven", "Winta"],
        ["Tesfay", "Gebremedhin", "Haile", "Kidane", "Berhane", "Tekle", "Weldemariam", "Mehari"],
        ["Tigrinya", "Tigrinya, Amhaars"],
        4,
    ),
    (
        ["Oleksandr", "Dmytro", "Maksym", "Andrii", "Bohdan", "Artem", "Yurii", "Vladyslav"],
        ["Anastasiia", "Sofiia", "Yuliia", "Daryna", "Viktoriia", "Kateryna", "Oksana", "Iryna"],
        [
            "Kovalenko",
            "Shevchenko",
            "Bondarenko",
            "Tkachenko",
            "Melnyk",
            "Kravchenko",
            "Moroz",
            "Lysenko",
        ],
        ["Oekraïens", "Oekraïens, Russisch", "Oekraïens, Engels"],
        4,
    ),
    (
        ["Mohammad", "Ali", "Hamid", "Farid", "Sohrab", "Mustafa", "Jawad", "Bilal"],
        ["Zahra", "Mariam", "Fatima", "Parisa", "Shabnam", "Nilofar", "Mursal", "Hila"],
        ["Ahmadi", "Rahimi", "Hosseini", "Karimi", "Sultani", "Noori", "Safi", "Wardak"],
        ["Dari", "Pasjtoe", "Dari, Pasjtoe"],
        3,
    ),
    (
        ["Emre", "Mehmet", "Burak", "Yusuf", "Can", "Kerem", "Serkan"],
        ["Elif", "Zeynep", "Merve", "Büşra", "Esra", "Ece", "Ayşe"],
        ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Aydın", "Arslan"],
        ["Turks", "Turks, Koerdisch (Kurmanji)"],
        2,
    ),
    (
        ["Abdirahman", "Mohamed", "Abdullahi", "Hassan", "Liban", "Mahad"],
        ["Hodan", "Ayaan", "Sahra", "Fardowsa", "Hibo", "Nasra"],
        ["Warsame", "Abdi", "Farah", "Hirsi", "Osman", "Jama", "Aden", "Mohamud"],
        ["Somalisch", "Somalisch, Arabisch"],
        2,
    ),
    (
        ["Jakub", "Kacper", "Mateusz", "Szymon", "Filip", "Bartosz", "Michał"],
        ["Zuzanna", "Julia", "Natalia", "Wiktoria", "Oliwia", "Aleksandra", "Maja"],
        [
            "Nowak",
            "Kowalski",
            "Wiśniewski",
            "Wójcik",
            "Kamiński",
            "Lewandowski",
            "Zieliński",
            "Nowicki",
        ],
        ["Pools", "Pools, Engels"],
        2,
    ),
    (
        ["Ayoub", "Mohamed", "Ilias", "Bilal", "Zakaria", "Soufiane"],
        ["Salma", "Imane", "Khadija", "Houda", "Meryem", "Soukaina"],
        ["El Amrani", "Benali", "Bouzid", "El Idrissi", "Ouali", "Azzouzi", "Tahiri", "Bakkali"],
        ["Arabisch (Darija)", "Tamazight, Arabisch", "Arabisch, Frans"],
        2,
    ),
    (
        ["Karwan", "Aram", "Rebin", "Hawre", "Shvan"],
        ["Shilan", "Avan", "Lana", "Rozh", "Dilan"],
        ["Aziz", "Mahmoud", "Rasul", "Qadir", "Hama"],
        ["Koerdisch (Sorani), Arabisch"],
        1,
    ),
    (
        ["Lucas", "Gabriel", "Rafael", "Mateus"],
        ["Beatriz", "Larissa", "Camila", "Letícia"],
        ["Oliveira", "Santos", "Pereira", "Costa", "Ferreira"],
        ["Portugees"],
        1,
    ),
]

# Fictional employers: name, sector, place, contact person.
EMPLOYERS = [
    ("Tuinderij Het Groene Veld", "glastuinbouw", "Dijk en Waard", "Kees Schouten"),
    ("Bakkerij Van Wijk", "voeding", "Alkmaar", "Monique van Wijk"),
    ("Restaurant De Waagschaal", "horeca", "Alkmaar", "Dennis Brouwer"),
    ("Schoonmaakbedrijf Glansrijk", "schoonmaak", "Alkmaar", "Petra Kuiper"),
    ("Distributiecentrum Boekelermeer", "logistiek", "Alkmaar", "Erik Vermeulen"),
    ("Buurtsupermarkt Overdie", "detailhandel", "Alkmaar", "Yvonne de Graaf"),
    ("Bouwbedrijf Kok en Zonen", "bouw", "Heiloo", "Gerard Kok"),
    ("Fietsenmakerij De Spaak", "techniek", "Bergen", "Bram Hoekstra"),
    ("Hotel Duinzicht", "horeca", "Bergen", "Linda Groot"),
    ("Kwekerij Noordkop Bloemen", "glastuinbouw", "Dijk en Waard", "Jan Zwart"),
    ("Autoschadeherstel Alkmaar-Noord", "techniek", "Alkmaar", "Ronald Veenstra"),
    ("Zorgcentrum De Lindehof", "zorg", "Heiloo", "Esther Bos"),
    ("Installatiebedrijf Warmtewerk", "techniek", "Alkmaar", "Martijn Prins"),
    ("Kaasmakerij Noord", "voeding", "Alkmaar", "Anouk Meijer"),
    ("Uitzendbureau WerkVerbindt", "uitzendwerk", "Alkmaar", "Sandra Huisman"),
    ("Groenvoorziening De Hout", "groen", "Alkmaar", "Wouter Blom"),
    ("Lunchroom Het Pleintje", "horeca", "Heiloo", "Karin Molenaar"),
    ("Metaalbewerking Van Dam", "metaal", "Alkmaar", "Hans van Dam"),
]

TRAINING_INSTITUTION = "Horizon College (BBL)"
# Dates of a plan that fall on a working day (moved back to the Friday before a weekend).
WORKDAY_FIELDS = (
    "opened_on",
    "aba_submitted",
    "aba_decided",
    "practice_route_on",
    "handover_on",
    "starts_on",
    "outflow_on",
    "withdraw_on",
)

EDUCATION_FIRST_REASONS = [
    "Wil direct werken om bij te dragen aan het gezinsinkomen; instroom in het mbo is met taalniveau A2 nu niet haalbaar.",
    "Heeft een concreet baanaanbod; een mbo-opleiding niveau 2 via BBL blijft later mogelijk.",
    "Entreeopleiding geprobeerd, sloot niet aan; praktisch ingesteld en gemotiveerd voor werk.",
    "Leeftijd en taalniveau maken doorstroom naar het mbo op korte termijn onhaalbaar; werk met begeleiding past beter.",
    "Jongere en ouders kiezen bewust voor werk; leren op de werkplek blijft in beeld.",
]
RMC_ADVICE = [
    "Akkoord met uitstroom naar werk. Zonder startkwalificatie volgt het RMC de jongere tot 23 jaar.",
    "Geen bezwaar; wel afspraken maken over taalonderwijs naast het werk.",
    "Werk past bij deze jongere; graag BBL later opnieuw bespreken.",
]
LEERPLICHT_ADVICE_ADULT = "Jongere is 18 of ouder: geen kwalificatieplicht meer. Geen bezwaar."
LEERPLICHT_ADVICE_MINOR = "Kwalificatieplichtig: uitstroom alleen naar een duaal traject met inschrijving, of met vrijstelling."
SWV_ADVICE = "Extra ondersteuning op de werkplek aanbevolen; jobcoaching bespreken met Halte Werk."
WORK_SERVICE_ADVICE = (
    "Halte Werk kent passende vacatures en bespreekt loonkostensubsidie en jobcoaching."
)
ABA_SKIP_REASONS = [
    "Geen arbeidsbeperking; kan het wettelijk minimumloon verdienen.",
    "Geen aanwijzingen voor een beperkt arbeidsvermogen.",
]
GUARDIANS_NOT_INVOLVED = "Jongere is meerderjarig, woont zelfstandig en wil dit zelf regelen."
CHECKIN_NOTES = [
    "Gaat goed op het werk; werkgever is tevreden.",
    "Werkt 32 uur en wil graag meer uren.",
    "Volgt naast het werk een taalcursus (B1).",
    "Goed contact met de jobcoach.",
    "Moeite met vroege diensten; besproken met de leidinggevende.",
    "Is verhuisd naar een eigen kamer; werk loopt goed.",
]


@dataclass
class Plan:
    """One fictional youth and how far the case goes through the route, with the dates."""

    stage: str
    school: str  # "school_a" or "school_b"
    age: int  # age on `age_on`
    age_on: dt.date
    opened_on: dt.date
    age_days: tuple[int, int] = (20, 330)  # days past the birthday on `age_on`
    municipality: str = ""  # empty: chosen at random (mostly Alkmaar)
    qualified: bool = False
    requested: tuple[str, ...] = ()  # organisations asked to take part
    recorded: tuple[str, ...] = ()  # of those, the ones whose involvement is recorded
    involved_on: dt.date | None = None
    meetings: tuple[int, ...] = ()  # indexes of held meetings whose agenda has the case
    decision: str = ""  # outflow profile decided at the last held meeting ("" = not yet)
    upcoming: int | None = None  # index of the planned meeting whose agenda has the case
    aba: str = ""  # "", "skip", "pending" or an AbaOutcome
    aba_submitted: dt.date | None = None
    aba_decided: dt.date | None = None
    practice_route_on: dt.date | None = None
    provisions: bool = False
    guardians: bool | None = None
    handover_on: dt.date | None = None
    consent: bool = False
    employment: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    exemption: bool = False
    outflow_on: dt.date | None = None
    unrecorded: tuple[int, ...] = ()  # check-ins left unrecorded although due
    no_contact: tuple[int, ...] = ()  # check-ins where no contact was made
    extras: tuple[str, ...] = ()
    withdraw_on: dt.date | None = None
    withdraw_reason: str = ""
    # filled in while building
    case: Case | None = field(default=None, repr=False)


@dataclass
class DemoSummary:
    created: bool
    region: Region
    stage_counts: dict[str, int]
    meetings: dict[str, int]
    open_signals: dict[str, int]
    logins: list[tuple[str, str, str]]


def _workday(day: dt.date) -> dt.date:
    """The day itself, or the Friday before when it falls in a weekend."""
    return day - dt.timedelta(days=max(day.weekday() - 4, 0))


def _thursday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - 3) % 7)


def _thursday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(3 - day.weekday()) % 7)


def _test_pgn(rng: random.Random, used: set[str]) -> str:
    """A 9-digit number from the range of the government's test BSNs (999 99x xxx), 11-proof."""
    while True:
        digits = [9, 9, 9, 9, 9, *[rng.randint(0, 9) for _ in range(4)]]
        total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
        pgn = "".join(map(str, digits))
        if total % 11 == 0 and pgn not in used:
            used.add(pgn)
            return pgn


class DemoBuilder:
    def __init__(self, *, seed: int = DEMO_SEED) -> None:
        self.rng = random.Random(seed)
        self.today = today()
        self.orgs: dict[str, Organisation] = {}
        self.users: dict[str, User] = {}
        self.employers: list[Employer] = []
        self.names_used: set[tuple[str, str]] = set()
        self.pgns_used: set[str] = set(
            Student.objects.exclude(pgn="").values_list("pgn", flat=True)
        )
        # Outflow meetings: about three a year, held in the past, and two planned ones.
        self.held_dates = [
            _thursday_on_or_before(add_months(self.today, -m))
            for m in (32, 28, 24, 20, 16, 12, 8, 4)
        ]
        self.planned_dates = [
            _thursday_on_or_after(self.today + dt.timedelta(weeks=w)) for w in (2, 7)
        ]
        self.held: list[OutflowMeeting] = []
        self.planned: list[OutflowMeeting] = []

    # --- region, organisations, people (idempotent) --------------------------------------------

    def region_and_people(self) -> Region:
        region, _created = Region.objects.get_or_create(name=REGION_NAME)
        for key, name, kind, municipality in ORGANISATIONS:
            self.orgs[key], _created = Organisation.objects.get_or_create(
                region=region, name=name, defaults={"kind": kind, "municipality": municipality}
            )
        password = None
        for username, first, last, org_key, role in USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                # One hash for all demo logins: hashing "demo" nine times would cost seconds.
                password = password or make_password(DEMO_PASSWORD)
                user = User.objects.create(
                    username=username,
                    first_name=first,
                    last_name=last,
                    # Signals and digests are e-mailed (notifications); .test never delivers anywhere.
                    email=f"{username}@demo.routearbeid.test",
                    password=password,
                    is_staff=role == Role.FUNCTIONAL_ADMIN,
                )
                if role == Role.FUNCTIONAL_ADMIN:
                    user.user_permissions.set(
                        Permission.objects.filter(
                            content_type__app_label__in=("organisations", "notifications"),
                            codename__in=ADMIN_PERMISSIONS,
                        )
                    )
            Membership.objects.get_or_create(user=user, organisation=self.orgs[org_key], role=role)
            self.users[username] = user
        return region

    def school_actor(self, plan: Plan) -> User:
        return self.users["coordinator-a" if plan.school == "school_a" else "coordinator-b"]

    # --- dates ----------------------------------------------------------------------------------

    def days(self, low: int, high: int) -> dt.timedelta:
        return dt.timedelta(days=self.rng.randint(low, high))

    def ago(self, *, weeks: int = 0, months: int = 0, days: int = 0) -> dt.date:
        return add_months(self.today, -months) - dt.timedelta(weeks=weeks, days=days)

    def route_to(self, outflow_on: dt.date, *, aba: str = "skip") -> dict:
        """Dates of a case that leaves school on `outflow_on`: meeting, opening, involvement, ABA, handover."""
        lead = dt.timedelta(weeks=18 if aba not in ("", "skip") else 6)
        meeting = max(i for i, d in enumerate(self.held_dates) if d <= outflow_on - lead)
        return self.route_from(meeting, aba=aba) | {
            "handover_on": outflow_on - self.days(10, 28),
            "starts_on": outflow_on,
            "outflow_on": outflow_on,
        }

    def route_from(self, meeting: int, *, aba: str = "skip") -> dict:
        """Dates of a case decided at held meeting `meeting`."""
        held = self.held_dates[meeting]
        opened = held - self.days(42, 98)
        values: dict = {
            "opened_on": opened,
            "requested": ("rmc", "leerplicht"),
            "recorded": ("rmc", "leerplicht"),
            "involved_on": opened + self.days(10, 28),
            "meetings": (meeting,),
            "decision": OutflowProfile.WORK,
            "aba": aba,
        }
        if aba not in ("", "skip"):
            values["aba_submitted"] = held + self.days(5, 14)
            if aba != "pending":
                values["aba_decided"] = values["aba_submitted"] + self.days(56, 84)
        return values

    # --- the plans: which youth, how far, when --------------------------------------------------

    def plans(self) -> list[Plan]:
        t, ago = self.today, self.ago
        A, B = "school_a", "school_b"
        RMC_LP = ("rmc", "leerplicht")
        plans: list[Plan] = []

        def add(stage: str, school: str, age: int, age_on: dt.date | None = None, **kw) -> None:
            for name in WORKDAY_FIELDS:
                if kw.get(name):
                    kw[name] = _workday(kw[name])
            age_on = _workday(age_on) if age_on else t
            plans.append(Plan(stage=stage, school=school, age=age, age_on=age_on, **kw))

        # Consultation: just opened, involvements asked, on the agenda of a coming meeting.
        add(Stage.CONSULTATION, A, 16, opened_on=ago(days=4), age_days=(40, 200))
        add(
            Stage.CONSULTATION,
            A,
            17,
            opened_on=ago(weeks=2),
            requested=RMC_LP,
            municipality="Alkmaar",
        )
        add(Stage.CONSULTATION, B, 19, opened_on=ago(weeks=3), requested=(*RMC_LP, "swv"))
        add(Stage.CONSULTATION, A, 18, opened_on=ago(weeks=5), requested=RMC_LP)
        add(
            Stage.CONSULTATION,
            A,
            17,
            opened_on=ago(weeks=8),
            requested=RMC_LP,
            recorded=RMC_LP,
            involved_on=ago(weeks=5),
            upcoming=0,
            municipality="Alkmaar",
        )
        add(
            Stage.CONSULTATION,
            B,
            20,
            opened_on=ago(weeks=7),
            requested=(*RMC_LP, "work_service"),
            recorded=(*RMC_LP, "work_service"),
            involved_on=ago(weeks=4),
            upcoming=0,
        )
        add(
            Stage.CONSULTATION,
            A,
            18,
            opened_on=ago(weeks=9),
            requested=(*RMC_LP, "swv"),
            recorded=(*RMC_LP, "swv"),
            involved_on=ago(weeks=6),
            upcoming=0,
        )
        add(
            Stage.CONSULTATION,
            B,
            16,
            opened_on=ago(weeks=6),
            age_days=(60, 250),
            requested=RMC_LP,
            recorded=("rmc",),
            involved_on=ago(weeks=3),
            upcoming=1,
        )
        add(
            Stage.CONSULTATION,
            A,
            19,
            opened_on=ago(weeks=5),
            requested=RMC_LP,
            recorded=RMC_LP,
            involved_on=ago(weeks=2),
            upcoming=1,
        )
        # Discussed at the last meeting, decision postponed until after a work placement.
        add(
            Stage.CONSULTATION,
            A,
            17,
            opened_on=self.held_dates[7] - dt.timedelta(weeks=8),
            age_days=(40, 250),
            municipality="Heiloo",
            requested=RMC_LP,
            recorded=RMC_LP,
            involved_on=self.held_dates[7] - dt.timedelta(weeks=4),
            meetings=(7,),
            upcoming=0,
        )
        add(
            Stage.CONSULTATION,
            B,
            18,
            opened_on=ago(weeks=10),
            requested=RMC_LP,
            recorded=RMC_LP,
            involved_on=ago(weeks=7),
        )

        # ABA filed at UWV, no decision yet; after 8 weeks R-ABA-3 signals the school.
        for weeks, received, age, school, extra in (
            (10, False, 19, A, ()),
            (10, True, 20, B, ("swv",)),
            (11, True, 18, A, ("work_service",)),
            (3, False, 21, B, ()),
            (5, True, 17, A, ("swv",)),
            (7, True, 19, B, ()),
        ):
            route = self.route_from(7, aba="pending")
            route["requested"] = route["recorded"] = (*RMC_LP, *extra)
            route["aba_submitted"] = ago(weeks=weeks)
            add(Stage.ABA, school, age, **route, extras=("aba_received",) if received else ())

        # Handover: the ABA step is done, the warm handover is still to come.
        add(Stage.HANDOVER, A, 19, **self.route_from(7), guardians=True)
        route = self.route_from(6, aba=AbaOutcome.INDICATIE_BANENAFSPRAAK)
        route["requested"] = route["recorded"] = (*RMC_LP, "work_service")
        add(Stage.HANDOVER, B, 20, **route, provisions=True)
        route = self.route_from(7, aba=AbaOutcome.WAJONG)
        route["aba_decided"] = min(route["aba_decided"], ago(weeks=3))
        add(Stage.HANDOVER, A, 18, **route)
        route = self.route_from(7, aba=AbaOutcome.REJECTED)
        route["aba_decided"] = min(route["aba_decided"], ago(weeks=4))
        route["requested"] = route["recorded"] = (*RMC_LP, "work_service")
        add(Stage.HANDOVER, B, 19, **route, practice_route_on=ago(weeks=2))
        add(Stage.HANDOVER, A, 21, **self.route_from(6), guardians=False)

        # Outflow: everything is ready; the job starts in the coming weeks.
        for weeks_ago, starts_in, kind, months, age, school, aba in (
            (3, 2, EmploymentKind.PERMANENT, 0, 19, A, "skip"),
            (2, 1, EmploymentKind.FIXED_TERM, 12, 18, B, "skip"),
            (4, 3, EmploymentKind.PERMANENT, 0, 20, A, AbaOutcome.INDICATIE_BANENAFSPRAAK),
            (1, 4, EmploymentKind.DUAL_TRACK, 24, 17, B, "skip"),
            (2, 2, EmploymentKind.FIXED_TERM, 6, 19, A, "skip"),
        ):
            route = self.route_from(7 if aba == "skip" else 6, aba=aba)
            starts_on = t + dt.timedelta(weeks=starts_in)
            add(
                Stage.OUTFLOW,
                school,
                age,
                **route,
                handover_on=ago(weeks=weeks_ago),
                guardians=weeks_ago != 2,
                employment=kind,
                starts_on=starts_on,
                ends_on=add_months(starts_on, months) if months else None,
                provisions=aba != "skip",
                age_days=(20, 150) if age == 17 else (20, 330),
            )

        # Aftercare: the youth left school 2 to 22 months ago.
        PERM, FIXED, DUAL = (
            EmploymentKind.PERMANENT,
            EmploymentKind.FIXED_TERM,
            EmploymentKind.DUAL_TRACK,
        )
        IB = AbaOutcome.INDICATIE_BANENAFSPRAAK
        # R-UIT-2: a 17-year-old without startkwalificatie leaves with Leerplicht's exemption.
        exempt = {"exemption": True, "municipality": "Alkmaar", "age_days": (100, 250)}
        for months, weeks, kind, contract_months, aba, school, age, options in (
            (2, 0, PERM, 0, "skip", A, 19, {}),
            (0, 12, FIXED, 9, IB, B, 20, {"provisions": True, "extras": ("lkv_without_dgv",)}),
            (3, 0, PERM, 0, "skip", A, 17, exempt),
            (4, 0, PERM, 0, "skip", B, 18, {"extras": ("threat_by_school",)}),
            (5, 0, DUAL, 24, "skip", A, 17, {"age_days": (30, 150), "municipality": "Alkmaar"}),
            (6, 0, PERM, 0, "skip", B, 19, {"consent": True}),
            (7, 0, FIXED, 12, "skip", A, 19, {}),
            (8, 0, PERM, 0, "skip", A, 20, {"unrecorded": (1,)}),
            (9, 0, FIXED, 11, "skip", B, 18, {}),
            (10, 0, PERM, 0, IB, A, 19, {"provisions": True}),
            (11, 0, PERM, 0, "skip", A, 18, {"extras": ("lost_job",)}),
            (12, 0, FIXED, 14, "skip", B, 20, {}),
            (13, 0, PERM, 0, "skip", A, 19, {"extras": ("threat_by_work_service",)}),
            (14, 0, PERM, 0, "skip", B, 18, {"unrecorded": (2,)}),
            (15, 0, DUAL, 24, "skip", A, 18, {}),
            (16, 0, FIXED, 6, "skip", B, 19, {"extras": ("job_change",)}),
            (17, 0, PERM, 0, "skip", A, 19, {"qualified": True}),
            (18, 0, PERM, 0, AbaOutcome.WAJONG, A, 20, {"no_contact": (1,)}),
            (19, 0, EmploymentKind.OTHER, 0, "skip", B, 18, {}),
            (20, 0, FIXED, 24, "skip", A, 19, {"qualified": True}),
            (21, 0, PERM, 0, "skip", B, 20, {"unrecorded": (3,)}),
            (22, 0, PERM, 0, IB, A, 19, {"provisions": True, "extras": ("phone_report",)}),
        ):
            outflow_on = ago(months=months, weeks=weeks, days=self.rng.randint(0, 12))
            route = self.route_to(outflow_on, aba=aba)
            ends_on = add_months(outflow_on, contract_months) if contract_months else None
            add(
                Stage.AFTERCARE,
                school,
                age,
                outflow_on,
                **route,
                employment=kind,
                ends_on=ends_on,
                guardians=age < 19 or None,
                **options,
            )

        # Closed: aftercare ended; the case was closed when its two years had passed.
        for months, aba, school, age, qualified in (
            (25, "skip", A, 18, False),
            (25, IB, B, 19, False),
            (26, "skip", A, 19, True),
            (27, "skip", B, 18, False),
            (28, "skip", A, 20, False),
            (29, "skip", B, 19, False),
        ):
            outflow_on = ago(months=months, days=self.rng.randint(0, 20))
            route = self.route_to(outflow_on, aba=aba)
            add(
                Stage.CLOSED,
                school,
                age,
                outflow_on,
                **route,
                employment=PERM,
                qualified=qualified,
                provisions=aba == IB,
                guardians=True,
            )

        # Withdrawn: another profile at the meeting (R-OVL-4), or withdrawn by the school (R-END-1).
        route = self.route_from(6)
        add(
            Stage.WITHDRAWN,
            A,
            18,
            **route
            | {
                "decision": OutflowProfile.EDUCATION,
                "withdraw_reason": "Kan instromen in mbo niveau 2 (BOL); onderwijs gaat voor.",
            },
        )
        route = self.route_from(7)
        add(
            Stage.WITHDRAWN,
            B,
            17,
            **route
            | {
                "decision": OutflowProfile.EDUCATION,
                "withdraw_reason": "Start na de zomer met de Entreeopleiding; taalniveau voldoende.",
            },
        )
        route = self.route_from(5)
        route["requested"] = route["recorded"] = (*RMC_LP, "swv")
        add(
            Stage.WITHDRAWN,
            A,
            19,
            **route
            | {
                "decision": OutflowProfile.DAYTIME_ACTIVITIES,
                "withdraw_reason": "Dagbesteding met begeleiding past beter; het Samenwerkingsverband begeleidt.",
            },
        )
        add(
            Stage.WITHDRAWN,
            B,
            18,
            opened_on=ago(months=5),
            requested=RMC_LP,
            withdraw_on=ago(months=3),
            withdraw_reason="Verhuisd naar Zaanstad; de nieuwe school neemt de begeleiding over.",
        )
        route = self.route_from(6, aba="pending")
        add(
            Stage.WITHDRAWN,
            A,
            19,
            **route,
            withdraw_on=ago(months=4),
            withdraw_reason="Kiest toch voor de Entreeopleiding bij Horizon College.",
        )
        add(
            Stage.WITHDRAWN,
            B,
            18,
            opened_on=ago(months=9),
            requested=RMC_LP,
            recorded=RMC_LP,
            involved_on=ago(months=8),
            withdraw_on=ago(months=6),
            withdraw_reason="Met familie teruggekeerd naar het land van herkomst.",
        )
        return plans

    # --- students ------------------------------------------------------------------------------

    def student(self, plan: Plan) -> Student:
        rng = self.rng
        weights = [o[4] for o in ORIGINS]
        while True:
            men, women, last_names, languages, _weight = rng.choices(ORIGINS, weights=weights)[0]
            female = rng.random() < 0.45
            first = rng.choice(women if female else men)
            last = rng.choice(last_names)
            if female and last.endswith(("ski", "cki")):
                last = last[:-1] + "a"
            if (first, last) not in self.names_used:
                self.names_used.add((first, last))
                break
        born = add_years(plan.age_on, -plan.age) - self.days(*plan.age_days)
        if age_on(born, plan.opened_on) < 16:
            raise ValueError(f"demo plan error: {first} {last} is under 16 on {plan.opened_on}")
        school = self.orgs[plan.school]
        municipality = (
            plan.municipality or rng.choices(["Alkmaar", "Heiloo", "Bergen"], weights=[8, 1, 1])[0]
        )
        mentors = (
            [self.users["mentor-a"], self.users["mentor-a"], self.users["coordinator-a"]]
            if plan.school == "school_a"
            else [self.users["coordinator-b"]]
        )
        arrival = max(plan.opened_on - self.days(300, 1100), add_years(born, 11))
        student = Student.objects.create(
            school=school,
            first_name=first,
            last_name=last,
            date_of_birth=born,
            class_name=rng.choice(["ISK 3A", "ISK 3B", "ISK 4A", "ISK 4B", "Schakelklas"]),
            mentor=rng.choice(mentors),
            arrival_date=arrival,
            languages=rng.choice(languages),
            municipality=municipality,
            has_basic_qualification=plan.qualified,
            basic_qualification_on=plan.opened_on - self.days(30, 200) if plan.qualified else None,
            pgn=_test_pgn(rng, self.pgns_used) if rng.random() < 0.7 else "",
        )
        if age_on(born, self.today) < 18 or rng.random() < 0.3:
            Guardian.objects.create(
                student=student,
                name=f"{rng.choice(men if rng.random() < 0.5 else women)} {last}",
                relation=rng.choice(["moeder", "vader", "oom", "tante"]),
                language=languages[0].split(",")[0],
            )
        return student

    # --- the route, phase by phase ---------------------------------------------------------------

    def open_and_involve(self, plan: Plan) -> None:
        school_user = self.school_actor(plan)
        student = self.student(plan)
        case = route_services.case_open(
            actor=school_user, student_id=student.pk, opened_on=plan.opened_on
        )
        plan.case = case
        requested_on = plan.opened_on + self.days(1, 6)
        for key in plan.requested:
            route_services.involvement_request(
                actor=school_user,
                case_id=case.pk,
                organisation_id=self.orgs[key].pk,
                on=requested_on,
            )
        under_18 = age_on(student.date_of_birth, self.today) < 18
        for key in plan.recorded:
            assert plan.involved_on is not None
            officer = {
                "rmc": "rmc",
                "leerplicht": "leerplicht",
                "swv": "swv",
                "work_service": "klantmanager",
            }[key]
            person = self.users[officer]
            actor = person
            if key == "leerplicht":
                # Leerplicht sees only youth under 18 in its municipality; otherwise the school records its advice.
                visible = under_18 and student.municipality == self.orgs["leerplicht"].municipality
                actor = person if visible else school_user
                advice = (
                    LEERPLICHT_ADVICE_MINOR
                    if age_on(student.date_of_birth, plan.involved_on) < 18
                    else LEERPLICHT_ADVICE_ADULT
                )
            else:
                advice = {
                    "rmc": self.rng.choice(RMC_ADVICE),
                    "swv": SWV_ADVICE,
                    "work_service": WORK_SERVICE_ADVICE,
                }[key]
            involved_on = plan.involved_on + self.days(0, 6)
            # The SWV takes part on the youth's consent (an exchange record with both bases);
            # RMC, Leerplicht and the work service on their legal task.
            consent = key == "swv"
            route_services.involvement_record(
                actor=actor,
                case_id=case.pk,
                organisation_id=self.orgs[key].pk,
                person_name=person.get_full_name(),
                person_id=person.pk,
                involved_on=involved_on,
                advice=advice,
                legal_basis=LegalBasis.CONSENT if consent else LegalBasis.LEGAL_TASK,
                consent_given_on=involved_on if consent else None,
                consent_given_by=f"{student.full_name} (jongere)" if consent else "",
            )

    def meetings_plan(self, region: Region) -> None:
        coordinator = self.users["routecoordinator"]
        places = ["Stadskantoor Alkmaar", "ISK Alkmaar, vergaderzaal 2", "ISK Heerhugowaard, aula"]
        for i, day in enumerate([*self.held_dates, *self.planned_dates]):
            meeting = meeting_services.meeting_plan(
                actor=coordinator,
                region_id=region.pk,
                scheduled_on=day,
                place=places[i % len(places)],
            )
            for username, org_key in (
                ("routecoordinator", "coordination"),
                ("coordinator-a", "school_a"),
                ("coordinator-b", "school_b"),
                ("rmc", "rmc"),
                ("leerplicht", "leerplicht"),
                ("klantmanager", "work_service"),
                ("swv", "swv"),
            ):
                if org_key == "swv" and i % 2:
                    continue
                user = self.users[username]
                meeting_services.meeting_participant_add(
                    actor=coordinator,
                    meeting_id=meeting.pk,
                    organisation_id=self.orgs[org_key].pk,
                    person_name=user.get_full_name(),
                    person_id=user.pk,
                )
            (self.held if day <= self.today else self.planned).append(meeting)

    def agenda(self, plans: list[Plan]) -> None:
        for plan in plans:
            assert plan.case is not None
            meetings = [self.held[i] for i in plan.meetings]
            if plan.upcoming is not None:
                meetings.append(self.planned[plan.upcoming])
            for meeting in meetings:
                # The school puts its own students on the agenda.
                meeting_services.agenda_item_add(
                    actor=self.school_actor(plan), meeting_id=meeting.pk, case_id=plan.case.pk
                )

    def meetings_hold(self, plans: list[Plan]) -> None:
        coordinator = self.users["routecoordinator"]
        for index, meeting in enumerate(self.held):
            items = list(meeting.agenda_items.select_related("case__student"))
            decided = {
                plan.case.pk: plan
                for plan in plans
                if plan.case is not None
                and plan.meetings
                and plan.meetings[-1] == index
                and plan.decision
            }
            meeting_services.meeting_hold(
                actor=coordinator,
                meeting_id=meeting.pk,
                held_on=meeting.scheduled_on,
                minutes=f"{len(items)} jongeren besproken; besluiten en acties staan bij de agendapunten.",
            )
            # Advice and actions are noted for the recent meetings only (keeps the load fast).
            recent = index >= len(self.held) - 2
            for item in items:
                if recent:
                    meeting_services.advice_record(
                        actor=self.users["rmc"],
                        agenda_item_id=item.pk,
                        organisation_id=self.orgs["rmc"].pk,
                        text=self.rng.choice(RMC_ADVICE),
                    )
                plan = decided.get(item.case_id)
                if plan is None:
                    meeting_services.action_add(
                        actor=coordinator,
                        agenda_item_id=item.pk,
                        owner_organisation_id=item.case.student.school_id,
                        description="Snuffelstage regelen en de jongere opnieuw agenderen.",
                        due_on=meeting.scheduled_on + dt.timedelta(weeks=6),
                    )
                    continue
                reason = (
                    self.rng.choice(EDUCATION_FIRST_REASONS)
                    if plan.decision == OutflowProfile.WORK
                    else plan.withdraw_reason
                )
                meeting_services.decision_record(
                    actor=coordinator,
                    agenda_item_id=item.pk,
                    outflow_profile=plan.decision,
                    reason=reason,
                )
                if plan.decision == OutflowProfile.WORK and recent:
                    action = meeting_services.action_add(
                        actor=coordinator,
                        agenda_item_id=item.pk,
                        owner_organisation_id=self.orgs["work_service"].pk,
                        description="Kennismakingsgesprek met de jongere plannen.",
                        due_on=meeting.scheduled_on + dt.timedelta(weeks=3),
                    )
                    done_on = meeting.scheduled_on + self.days(5, 20)
                    if done_on <= self.today:
                        meeting_services.action_done(
                            actor=coordinator, action_id=action.pk, on=done_on
                        )

    def after_decision(self, plan: Plan) -> None:
        case = plan.case
        assert case is not None
        if plan.decision not in ("", OutflowProfile.WORK):
            return  # R-OVL-4: the meeting's decision withdrew the case
        school_user = self.school_actor(plan)
        work_service = self.users["klantmanager"]
        if plan.aba == "skip":
            route_services.aba_skip(
                actor=school_user,
                case_id=case.pk,
                reason=self.rng.choice(ABA_SKIP_REASONS),
            )
        elif plan.aba:
            assert plan.aba_submitted is not None
            aba = employment_services.aba_application_submit(
                actor=school_user, case_id=case.pk, submitted_on=plan.aba_submitted
            )
            received_on = plan.aba_submitted + self.days(2, 5)
            if plan.aba != "pending" or "aba_received" in plan.extras:
                employment_services.aba_application_update(
                    actor=school_user,
                    aba_id=aba.pk,
                    received_on=min(received_on, self.today),
                    decided_on=plan.aba_decided,
                    outcome="" if plan.aba == "pending" else plan.aba,
                )
        if plan.withdraw_on:
            route_services.case_withdraw(
                actor=school_user, case_id=case.pk, reason=plan.withdraw_reason, on=plan.withdraw_on
            )
            return
        if plan.practice_route_on:
            employment_services.practice_route_record(
                actor=work_service, case_id=case.pk, on=plan.practice_route_on
            )
        if plan.guardians is not None:
            route_services.guardians_record(
                actor=school_user,
                case_id=case.pk,
                involved=plan.guardians,
                reason="" if plan.guardians else GUARDIANS_NOT_INVOLVED,
            )
        if plan.handover_on:
            self.handover(plan)
        if plan.provisions and not plan.outflow_on:
            for kind in (ProvisionKind.WAGE_COST_SUBSIDY, ProvisionKind.JOB_COACHING):
                employment_services.provision_record(
                    actor=work_service,
                    case_id=case.pk,
                    kind=kind,
                    status=ProvisionStatus.ADVISED,
                    status_on=self.today - self.days(3, 20),
                )
        if plan.employment:
            self.employ(plan)
        if plan.outflow_on:
            if plan.exemption:
                self.exemption(plan)
            route_services.case_outflow(
                actor=school_user, case_id=case.pk, outflow_on=plan.outflow_on
            )
            if plan.provisions:
                self.provisions(plan)

    def handover(self, plan: Plan) -> None:
        case = plan.case
        assert case is not None and plan.handover_on is not None
        manager = self.users["klantmanager"]
        # Most handovers rest on the legal task; one on the youth's own consent.
        consent_on = plan.handover_on - self.days(1, 7) if plan.consent else None
        route_services.handover_record(
            actor=self.school_actor(plan),
            case_id=case.pk,
            receiving_organisation_id=self.orgs["work_service"].pk,
            receiving_person=manager.get_full_name(),
            receiving_user_id=manager.pk,
            handed_over_on=plan.handover_on,
            form=self.rng.choice(
                [
                    HandoverForm.JOINT_MEETING,
                    HandoverForm.JOINT_MEETING,
                    HandoverForm.MEETING,
                    HandoverForm.PHONE,
                ]
            ),
            purpose="Warme overdracht Route Arbeid: begeleiding naar en behoud van werk.",
            legal_basis=LegalBasis.CONSENT if plan.consent else LegalBasis.LEGAL_TASK,
            consent_given_on=consent_on,
            consent_given_by=f"{case.student.full_name} (jongere)" if plan.consent else "",
        )
        accepted_on = plan.handover_on + self.days(1, 7)
        if plan.handover_on >= self.today - dt.timedelta(days=7):
            # the newest handover still waits for the work service: the klantmanager's
            # worklist lists it under "Handovers to accept"
            return
        if accepted_on <= self.today:
            route_services.handover_accept(actor=manager, case_id=case.pk, on=accepted_on)

    def employer(self) -> Employer:
        return self.employers[self.rng.randrange(len(self.employers))]

    def employ(self, plan: Plan) -> None:
        case = plan.case
        assert case is not None and plan.starts_on is not None
        dual = plan.employment == EmploymentKind.DUAL_TRACK
        employment_services.employment_record(
            actor=self.school_actor(plan),
            case_id=case.pk,
            employer_id=self.employer().pk,
            kind=plan.employment,
            starts_on=plan.starts_on,
            ends_on=plan.ends_on,
            hours_per_week=self.rng.choice([24, 28, 32, 32, 36, 38]) if not dual else 32,
            training_institution=TRAINING_INSTITUTION if dual else "",
            enrolment_reference=f"BBL-{plan.starts_on.year}-{self.rng.randint(1000, 9999)}"
            if dual
            else "",
        )

    def exemption(self, plan: Plan) -> None:
        # R-UIT-2: decided before the outflow, ending at the latest on 31 July of that school year.
        case = plan.case
        assert case is not None and plan.outflow_on is not None
        school_year_start = add_years(school_year_end(plan.outflow_on), -1) + dt.timedelta(days=1)
        decided_on = max(plan.outflow_on - self.days(7, 14), school_year_start, case.opened_on)
        route_services.exemption_record(
            actor=self.users["leerplicht"],
            case_id=case.pk,
            reference=f"LP-{decided_on.year}-{self.rng.randint(100, 999)}",
            decided_on=decided_on,
            ends_on=school_year_end(decided_on),
        )

    def provisions(self, plan: Plan) -> None:
        case = plan.case
        assert case is not None and plan.starts_on is not None
        manager = self.users["klantmanager"]
        employment = case.employments.first()
        assert employment is not None
        start = plan.starts_on
        for kind, status in (
            (ProvisionKind.WAGE_COST_SUBSIDY, ProvisionStatus.GRANTED),
            (ProvisionKind.JOB_COACHING, ProvisionStatus.GRANTED),
            (ProvisionKind.NO_RISK_POLICY, ProvisionStatus.GRANTED),
        ):
            employment_services.provision_record(
                actor=manager,
                case_id=case.pk,
                kind=kind,
                status=status,
                status_on=start - self.days(3, 10),
                employment_id=employment.pk,
                starts_on=start,
                ends_on=add_years(start, 2) if kind == ProvisionKind.JOB_COACHING else None,
            )
        dgv = (
            None if "lkv_without_dgv" in plan.extras else min(start + self.days(10, 40), self.today)
        )
        employment_services.provision_record(
            actor=manager,
            case_id=case.pk,
            kind=ProvisionKind.LKV,
            status=ProvisionStatus.GRANTED if dgv else ProvisionStatus.REQUESTED,
            status_on=dgv or start,
            employment_id=employment.pk,
            doelgroepverklaring_requested_on=dgv,
        )

    # --- aftercare -----------------------------------------------------------------------------

    def aftercare(self, plan: Plan) -> None:
        case = plan.case
        assert case is not None and plan.outflow_on is not None
        school_user = self.school_actor(plan)
        checker = (
            self.users["mentor-a"]
            if plan.school == "school_a" and self.rng.random() < 0.5
            else school_user
        )
        situation = (
            Situation.DUAL_TRACK
            if plan.employment == EmploymentKind.DUAL_TRACK
            else Situation.WORKING_SAME_EMPLOYER
        )
        if "job_change" in plan.extras:
            self.job_change(plan)
        latest = case.employments.order_by("-starts_on").first()
        assert latest is not None
        changed_on = latest.starts_on
        for check in AftercareCheck.objects.filter(case=case, due_on__lte=self.today).order_by(
            "sequence"
        ):
            if check.sequence in plan.unrecorded:
                continue
            if check.due_on > self.today - dt.timedelta(days=14) and self.rng.random() < 0.5:
                continue  # due recently: not recorded yet, and not overdue either
            recorded_on = min(max(check.due_on + self.days(-10, 20), plan.outflow_on), self.today)
            if plan.stage == Stage.CLOSED:
                recorded_on = min(recorded_on, case.aftercare_ends_on or recorded_on)
            contact = check.sequence not in plan.no_contact
            aftercare_services.aftercare_check_record(
                actor=checker,
                check_id=check.pk,
                recorded_on=recorded_on,
                contact_made=contact,
                situation=(
                    (
                        Situation.WORKING_OTHER_EMPLOYER
                        if recorded_on >= changed_on > plan.outflow_on
                        else situation
                    )
                    if contact
                    else Situation.UNKNOWN
                ),
                notes=self.rng.choice(CHECKIN_NOTES)
                if contact
                else "Geen contact: telefoon en e-mail onbeantwoord.",
                follow_up=""
                if contact
                else "Halte Werk vragen of zij de jongere nog in beeld hebben.",
            )
        if "lost_job" in plan.extras:
            # R-NZ-4: the youth reports on their own page that the job is gone.
            aftercare_services.self_report_record(
                actor=None,
                case_id=case.pk,
                kind=SelfReportKind.LOST_JOB,
                channel=ReportChannel.PORTAL,
                message="Mijn contract is gestopt. Ik wil graag weer werk zoeken. Kunnen jullie mij helpen?",
            )
            employment = case.employments.first()
            assert employment is not None
            employment_services.employment_end(
                actor=self.users["klantmanager"],
                employment_id=employment.pk,
                ended_on=self.today - dt.timedelta(days=10),
            )
        if "lost_job" in plan.extras and case.stage in (Stage.AFTERCARE, Stage.CLOSED):
            # The school then asks Halte Werk to contact the youth again (a signal by hand).
            aftercare_services.signal_raise(
                actor=school_user,
                case_id=case.pk,
                kind=SignalKind.CONTACT_WORK_SERVICE,
                note="Jongere meldde zich via de meldpagina: contract gestopt, wil weer werk zoeken.",
                person_id=self.users["klantmanager"].pk,
            )
        self.follow_up(plan)
        if "phone_report" in plan.extras:
            aftercare_services.self_report_record(
                actor=as_actor(school_user),
                case_id=case.pk,
                kind=SelfReportKind.BACK_TO_SCHOOL,
                channel=ReportChannel.PHONE,
                message="Belde school: wil naast het werk een mbo-opleiding volgen.",
            )
        if "threat_by_school" in plan.extras:
            aftercare_services.job_loss_threat_record(
                actor=school_user,
                case_id=case.pk,
                note="Jongere vertelt dat de werkgever het contract misschien niet verlengt na te laat komen.",
            )
        if "threat_by_work_service" in plan.extras:
            aftercare_services.job_loss_threat_record(
                actor=self.users["klantmanager"],
                case_id=case.pk,
                note="Werkgever meldt veel verzuim; gesprek met jongere en jobcoach gepland.",
            )

    def follow_up(self, plan: Plan) -> None:
        """Halte Werk follows how work goes: a call with the employer, later one with the youth."""
        case = plan.case
        assert case is not None and plan.outflow_on is not None
        manager = as_actor(self.users["klantmanager"])
        follow_up = WorkServiceFollowUp.objects.filter(case=case, ended_on__isnull=True).first()
        if follow_up is None or follow_up.organisation_id not in manager.organisation_ids(
            Role.WORK_SERVICE_MANAGER
        ):
            return
        first_on = plan.outflow_on + self.days(30, 75)
        contacts = [
            (
                first_on,
                "employer",
                "Werkgever tevreden; afspraak over begeleiding op de werkvloer.",
            ),
            (
                first_on + self.days(90, 150),
                "youth",
                "Gaat goed, wil graag meer uren; bespreken bij volgende evaluatie.",
            ),
        ]
        for contact_on, with_whom, next_step in contacts:
            if contact_on > self.today:
                break
            aftercare_services.follow_up_contact_record(
                actor=manager,
                case_id=case.pk,
                contact_on=contact_on,
                with_whom=with_whom,
                situation=case.last_known_situation or Situation.WORKING_SAME_EMPLOYER,
                next_step=next_step,
            )

    def job_change(self, plan: Plan) -> None:
        """R-NZ-7: the fixed-term job ended; a new job at another employer on the same case."""
        case = plan.case
        assert case is not None
        first = case.employments.first()
        assert first is not None and first.ends_on is not None
        employment_services.employment_end(
            actor=self.users["klantmanager"], employment_id=first.pk, ended_on=first.ends_on
        )
        other = next(e for e in self.employers if e.pk != first.employer_id)
        employment_services.employment_record(
            actor=self.school_actor(plan),
            case_id=case.pk,
            employer_id=other.pk,
            kind=EmploymentKind.PERMANENT,
            starts_on=first.ends_on + dt.timedelta(days=7),
            hours_per_week=32,
        )

    # --- the whole build -----------------------------------------------------------------------

    def build(self, region: Region) -> None:
        for i, (name, sector, place, contact) in enumerate(EMPLOYERS):
            kvk = f"{90000000 + 1234 * (i + 1)}"
            employer = Employer.objects.filter(
                kvk_number=kvk
            ).first() or employment_services.employer_create(
                actor=self.users["klantmanager"],
                name=name,
                kvk_number=kvk,
                contact_name=contact,
                sector=sector,
                place=place,
            )
            self.employers.append(employer)
        plans = self.plans()
        for plan in plans:
            self.open_and_involve(plan)
        self.meetings_plan(region)
        self.agenda(plans)
        self.meetings_hold(plans)
        for plan in plans:
            self.after_decision(plan)
        for plan in plans:
            if plan.outflow_on:
                self.aftercare(plan)
        # R-NZ-7: the daily task closed each case on the day its two years of aftercare ended, and
        # the school closed the "aftercare ends" signal it got that day.
        closing = sorted(
            {
                ends_on
                for ends_on in Case.objects.filter(
                    student__school__region=region,
                    stage=Stage.AFTERCARE,
                    aftercare_ends_on__lte=self.today,
                ).values_list("aftercare_ends_on", flat=True)
                if ends_on is not None
            }
        )
        for ends_on in closing:
            aftercare_services.signals_raise_due(on=ends_on)
            aftercare_services.cases_close_due(on=ends_on)
        for plan in plans:
            if plan.stage == Stage.CLOSED and plan.case is not None:
                for signal in plan.case.signals.filter(
                    kind=SignalKind.AFTERCARE_END, status=SignalStatus.OPEN
                ):
                    aftercare_services.signal_resolve(
                        actor=self.school_actor(plan),
                        signal_id=signal.pk,
                        note="Nazorg afgerond; laatste situatie staat bij het laatste nazorgcontact.",
                    )
        aftercare_services.signals_raise_due()
        # The youth's own report page: the youth who reported the lost job there has the demo
        # link /melden/demo-jongere/ (every real link is a random token, shown once).
        portal_youth = next(p for p in plans if "lost_job" in p.extras)
        assert portal_youth.case is not None
        portal_services.portal_link_renew(
            actor=self.school_actor(portal_youth),
            case_id=portal_youth.case.pk,
            token=portal_services.DEMO_TOKEN,
        )
        for plan in plans:
            assert plan.case is not None
            plan.case.refresh_from_db(fields=["stage"])
            if plan.case.stage != plan.stage:
                raise RuntimeError(
                    f"demo plan error: case {plan.case.pk} is {plan.case.stage}, expected {plan.stage}"
                )


def demo_region_build(*, seed: int = DEMO_SEED) -> DemoSummary:
    """Create the demo region; idempotent: when its students exist, a second run creates nothing."""
    # Under DEBUG every query is logged, and on SQLite logging quotes the parameters with an extra
    # query: that doubles the time of this bulk load, so it is off while loading.
    debug = settings.DEBUG
    settings.DEBUG = False
    try:
        with transaction.atomic():
            builder = DemoBuilder(seed=seed)
            region = builder.region_and_people()
            created = not Student.objects.filter(school__region=region).exists()
            if created:
                builder.build(region)
    finally:
        settings.DEBUG = debug
    return demo_region_summary(region, created=created)


def demo_region_summary(region: Region, *, created: bool) -> DemoSummary:
    stages = Counter(
        Case.objects.filter(student__school__region=region).values_list("stage", flat=True)
    )
    meetings = Counter(
        OutflowMeeting.objects.filter(region=region).values_list("status", flat=True)
    )
    signals = Counter(
        Signal.objects.filter(
            case__student__school__region=region, status=SignalStatus.OPEN
        ).values_list("kind", flat=True)
    )
    logins = []
    for username, *_rest in USERS:
        membership = (
            Membership.objects.filter(user__username=username)
            .select_related("organisation")
            .first()
        )
        if membership:
            logins.append(
                (username, str(membership.get_role_display()), membership.organisation.name)
            )
    return DemoSummary(
        created=created,
        region=region,
        stage_counts={stage.value: stages.get(stage.value, 0) for stage in Stage},
        meetings={status.value: meetings.get(status.value, 0) for status in MeetingStatus},
        open_signals=dict(sorted(signals.items())),
        logins=logins,
    )
