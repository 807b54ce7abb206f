"""Need to know, proven: every URL pattern × every role × an object the role may see and one it may not.

The table in domain.md ("Who sees what") holds on every page, form, fragment, PDF, export and
feed. Each URL pattern of the project has a row in MATRIX below with one or more probes. A probe
names the object it opens (school A's youth, school B's youth, a meeting of region 1 or region 2,
…) and the roles that may open it; every other role must get 404, exactly as for an object that
does not exist. Anonymous visitors are sent to the login page, except on public pages.

`test_every_url_pattern_has_a_row` fails when someone adds a URL pattern without a row here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from routearbeid.aftercare.models import AftercareCheck
from routearbeid.api.services import api_token_create
from routearbeid.core.errors import NotFound
from routearbeid.meetings import services as meeting_services
from routearbeid.meetings.models import AgendaItem, OutflowMeeting
from routearbeid.notifications.services import calendar_feed_renew
from routearbeid.portal.services import portal_link_renew
from routearbeid.route import services as route_services
from routearbeid.route.models import Case
from routearbeid.tests.people import Region1

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = dt.date(2025, 3, 10)
MISSING = 987_654_321

# The people of region 1 (tests/people.py), by the role they play.
ROLES = [
    "coordinator",
    "mentor",
    "other_coordinator",
    "work_service_manager",
    "rmc_officer",
    "leerplicht_officer",
    "swv_officer",
    "route_coordinator",
    "admin",
    "privacy_officer",
]
SCHOOL_A = frozenset({"coordinator", "mentor"})
SCHOOL_B = frozenset({"other_coordinator"})
SCHOOLS = SCHOOL_A | SCHOOL_B
CASE_ROLES = SCHOOLS | {"work_service_manager", "rmc_officer", "leerplicht_officer", "swv_officer"}
# Everyone who works with youth or meetings (not the functional administrator, not the privacy officer).
MEETING_ROLES = CASE_ROLES | {"route_coordinator"}
EVERYONE = frozenset(ROLES)
NOBODY: frozenset[str] = frozenset()


@dataclass
class World:
    """Region 1 with a youth at school A in aftercare and a youth at school B, and region 2."""

    r: Region1
    r2: Region1
    case_a: Case  # school A, 17, in aftercare: every partner involved, handed over, on an agenda
    case_b: Case  # school B, just opened, nobody else involved
    meeting: OutflowMeeting  # region 1, held, with case A on the agenda
    item: AgendaItem
    meeting2: OutflowMeeting  # region 2
    item2: AgendaItem
    extra: dict = field(default_factory=dict)

    @property
    def a(self) -> int:
        return self.case_a.student_id

    @property
    def b(self) -> int:
        return self.case_b.student_id


def build_world() -> World:
    r = Region1.build()
    r2 = Region1.build("Regio Twee")
    case_a = r.open_case(age=17, first_name="Amira", last_name="Anwar")
    r.involve(case_a)
    route_services.involvement_request(
        actor=r.coordinator, case_id=case_a.pk, organisation_id=r.swv.pk
    )
    route_services.involvement_record(
        actor=r.swv_officer,
        case_id=case_a.pk,
        organisation_id=r.swv.pk,
        person_name="S. Verband",
        involved_on=TODAY,
        advice="Geen extra ondersteuning nodig.",
    )
    decision = r.decide_work(case_a)
    r.skip_aba(case_a)
    r.hand_over(case_a)
    r.employ(case_a)
    route_services.exemption_record(
        actor=r.leerplicht_officer,
        case_id=case_a.pk,
        reference="LP-2025-1",
        decided_on=TODAY,
        ends_on=dt.date(2025, 7, 31),
    )
    case_a = r.outflow(case_a)
    case_b = route_services.case_open(
        actor=r.other_coordinator,
        student_id=r.student(school=r.other_school, first_name="Bram", last_name="Bakker").pk,
    )
    item = decision.agenda_item
    action = meeting_services.action_add(
        actor=r.route_coordinator,
        agenda_item_id=item.pk,
        description="Bel de werkgever",
        owner_organisation_id=r.school.pk,
        due_on=TODAY + dt.timedelta(days=7),
    )
    case2 = r2.outflow(r2.ready_for_outflow(age=19))
    item2 = AgendaItem.objects.get(case=case2)
    action2 = meeting_services.action_add(
        actor=r2.route_coordinator,
        agenda_item_id=item2.pk,
        description="Bel de werkgever",
        owner_organisation_id=r2.school.pk,
        due_on=TODAY + dt.timedelta(days=7),
    )
    employer = case_a.employments.get().employer
    # Region 1 also has a planned meeting and a held one where school B's youth awaits a decision.
    planned = meeting_services.meeting_plan(
        actor=r.route_coordinator, region_id=r.region.pk, scheduled_on=TODAY
    )
    held_b = meeting_services.meeting_plan(
        actor=r.route_coordinator, region_id=r.region.pk, scheduled_on=TODAY
    )
    item_b = meeting_services.agenda_item_add(
        actor=r.other_coordinator, meeting_id=held_b.pk, case_id=case_b.pk
    )
    meeting_services.meeting_hold(actor=r.route_coordinator, meeting_id=held_b.pk, held_on=TODAY)
    planned2 = meeting_services.meeting_plan(
        actor=r2.route_coordinator, region_id=r2.region.pk, scheduled_on=TODAY
    )
    # A request to take part that waits for the RMC's answer, in each region (the worklist)
    waiting, waiting2 = r.open_case(first_name="Wim", last_name="Wacht"), r2.open_case()
    for region, case in ((r, waiting), (r2, waiting2)):
        route_services.involvement_request(
            actor=region.coordinator, case_id=case.pk, organisation_id=region.rmc.pk
        )
    # The first check-ins are due today, so that they are on the worklists.
    AftercareCheck.objects.filter(case__in=[case_a, case2], sequence=1).update(due_on=TODAY)
    feed_token = calendar_feed_renew(actor=r.coordinator)
    api_token = api_token_create(
        actor=r.coordinator,
        name="koppeling",
        scope="read",
        expires_on=TODAY + dt.timedelta(days=30),
    ).token
    portal_token = portal_link_renew(actor=r.coordinator, case_id=case_a.pk).token
    return World(
        r=r,
        r2=r2,
        case_a=case_a,
        case_b=case_b,
        meeting=item.meeting,
        item=item,
        meeting2=item2.meeting,
        item2=item2,
        extra={
            "waiting": waiting.involvements.get(),
            "waiting2": waiting2.involvements.get(),
            "action": action,
            "action2": action2,
            "employer": employer,
            "planned": planned,
            "planned2": planned2,
            "item_b": item_b,
            "held_b": held_b,
            "feed_token": feed_token,
            "api_token": api_token,
            "portal_token": portal_token,
            "case2": case2,
        },
    )


Kwargs = Callable[[World], dict]


@dataclass(frozen=True)
class Probe:
    """Open `kwargs(world)` as each role; the roles in `allowed` get `ok`, all others 404."""

    about: str
    kwargs: Kwargs
    allowed: frozenset[str]
    method: str = "get"
    ok: tuple[int, ...] = (200,)
    data: dict = field(default_factory=dict)
    public: bool = False  # anonymous visitors get `ok` too (instead of the login page)


def none(_w: World) -> dict:
    return {}


MATRIX: dict[str, list[Probe]] = {
    # --- public pages -------------------------------------------------------------------------
    "home": [Probe("start", none, EVERYONE, ok=(200, 302))],
    "login": [Probe("login page", none, EVERYONE, ok=(200, 302), public=True)],
    "logout": [Probe("logout", none, EVERYONE, method="post", ok=(302,), public=True)],
    "health": [Probe("health check", none, EVERYONE, public=True)],
    "accessibility": [Probe("accessibility statement", none, EVERYONE, public=True)],
    "set_language": [
        Probe("language choice", none, EVERYONE, method="post", ok=(302,), public=True)
    ],
    # --- staff screens without an object ------------------------------------------------------
    "worklist": [Probe("own worklist (the page after login)", none, EVERYONE)],
    "worklist_badge": [Probe("own worklist's count (the navigation's badge)", none, EVERYONE)],
    "students:list": [Probe("youth list", none, MEETING_ROLES)],
    "meetings:list": [Probe("meetings of the region", none, MEETING_ROLES)],
    "meetings:plan": [
        Probe("plan a meeting", none, frozenset({"route_coordinator"}), method="post")
    ],
    "employment:list": [Probe("employers", none, CASE_ROLES)],
    # --- one youth ----------------------------------------------------------------------------
    "route:student": [
        Probe(
            "school A's youth in aftercare",
            lambda w: {"student_id": w.a},
            SCHOOL_A
            | {
                "work_service_manager",
                "rmc_officer",
                "leerplicht_officer",
                "swv_officer",
                "route_coordinator",
            },
        ),
        # School B's youth is on an agenda of region 1, so the route coordinator sees it too.
        Probe("school B's youth", lambda w: {"student_id": w.b}, SCHOOL_B | {"route_coordinator"}),
        Probe("a youth of region 2", lambda w: {"student_id": w.extra["case2"].student_id}, NOBODY),
        Probe("no such youth", lambda w: {"student_id": MISSING}, NOBODY),
    ],
    "route:open": [
        # Only the youth's own school opens a case; a second open case is refused with a message.
        Probe(
            "open a case for school A's youth",
            lambda w: {"student_id": w.a},
            SCHOOL_A,
            method="post",
            ok=(200, 302),
        ),
        Probe(
            "open a case for school B's youth",
            lambda w: {"student_id": w.b},
            SCHOOL_B,
            method="post",
            ok=(200, 302),
        ),
    ],
    "route:action": [
        Probe(
            "R-NZ-6 job-loss threat on school A's youth",
            lambda w: {"student_id": w.a, "name": "job-loss-threat"},
            SCHOOL_A | {"work_service_manager"},
            method="post",
        ),
        Probe(
            "check-in on school A's youth (school only)",
            lambda w: {"student_id": w.a, "name": "checkin"},
            SCHOOL_A,
            method="post",
        ),
        Probe(
            "involvement request on school B's youth",
            lambda w: {"student_id": w.b, "name": "involvement-request"},
            SCHOOL_B,
            method="post",
        ),
        Probe(
            "a new report-page link for school A's youth (school only)",
            lambda w: {"student_id": w.a, "name": "portal-link"},
            SCHOOL_A,
            method="post",
        ),
        Probe(
            "an action that does not exist",
            lambda w: {"student_id": w.a, "name": "no-such-action"},
            NOBODY,
            method="post",
        ),
        # A form of its own is loaded when opened (GET); the forms inside a row have no GET.
        Probe(
            "the job-loss threat form of school A's youth (opened)",
            lambda w: {"student_id": w.a, "name": "job-loss-threat"},
            SCHOOL_A | {"work_service_manager"},
        ),
        Probe(
            "the involvement request form of school B's youth (opened)",
            lambda w: {"student_id": w.b, "name": "involvement-request"},
            SCHOOL_B,
        ),
        Probe(
            "the check-in form of school A's youth (opened, the check-in due)",
            lambda w: {"student_id": w.a, "name": "checkin"},
            SCHOOL_A,
        ),
        Probe(
            "the report-page link form alone (a form inside a row)",
            lambda w: {"student_id": w.a, "name": "portal-link"},
            NOBODY,
        ),
    ],
    "route:handover_pdf": [
        Probe(
            "handover document of school A's youth",
            lambda w: {"student_id": w.a},
            SCHOOL_A | {"work_service_manager"},
        ),
        # The school prints the document for the handover meeting before the handover is recorded.
        Probe("handover document of school B's youth", lambda w: {"student_id": w.b}, SCHOOL_B),
    ],
    # --- outflow meetings ---------------------------------------------------------------------
    "meetings:detail": [
        Probe("meeting of region 1", lambda w: {"meeting_id": w.meeting.pk}, MEETING_ROLES),
        Probe("meeting of region 2", lambda w: {"meeting_id": w.meeting2.pk}, NOBODY),
    ],
    "meetings:agenda": [
        Probe("printed agenda, region 1", lambda w: {"meeting_id": w.meeting.pk}, MEETING_ROLES),
        Probe("printed agenda, region 2", lambda w: {"meeting_id": w.meeting2.pk}, NOBODY),
    ],
    "meetings:minutes": [
        Probe("printed minutes, region 1", lambda w: {"meeting_id": w.meeting.pk}, MEETING_ROLES),
        Probe("printed minutes, region 2", lambda w: {"meeting_id": w.meeting2.pk}, NOBODY),
    ],
}

COORDINATOR = frozenset({"route_coordinator"})


def _on(meeting_key: str, item_key: str | None = None) -> Kwargs:
    def kwargs(w: World) -> dict:
        meeting = w.extra[meeting_key] if meeting_key in w.extra else getattr(w, meeting_key)
        found = {"meeting_id": meeting.pk}
        if item_key:
            item = w.extra[item_key] if item_key in w.extra else getattr(w, item_key)
            found["item_id"] = item.pk
        return found

    return kwargs


def _meeting_post(about: str, here: Kwargs, there: Kwargs, allowed=COORDINATOR) -> list[Probe]:
    return [
        Probe(f"{about}, region 1", here, allowed, method="post", ok=(200, 302)),
        Probe(f"{about}, region 2", there, NOBODY, method="post"),
    ]


def _item_form(about: str, here: Kwargs, there: Kwargs, allowed=COORDINATOR) -> list[Probe]:
    """A form the page loads when it is opened (an agenda item's, a participant, the minutes):
    posting it, and loading it (GET)."""
    return [
        *_meeting_post(about, here, there, allowed),
        Probe(f"{about}: its form, region 1", here, allowed),
        Probe(f"{about}: its form, region 2", there, NOBODY),
    ]


MATRIX["meetings:participant_add"] = _item_form(
    "add a participant", _on("meeting"), _on("meeting2")
)
MATRIX["meetings:hold"] = _meeting_post("hold a planned meeting", _on("planned"), _on("planned2"))
MATRIX["meetings:minutes_save"] = _item_form("save minutes", _on("meeting"), _on("meeting2"))
MATRIX["meetings:action_add"] = _item_form(
    "add an action", _on("meeting", "item"), _on("meeting2", "item2")
)
MATRIX["meetings:decision"] = _item_form(
    "decide on school B's youth", _on("held_b", "item_b"), _on("meeting2", "item2")
)
MATRIX["meetings:advice"] = _item_form(
    "advice on school B's youth",
    _on("held_b", "item_b"),
    _on("meeting2", "item2"),
    allowed=SCHOOL_B | COORDINATOR,
)
MATRIX["meetings:action_done"] = [
    # The owning organisation or the route coordinator marks an action done.
    Probe(
        "an action owned by school A",
        lambda w: {"meeting_id": w.meeting.pk, "action_id": w.extra["action"].pk},
        SCHOOL_A | COORDINATOR,
        method="post",
        ok=(200, 302),
    ),
    Probe(
        "an action in region 2",
        lambda w: {"meeting_id": w.meeting2.pk, "action_id": w.extra["action2"].pk},
        NOBODY,
        method="post",
    ),
]
MATRIX["employment:detail"] = [
    # An employer is an organisation, not a person: every case role may look it up; its
    # placements list shows only youth the reader may see (employment/tests).
    Probe("an employer", lambda w: {"employer_id": w.extra["employer"].pk}, CASE_ROLES),
    Probe("no such employer", lambda w: {"employer_id": MISSING}, NOBODY),
]

# --- one's own account and settings: every signed-in person, about themselves only ------------
MATRIX.update(
    {
        "admin_login": [
            # The admin's own login page is replaced by ours: signed-in people get 404 here.
            Probe("admin login", none, NOBODY, public=True, ok=(302,))
        ],
        "accounts:account": [Probe("own account", none, EVERYONE)],
        "accounts:password_change": [Probe("own password", none, EVERYONE)],
        # With two-step login off (the test settings) and no app set up, these steps send the
        # person on; accounts/tests prove them with two-step login on.
        "accounts:two_factor": [Probe("code step", none, EVERYONE, ok=(200, 302))],
        "accounts:two_factor_setup": [Probe("set up an app", none, EVERYONE, ok=(200, 302))],
        "accounts:recovery_codes": [Probe("own recovery codes", none, EVERYONE, ok=(200, 302))],
        "accounts:recovery_codes_regenerate": [
            # Only after the code step with an app; nobody in this world has one.
            Probe("new recovery codes", none, NOBODY, method="post")
        ],
        "accounts:logout_everywhere": [
            Probe("log out everywhere", none, EVERYONE, method="post", ok=(302,))
        ],
        "notifications:preferences": [Probe("own e-mail choices", none, EVERYONE)],
        "api_tokens": [Probe("own API tokens", none, EVERYONE)],
        "api_token_revoke": [
            # a token is revoked only by the person who made it
            Probe(
                "the coordinator's token",
                lambda w: {"token_id": w.extra["api_token"].pk},
                frozenset({"coordinator"}),
                method="post",
                ok=(302,),
            ),
            Probe("no such token", lambda w: {"token_id": MISSING}, NOBODY, method="post"),
        ],
        "notifications:calendar": [Probe("own calendar link", none, EVERYONE)],
        "notifications:feed": [
            # A secret link instead of a login: the token alone opens it, for anyone who has it.
            Probe(
                "the coordinator's calendar feed",
                lambda w: {"token": w.extra["feed_token"]},
                EVERYONE,
                public=True,
            ),
            Probe(
                "a guessed token",
                lambda w: {"token": "x" * 43},
                NOBODY,
                public=True,
                ok=(404,),
            ),
        ],
    }
)

# --- the privacy officer's screens: their organisation's youth, every organisation's log ------
PRIVACY = frozenset({"privacy_officer"})
for _name in ("privacy:subject_log", "privacy:inzage_json", "privacy:inzage_pdf"):
    MATRIX[_name] = [
        Probe("school A's youth", lambda w: {"student_id": w.a}, PRIVACY),
        Probe("school B's youth", lambda w: {"student_id": w.b}, NOBODY),
    ]
MATRIX["privacy:search"] = [Probe("find a youth", none, PRIVACY)]
MATRIX["privacy:activities"] = [Probe("register of processing activities", none, PRIVACY)]

# --- aftercare: check-ins from the worklist, the RMC's monitoring list -------------------------
MATRIX["worklist_checkin"] = [
    Probe(
        "a check-in of school A's youth (the school records it)",
        lambda w: {"check_id": w.case_a.checks.order_by("due_on").first().pk},
        SCHOOL_A,
        method="post",
    ),
    Probe(
        "a check-in in region 2",
        lambda w: {"check_id": w.extra["case2"].checks.order_by("due_on").first().pk},
        NOBODY,
        method="post",
    ),
    Probe(
        "the form of a check-in of school A's youth (opened on the worklist)",
        lambda w: {"check_id": w.case_a.checks.order_by("due_on").first().pk},
        SCHOOL_A,
    ),
    Probe(
        "the form of a check-in in region 2",
        lambda w: {"check_id": w.extra["case2"].checks.order_by("due_on").first().pk},
        NOBODY,
    ),
]
MATRIX["worklist_involvement"] = [
    Probe(
        "the form of a request waiting for the RMC (opened on the worklist)",
        lambda w: {"involvement_id": w.extra["waiting"].pk},
        frozenset({"rmc_officer"}),
    ),
    Probe(
        "the form of a request in region 2",
        lambda w: {"involvement_id": w.extra["waiting2"].pk},
        NOBODY,
    ),
]
MATRIX["monitoring"] = [
    Probe("RMC monitoring list of the own region", none, frozenset({"rmc_officer"}))
]
MATRIX["monitoring_export"] = [
    Probe("its export", none, frozenset({"rmc_officer"})),
    Probe("its export as Excel", lambda w: {"fmt": "xlsx"}, frozenset({"rmc_officer"})),
    Probe("an unknown export format", lambda w: {"fmt": "pdf"}, NOBODY),
]
# --- exports of the lists (core/exports.py): whoever has the screen, in CSV or XLSX ------------
MATRIX["students:export"] = [
    Probe("youth list as CSV", lambda w: {"fmt": "csv"}, MEETING_ROLES),
    Probe("youth list as Excel", lambda w: {"fmt": "xlsx"}, MEETING_ROLES),
    Probe("an unknown export format", lambda w: {"fmt": "pdf"}, NOBODY),
]
MATRIX["worklist_export"] = [
    # Everyone has a worklist; the administrator's and privacy officer's name no youth.
    Probe("own worklist as CSV", lambda w: {"fmt": "csv"}, EVERYONE),
    Probe("own worklist as Excel", lambda w: {"fmt": "xlsx"}, EVERYONE),
    Probe("an unknown export format", lambda w: {"fmt": "pdf"}, NOBODY),
]

# --- the youth's own report page: the personal link is the key, no account ------------------
for _name in ("portal:page", "portal:thanks"):
    MATRIX[_name] = [
        Probe(
            "school A's youth's own link",
            lambda w: {"token": w.extra["portal_token"]},
            EVERYONE,
            public=True,
        ),
        Probe("a guessed link", lambda w: {"token": "x" * 43}, NOBODY, public=True, ok=(404,)),
    ]

# --- the student import: only the school's own coordinators (not mentors, not partners) -------
COORDINATORS = frozenset({"coordinator", "other_coordinator"})
IMPORT_CSV = "Roepnaam;Achternaam;Geboortedatum;Woonplaats\nAli;Demir;01-02-2008;Alkmaar\n"


def _student_import(school: str) -> Kwargs:
    """An import of school A or B that waits for confirmation (made once per world)."""

    def kwargs(w: World) -> dict:
        key = f"student_import_{school}"
        if key not in w.extra:
            from routearbeid.students.services import student_import_map, student_import_start

            who = w.r.coordinator if school == "a" else w.r.other_coordinator
            org = w.r.school if school == "a" else w.r.other_school
            batch = student_import_start(
                actor=who, school_id=org.pk, file_name="leerlingen.csv", data=IMPORT_CSV.encode()
            )
            w.extra[key] = student_import_map(actor=who, import_id=batch.pk, mapping=batch.mapping)
        return {"import_id": w.extra[key].pk}

    return kwargs


MATRIX["students:import"] = [Probe("upload an export", none, COORDINATORS)]
for _name, _method, _ok in (
    ("students:import_mapping", "get", (200,)),
    ("students:import_detail", "get", (200,)),
    ("students:import_progress", "get", (200,)),
    ("students:import_confirm", "post", (302,)),
    ("students:import_cancel", "post", (302,)),
):
    MATRIX[_name] = [
        Probe("school A's import", _student_import("a"), SCHOOL_A - {"mentor"}, _method, _ok),
        Probe("school B's import", _student_import("b"), SCHOOL_B, _method, _ok),
        Probe("no such import", lambda w: {"import_id": MISSING}, NOBODY, _method),
    ]

# URL patterns that are tested elsewhere as a whole, with the reason.
NOT_IN_MATRIX = {
    # The Django admin checks is_staff and model permissions itself; what a functional
    # administrator may see there is proven in organisations/tests/test_admin_scope.py.
    "admin:",
    # The API answers 401/404/403 as problem+json and lists show only visible rows: every API
    # URL is proven in src/routearbeid/api/tests/test_api_access.py (API_MATRIX).
    "api:",
}


def all_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: str | None = None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern):
                names.add(f"{namespace}:{p.name}" if namespace else str(p.name))

    walk(get_resolver().url_patterns)
    return names


def test_every_url_pattern_has_a_row():
    names = {n for n in all_url_names() if not any(n.startswith(x) for x in NOT_IN_MATRIX)}
    missing = sorted(names - set(MATRIX))
    assert not missing, f"URL patterns without a row in the access matrix: {missing}"
    stale = sorted(set(MATRIX) - names)
    assert not stale, f"rows for URL patterns that no longer exist: {stale}"


@pytest.fixture
def world(db):
    with time_machine.travel(dt.datetime(2025, 3, 10, 10, 0, tzinfo=AMSTERDAM), tick=False):
        yield build_world()


def _call(client, probe: Probe, url: str):
    """One request, undone afterwards, so that every role meets the same world."""
    # the report page's rate limit counts per address (in the database): rolled back with the
    # request, so every role is a new visitor
    with transaction.atomic():
        response = client.post(url, probe.data) if probe.method == "post" else client.get(url)
        transaction.set_rollback(True)
    return response


def test_matrix(client, world):
    """Every row against one world: each request is rolled back (_call), so every row and role
    meets the same data, and the world is built once instead of once per row."""
    failures: list[str] = []
    for name in sorted(MATRIX):
        failures.extend(_row_failures(client, world, name))
    assert not failures, "\n".join(failures)


def _row_failures(client, world, name: str) -> list[str]:
    failures: list[str] = []
    for probe in MATRIX[name]:
        url = reverse(name, kwargs=probe.kwargs(world))
        client.logout()
        anonymous = _call(client, probe, url)
        if probe.public:
            if anonymous.status_code not in probe.ok:
                failures.append(f"{probe.about}: anonymous got {anonymous.status_code}")
        elif anonymous.status_code != 302 or "/inloggen/" not in anonymous["Location"]:
            failures.append(f"{probe.about}: anonymous got {anonymous.status_code}, not login")
        for role in ROLES:
            client.force_login(getattr(world.r, role))
            status = _call(client, probe, url).status_code
            expected = probe.ok if role in probe.allowed else (404,)
            if status not in expected:
                failures.append(f"{name}: {probe.about}: {role} got {status}, expected {expected}")
    return failures


PGN_ROLES = SCHOOL_A | {"work_service_manager"}


def test_the_pgn_shows_only_to_school_and_work_service_roles(client, world):
    """Field level: the BSN/education number only for school and work-service roles (the SWV may
    not use it by law); the other roles that see the youth get the page without it."""
    student = world.case_a.student
    student.pgn = "123456782"
    student.save(update_fields=["pgn"])
    url = reverse("route:student", kwargs={"student_id": student.pk})
    seen_by = set()
    for role in ROLES:
        client.force_login(getattr(world.r, role))
        response = client.get(url)
        if response.status_code == 200 and "123456782" in response.content.decode():
            seen_by.add(role)
    assert seen_by == PGN_ROLES


def test_the_worklist_of_the_administrator_and_privacy_officer_names_no_youth(client, world):
    """Their organisation (school A) has signals, check-ins and a meeting action on Amira; the
    functional administrator and the privacy officer of that school do no case work."""
    client.force_login(world.r.coordinator)
    assert "Amira" in client.get(reverse("worklist")).content.decode()
    for role in ("admin", "privacy_officer"):
        client.force_login(getattr(world.r, role))
        page = client.get(reverse("worklist")).content.decode()
        assert "Amira" not in page and "Anwar" not in page, role


def test_both_shapes_of_visible_students_agree_for_everyone(world):
    """students.selectors.visible_students has a shape for whole lists (a union of the link
    sets), one for rows narrowed first (a name search, one id: a condition per row) and one for
    a page read in the name index's order (an `id IN` per link set). All must let exactly the
    same students through, for every person of both regions, also a student of school A
    without a case (seen by the school only)."""
    from routearbeid.organisations.constants import Role
    from routearbeid.organisations.models import Membership, User
    from routearbeid.students.models import Student
    from routearbeid.students.selectors import (
        name_contains,
        student_get,
        student_list,
        visible_students,
    )
    from routearbeid.tests.people import make_user

    world.r.student(first_name="Zonder", last_name="Zaak")
    world.r.student(school=world.r.other_school, first_name="Ook", last_name="Zonder")
    # someone with a school seat and a partner seat: both conditions at once
    both = make_user("school-b-and-work-service", world.r.other_school, Role.SCHOOL_COORDINATOR)
    Membership.objects.create(
        user=both, organisation=world.r.work_service, role=Role.WORK_SERVICE_MANAGER
    )
    everyone = Student.objects.values_list("pk", flat=True)
    people = User.objects.filter(is_active=True).order_by("username")
    assert people.count() >= 20
    seen_by_someone = set()
    for person in people:
        whole = set(visible_students(person).values_list("pk", flat=True))
        narrowed = set(visible_students(person, narrowed=True).values_list("pk", flat=True))
        assert whole == narrowed, person.username
        in_order = set(visible_students(person, in_order=True).values_list("pk", flat=True))
        assert whole == in_order, person.username
        probed = visible_students(person, in_order=True, probed=True)
        assert whole == set(probed.values_list("pk", flat=True)), person.username
        # the search uses the narrowed shape; the same students as the list, filtered by name
        # (a word of one letter: at the start of a name; of three: anywhere)
        for word in ("a", "ari"):
            found = {s.pk for s in student_list(actor=person, search=word)}
            named = set(
                visible_students(person).filter(name_contains(word)).values_list("pk", flat=True)
            )
            assert found == named, (person.username, word)
        for pk in everyone:
            try:
                student_get(actor=person, student_id=pk, log=False)
            except NotFound:
                assert pk not in whole, person.username
            else:
                assert pk in whole, person.username
        seen_by_someone |= whole
    # the world is not trivial: partners see some youth, and not everyone sees everything
    partner = world.r.work_service_manager
    assert set(visible_students(partner).values_list("pk", flat=True)) == {world.a}
    school_b = set(Student.objects.filter(school=world.r.other_school).values_list("pk", flat=True))
    assert set(visible_students(both).values_list("pk", flat=True)) == school_b | {world.a}
    assert seen_by_someone == set(everyone)


def test_the_worklists_access_test_per_case_id_agrees_with_the_case_condition(world):
    """The worklist tests each row's case in the actor's own access indexes
    (CaseAccess.case_id_q, issue #7) instead of the condition on the case (case_q, which the
    youth page uses): for every person of both regions, the same cases pass, and through the
    worklist's own rows (the signals' cases) the same signals."""
    from routearbeid.aftercare.models import Signal
    from routearbeid.organisations.actors import as_actor
    from routearbeid.organisations.models import User
    from routearbeid.route.models import Case
    from routearbeid.route.selectors import case_access

    people = User.objects.filter(is_active=True).order_by("username")
    seen = set()
    for person in people:
        access = case_access(as_actor(person))
        by_case, by_id = access.case_q(), access.case_id_q("id")
        assert (by_case is None) == (by_id is None), person.username
        if by_case is None:
            continue
        cases = set(Case.objects.filter(by_case).values_list("pk", flat=True))
        assert cases == set(Case.objects.filter(by_id).values_list("pk", flat=True)), person
        signals = Signal.objects.filter(access.case_id_q("case_id"))
        assert set(signals.values_list("case_id", flat=True)) <= cases, person.username
        assert signals.count() == Signal.objects.filter(case_id__in=cases).count(), person
        seen |= cases
    assert {world.case_a.pk, world.case_b.pk} <= seen
