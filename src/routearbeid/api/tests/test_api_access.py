"""Need to know, proven on the API: every URL name of /api/v1/ × every role × an object the role
may see and one it may not.

The screens' matrix (tests/test_access_matrix.py) sends anonymous visitors to the login page and
answers 404 to a role that may not open an object. The API differs in three ways, so its rows
live here, in the same world:

- anonymous callers get 401 as application/problem+json (only the OpenAPI document and the
  reference page are public);
- a list answers 200 to every caller, with only the rows the caller may see: a list probe
  filters the list on one object and names the roles that get at least one row (all others get
  none);
- a write on an object the caller may see but may not change is refused with 403 (422 when
  another stage of the route would allow it); on an object the caller may not see, 404.

`test_every_api_url_has_a_row` fails when someone adds an API URL without a row here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from routearbeid.aftercare import services as aftercare_services
from routearbeid.aftercare.constants import SignalKind
from routearbeid.aftercare.models import Signal
from routearbeid.api.urls import CASE_LISTS
from routearbeid.employment import services as employment_services
from routearbeid.organisations.actors import as_actor
from routearbeid.tests.test_access_matrix import (
    AMSTERDAM,
    CASE_ROLES,
    EVERYONE,
    MEETING_ROLES,
    MISSING,
    NOBODY,
    ROLES,
    SCHOOL_A,
    SCHOOL_B,
    TODAY,
    World,
    all_url_names,
    build_world,
)

PROBLEM = "application/problem+json"

# Who sees school A's youth Amira (in aftercare; RMC, Leerplicht and SWV involved, handed over
# to the work service, on an agenda of region 1): the same roles as the screen route:student.
CASE_A = SCHOOL_A | {
    "work_service_manager",
    "rmc_officer",
    "leerplicht_officer",
    "swv_officer",
    "route_coordinator",
}
# School B's youth Bram (case just opened) is on an agenda of region 1: the route coordinator too.
CASE_B = SCHOOL_B | {"route_coordinator"}
WORK = SCHOOL_A | {"work_service_manager"}  # the school and the work service (work matters)
WORK_SERVICE = frozenset({"work_service_manager"})
RMC = frozenset({"rmc_officer"})
LEERPLICHT = frozenset({"leerplicht_officer"})
COORDINATOR = frozenset({"route_coordinator"})
PGN_ROLES = SCHOOL_A | {"work_service_manager"}


def build_api_world() -> World:
    """The screens' world, plus a row of every kind the API lists on case A, on case B and in
    region 2, so that each resource has something to find and something to hide."""
    w = build_world()
    r, r2, x = w.r, w.r2, w.extra
    a, b, case2 = w.case_a, w.case_b, x["case2"]
    # A youth of school A without a case: only the school sees it, and only the school opens it.
    x["fresh_a"] = r.student(age=17, first_name="Fenna", last_name="Fris")
    for region, case, key in ((r, a, ""), (r2, case2, "2")):
        # The school asks the work service to get in touch (a signal to the work service) and
        # the work service reports a threat of job loss (a signal to the school).
        x[f"signal_ws{key}"] = aftercare_services.signal_raise(
            actor=region.coordinator,
            case_id=case.pk,
            kind=SignalKind.CONTACT_WORK_SERVICE,
            note="Graag opnieuw contact opnemen.",
        )
        x[f"signal_school{key}"] = aftercare_services.job_loss_threat_record(
            actor=region.work_service_manager, case_id=case.pk, note="Het contract stopt."
        )
        x[f"self_report{key}"] = aftercare_services.self_report_record(
            actor=as_actor(region.coordinator),
            case_id=case.pk,
            kind="problems_at_work",
            channel="phone",
            message="Het gaat niet goed met de planning.",
        )
        x[f"follow_up{key}"] = aftercare_services.follow_up_contact_record(
            actor=region.work_service_manager,
            case_id=case.pk,
            contact_on=TODAY,
            with_whom="youth",
            situation="working_same_employer",
        )
        x[f"note{key}"] = aftercare_services.monitoring_note_record(
            actor=region.rmc_officer, case_id=case.pk, text="Werkt nog bij dezelfde werkgever."
        )
        x[f"provision{key}"] = employment_services.provision_record(
            actor=region.work_service_manager,
            case_id=case.pk,
            kind="job_coaching",
            status="requested",
            status_on=TODAY,
        )
    # An ABA is filed before outflow: on case B, and on a new case in region 2.
    x["aba_b"] = employment_services.aba_application_submit(
        actor=r.other_coordinator, case_id=b.pk, submitted_on=TODAY
    )
    x["aba2"] = employment_services.aba_application_submit(
        actor=r2.coordinator, case_id=r2.open_case().pk, submitted_on=TODAY
    )
    return w


Kwargs = Callable[[World], dict]


def none(_w: World) -> dict:
    return {}


@dataclass(frozen=True)
class ApiProbe:
    """Call `kwargs(world)` (and `query(world)`) as each role, with the body `data(world)`.

    The roles in `allowed` get `ok`; the roles in `forbidden` see the object but may not do
    this and get `refused`; everyone else gets 404 (exactly as for an object that does not
    exist). `expect` overrides the answer for single roles (with a reason in a comment).
    For a list (`rows` set), the roles in `rows` get at least one row, the others none.
    """

    about: str
    allowed: frozenset[str]
    kwargs: Kwargs = none
    query: Kwargs = none
    method: str = "get"
    ok: tuple[int, ...] = (200,)
    data: Kwargs = none
    forbidden: frozenset[str] = NOBODY
    refused: tuple[int, ...] = (403,)
    rows: frozenset[str] | None = None
    expect: dict[str, tuple[int, ...]] = field(default_factory=dict)
    public: bool = False  # anonymous callers get `ok` too (instead of 401)
    # what a role that may not see the object gets: 404, or 400 when the object is named in
    # the body (then exactly as for an object that does not exist, proven by a MISSING probe)
    hidden: tuple[int, ...] = (404,)

    def expected(self, role: str) -> tuple[int, ...]:
        if role in self.expect:
            return self.expect[role]
        if role in self.allowed:
            return self.ok
        if role in self.forbidden:
            return self.refused
        return self.hidden


def listing(about: str, query: Kwargs, rows: frozenset[str]) -> ApiProbe:
    """A top-level list filtered on one object: 200 for everyone, rows only for `rows`."""
    return ApiProbe(about, EVERYONE, query=query, rows=rows)


def case_list(about: str, case: Callable[[World], int], allowed, rows=None) -> ApiProbe:
    """A list under one case: 404 for whoever may not see the case."""
    return ApiProbe(
        about, allowed, kwargs=lambda w: {"caseId": case(w)}, rows=allowed if rows is None else rows
    )


def row(about: str, pk: Callable[[World], int], allowed: frozenset[str]) -> ApiProbe:
    return ApiProbe(about, allowed, kwargs=lambda w: {"pk": pk(w)})


def _a(w: World) -> int:
    return w.case_a.pk


def _b(w: World) -> int:
    return w.case_b.pk


def _case2(w: World) -> int:
    return w.extra["case2"].pk


def _missing(_w: World) -> int:
    return MISSING


def _on_case(case: Callable[[World], int]) -> Kwargs:
    return lambda w: {"caseId": case(w)}


def _filter_case(case: Callable[[World], int]) -> Kwargs:
    return lambda w: {"case": case(w)}


TODAY_ISO = TODAY.isoformat()

API_MATRIX: dict[str, list[ApiProbe]] = {
    # --- public ---------------------------------------------------------------------------------
    "openapi": [ApiProbe("the OpenAPI document", EVERYONE, public=True)],
    "docs": [ApiProbe("the reference page", EVERYONE, public=True)],
    # --- students -------------------------------------------------------------------------------
    "students-list": [
        listing("students of school B", lambda w: {"school": w.r.other_school.pk}, CASE_B),
        listing("students named Amira", lambda w: {"q": "Amira"}, CASE_A),
        listing("a youth of school A without a case", lambda w: {"q": "Fenna"}, SCHOOL_A),
        listing("students of region 2", lambda w: {"school": w.r2.school.pk}, NOBODY),
    ],
    "students-detail": [
        row("school A's youth in aftercare", lambda w: w.a, CASE_A),
        row("school B's youth", lambda w: w.b, CASE_B),
        row("school A's youth without a case", lambda w: w.extra["fresh_a"].pk, SCHOOL_A),
        row("a youth of region 2", lambda w: w.extra["case2"].student_id, NOBODY),
        row("no such youth", _missing, NOBODY),
    ],
    # --- cases ----------------------------------------------------------------------------------
    "cases-list": [
        listing("cases of school A's youth", lambda w: {"student": w.a}, CASE_A),
        listing("cases of school B", lambda w: {"school": w.r.other_school.pk}, CASE_B),
        listing("cases in region 2", lambda w: {"school": w.r2.school.pk}, NOBODY),
        # Only the youth's own school opens a case (as route:open). The youth is named in the
        # body: one the caller may not see is refused with 400 on `student`, as one that does
        # not exist (test_a_hidden_youth_in_the_body_reads_as_no_such_youth).
        ApiProbe(
            "open a case for school A's youth without one",
            SCHOOL_A,
            method="post",
            ok=(201,),
            data=lambda w: {"student": w.extra["fresh_a"].pk, "openedOn": TODAY_ISO},
            hidden=(400,),
        ),
        # R-START-2: school B's youth has an open case; the route coordinator sees the youth
        # (on an agenda) but never opens a case.
        ApiProbe(
            "a second case for school B's youth",
            SCHOOL_B,
            method="post",
            ok=(422,),
            forbidden=COORDINATOR,
            data=lambda w: {"student": w.b, "openedOn": TODAY_ISO},
            hidden=(400,),
        ),
        ApiProbe(
            "open a case for a youth of region 2",
            NOBODY,
            method="post",
            data=lambda w: {"student": w.extra["case2"].student_id, "openedOn": TODAY_ISO},
            hidden=(400,),
        ),
        ApiProbe(
            "open a case for no such youth",
            NOBODY,
            method="post",
            data=lambda w: {"student": MISSING, "openedOn": TODAY_ISO},
            hidden=(400,),
        ),
    ],
    "cases-detail": [
        row("school A's case", _a, CASE_A),
        row("school B's case", _b, CASE_B),
        row("a case of region 2", _case2, NOBODY),
        row("no such case", _missing, NOBODY),
    ],
    # Not a list of rows of the case: the next step and its rules, for whoever sees the case.
    "case-transitions": [
        ApiProbe("next step of school A's case", CASE_A, kwargs=_on_case(_a)),
        ApiProbe("next step of school B's case", CASE_B, kwargs=_on_case(_b)),
        ApiProbe("next step of a case of region 2", NOBODY, kwargs=_on_case(_case2)),
    ],
    "case-timeline-events": [
        case_list("timeline of school A's case", _a, CASE_A),
        case_list("timeline of school B's case", _b, CASE_B),
        case_list("timeline of a case of region 2", _case2, NOBODY),
        case_list("timeline of no such case", _missing, NOBODY),
    ],
}

# --- what hangs under a case: the list of all, one row, the list under the case -----------------
# Rows of case A are seen by whoever sees case A, except signals (only the organisations they
# are addressed to) and monitoring notes (only the RMC of the region, R-RMC-1).
CHILDREN: dict[str, tuple[Callable[[World], int], Callable[[World], int], frozenset[str]]] = {
    # name: (a row on case A or B, a row in region 2, who sees the row)
    "involvements": (
        lambda w: w.case_a.involvements.get(organisation=w.r.rmc).pk,
        lambda w: w.extra["case2"].involvements.first().pk,
        CASE_A,
    ),
    "handovers": (
        lambda w: w.case_a.handover.pk,
        lambda w: w.extra["case2"].handover.pk,
        CASE_A,
    ),
    "exemptions": (lambda w: w.case_a.exemptions.get().pk, _missing, CASE_A),
    "deregistrations": (
        lambda w: w.case_a.deregistration.pk,
        lambda w: w.extra["case2"].deregistration.pk,
        CASE_A,
    ),
    "aba-applications": (lambda w: w.extra["aba_b"].pk, lambda w: w.extra["aba2"].pk, CASE_B),
    "provisions": (lambda w: w.extra["provision"].pk, lambda w: w.extra["provision2"].pk, CASE_A),
    "employments": (
        lambda w: w.case_a.employments.get().pk,
        lambda w: w.extra["case2"].employments.get().pk,
        CASE_A,
    ),
    "check-ins": (
        lambda w: w.case_a.checks.order_by("due_on")[0].pk,
        lambda w: w.extra["case2"].checks.order_by("due_on")[0].pk,
        CASE_A,
    ),
    "self-reports": (
        lambda w: w.extra["self_report"].pk,
        lambda w: w.extra["self_report2"].pk,
        CASE_A,
    ),
    "follow-up-contacts": (
        lambda w: w.extra["follow_up"].pk,
        lambda w: w.extra["follow_up2"].pk,
        CASE_A,
    ),
    "monitoring-notes": (lambda w: w.extra["note"].pk, lambda w: w.extra["note2"].pk, RMC),
}
for _name, (_here, _there, _who) in CHILDREN.items():
    _case = _b if _name == "aba-applications" else _a
    _sees_case = CASE_B if _name == "aba-applications" else CASE_A
    API_MATRIX[f"{_name}-list"] = [
        listing(f"{_name} of one case", _filter_case(_case), _who),
        listing(f"{_name} of a case of region 2", _filter_case(_case2), NOBODY),
    ]
    API_MATRIX[f"{_name}-detail"] = [
        row(f"one of the {_name} of school's case", _here, _who),
        row(f"one of the {_name} in region 2", _there, NOBODY),
        row(f"no such row of {_name}", _missing, NOBODY),
    ]
    if _name not in CASE_LISTS:
        continue  # not listed under a case
    API_MATRIX[f"case-{_name}"] = [
        case_list(f"{_name} under the case", _case, _sees_case, rows=_who),
        case_list(f"{_name} under a case of region 2", _case2, NOBODY),
        case_list(f"{_name} under no such case", _missing, NOBODY),
    ]

# Signals: only for the organisations they are addressed to (as on the youth's page). On case A
# the school and the work service have open ones (built above); Leerplicht has the scheduled
# R-UIT-2 signal (the exemption ends) and the RMC its R-RMC-1 one (monitoring ends), but both are
# still scheduled: not a signal to anybody yet, so not listed (as on the youth's page).
# SWV and the route coordinator have none.
SIGNALS_A = WORK
API_MATRIX["signals-list"] = [
    listing("signals on school A's youth", _filter_case(_a), SIGNALS_A),
    listing("signals on a youth of region 2", _filter_case(_case2), NOBODY),
]
API_MATRIX["signals-detail"] = [
    row("a signal to the work service", lambda w: w.extra["signal_ws"].pk, WORK_SERVICE),
    row("a signal to school A", lambda w: w.extra["signal_school"].pk, SCHOOL_A),
    row(
        "a scheduled signal to the RMC (not raised yet: nobody sees it)",
        lambda w: Signal.objects.get(case=w.case_a, kind=SignalKind.RMC_MONITORING_END).pk,
        NOBODY,
    ),
    row("a signal in region 2", lambda w: w.extra["signal_ws2"].pk, NOBODY),
    row("no such signal", _missing, NOBODY),
]
API_MATRIX["case-signals"] = [
    case_list("signals under school A's case", _a, CASE_A, rows=SIGNALS_A),
    case_list("signals under a case of region 2", _case2, NOBODY),
]

# --- organisations, employers, meetings ---------------------------------------------------------
API_MATRIX.update(
    {
        # Organisations are no personal data: everyone sees those of their own region.
        "organisations-list": [
            listing("organisations of region 1", lambda w: {"kind": "school"}, EVERYONE)
        ],
        "organisations-detail": [
            row("school B", lambda w: w.r.other_school.pk, EVERYONE),
            row("a school of region 2", lambda w: w.r2.school.pk, NOBODY),
            row("no such organisation", _missing, NOBODY),
        ],
        # An employer is an organisation; every case role may look it up (as employment:detail).
        "employers-list": [
            listing(
                "the employer of school A's youth",
                lambda w: {"q": w.extra["employer"].name},
                CASE_ROLES,
            )
        ],
        "employers-detail": [
            row("an employer", lambda w: w.extra["employer"].pk, CASE_ROLES),
            row("no such employer", _missing, NOBODY),
        ],
        "outflow-meetings-list": [
            listing("meetings of the region", lambda w: {"planned": "false"}, MEETING_ROLES)
        ],
        "outflow-meetings-detail": [
            row("a meeting of region 1", lambda w: w.meeting.pk, MEETING_ROLES),
            row("a meeting of region 2", lambda w: w.meeting2.pk, NOBODY),
            row("no such meeting", _missing, NOBODY),
        ],
    }
)


# --- writes ---------------------------------------------------------------------------------------
# Case A is in aftercare; case B has just been opened (consultation). The body of each write is
# valid, so that what answers is the permission (403), the stage (422) or the service.

A_PARTNERS = CASE_A - SCHOOL_A  # see case A, never change what is the school's


def write(
    about: str,
    allowed: frozenset[str],
    data: Kwargs,
    *,
    kwargs: Kwargs,
    ok: tuple[int, ...],
    forbidden: frozenset[str] = NOBODY,
    method: str = "post",
    expect: dict | None = None,
    refused: tuple[int, ...] = (403,),
) -> ApiProbe:
    return ApiProbe(
        about,
        allowed,
        kwargs=kwargs,
        method=method,
        ok=ok,
        data=data,
        forbidden=forbidden,
        expect=expect or {},
        refused=refused,
    )


def case_write(
    name: str,
    data: Kwargs,
    *,
    on_a: tuple[frozenset[str], tuple[int, ...]] | None = None,
    on_b: tuple[frozenset[str], tuple[int, ...]] | None = None,
    method: str = "post",
    expect_a: dict | None = None,
) -> list[ApiProbe]:
    """A write on case A and/or case B: (the roles that may do it, what they get); the others
    who see the case get 403; a case of region 2 and no such case give 404 to everyone."""
    probes = []
    for label, case, sees, spec, expect in (
        ("school A's case (aftercare)", _a, CASE_A, on_a, expect_a),
        ("school B's case (consultation)", _b, CASE_B, on_b, None),
    ):
        if spec is None:
            continue
        allowed, ok = spec
        probes.append(
            write(
                f"{name} on {label}",
                allowed,
                data,
                kwargs=_on_case(case),
                ok=ok,
                forbidden=sees - allowed,
                method=method,
                expect=expect,
            )
        )
    probes.append(
        write(
            f"{name} on a case of region 2",
            NOBODY,
            data,
            kwargs=_on_case(_case2),
            ok=(),
            method=method,
        )
    )
    return probes


def _list_and_write(name: str, writes: list[ApiProbe]) -> None:
    API_MATRIX[f"case-{name}"] = API_MATRIX[f"case-{name}"] + writes


# POST /cases/{caseId}/<list>
_list_and_write(
    "involvements",
    case_write(
        "record SWV's involvement",
        lambda w: {
            "organisation": w.r.swv.pk,
            "personName": "S. Verband",
            "involvedOn": TODAY_ISO,
            "advice": "Geen extra ondersteuning nodig.",
            "legalBasis": "legal_task",
        },
        # The school records any asked organisation's involvement, a partner only its own.
        on_a=(SCHOOL_A | {"swv_officer"}, (201,)),
        # DEFECT (reported to the lead): the work service and the route coordinator see case A
        # but may not record any involvement; they get 400 (organisation not a choice) instead
        # of 403, because api/actions.py validates the form before the allowed() check.
        expect_a={
            # RMC and Leerplicht may record their own involvement, not SWV's: the organisation
            # is not one of their choices.
            "rmc_officer": (400, 403),
            "leerplicht_officer": (400, 403),
        },
    ),
)
_list_and_write(
    "aba-applications",
    case_write(
        "file an ABA",
        lambda w: {"submittedOn": TODAY_ISO},
        on_a=(SCHOOL_A, (422,)),  # R-STAGE: before outflow only
        # The service refuses a second ABA while the first (`aba_b`) has no decision yet.
        on_b=(SCHOOL_B, (422,)),
    ),
)
_list_and_write(
    "provisions",
    case_write(
        "record a provision",
        lambda w: {"kind": "job_coaching", "status": "requested", "statusOn": TODAY_ISO},
        on_a=(WORK, (201,)),
    ),
)
_list_and_write(
    "employments",
    case_write(
        "record a job",
        lambda w: {
            "employer": w.extra["employer"].pk,
            "kind": "permanent",
            "startsOn": TODAY_ISO,
            "hoursPerWeek": 24,
        },
        on_a=(WORK, (201,)),
    ),
)
_list_and_write(
    "exemptions",
    case_write(
        "record an exemption decision",
        lambda w: {"reference": "LP-2025-2", "decidedOn": TODAY_ISO, "endsOn": "2025-07-31"},
        on_a=(SCHOOL_A | LEERPLICHT, (201,)),
    ),
)
_list_and_write(
    "self-reports",
    case_write(
        "record a self-report",
        lambda w: {"kind": "contract_ending", "channel": "phone", "message": "Contract stopt."},
        on_a=(WORK, (201,)),
    ),
)
_list_and_write(
    "signals",
    case_write(
        "ask the work service to contact the youth",
        lambda w: {"note": "Graag opnieuw contact opnemen."},
        on_a=(SCHOOL_A, (201,)),
    ),
)
_list_and_write(
    "follow-up-contacts",
    case_write(
        "record a follow-up contact",
        lambda w: {
            "contactOn": TODAY_ISO,
            "withWhom": "youth",
            "situation": "working_same_employer",
        },
        on_a=(WORK_SERVICE, (201,)),
    ),
)
_list_and_write(
    "monitoring-notes",
    case_write(
        "add a monitoring note", lambda w: {"text": "Nog steeds aan het werk."}, on_a=(RMC, (201,))
    ),
)

# POST/PUT /cases/{caseId}/<step>
API_MATRIX.update(
    {
        "case-involvement-requests": case_write(
            "ask SWV to take part",
            lambda w: {"organisation": w.r.swv.pk},
            on_b=(SCHOOL_B, (201,)),
        ),
        "case-agenda-items": case_write(
            "put the youth on the planned meeting",
            lambda w: {"meeting": w.extra["planned"].pk},
            on_a=(SCHOOL_A, (422,)),  # R-STAGE: before outflow only
            on_b=(SCHOOL_B, (201,)),
        ),
        "case-aba-skip": case_write(
            "skip the ABA",
            lambda w: {"reason": "Geen arbeidsbeperking: het ABA is niet nodig."},
            on_a=(SCHOOL_A, (422,)),
            on_b=(SCHOOL_B, (200,)),
        ),
        "case-practice-route": case_write(
            "record the praktijkroute", lambda w: {"on": TODAY_ISO}, on_a=(WORK, (200,))
        ),
        "case-handover": case_write(
            "record the warm handover",
            lambda w: {
                "receivingOrganisation": w.r.work_service.pk,
                "receivingPerson": "K. Manager",
                "handedOverOn": TODAY_ISO,
                "form": "meeting",
                "legalBasis": "legal_task",
            },
            method="put",
            on_a=(SCHOOL_A, (422,)),
            on_b=(SCHOOL_B, (200,)),
        ),
        "case-guardians": case_write(
            "record the guardians' involvement",
            lambda w: {"involved": "yes"},
            method="put",
            on_a=(SCHOOL_A, (200,)),
            on_b=(SCHOOL_B, (200,)),
        ),
        "case-outflow": case_write(
            "record outflow",
            lambda w: {"outflowOn": TODAY_ISO, "deregisteredOn": TODAY_ISO},
            on_a=(SCHOOL_A, (422,)),  # R-STAGE: already in aftercare
            on_b=(SCHOOL_B, (422,)),  # R-OVL-*, R-HO-1, R-UIT-1 not met
        ),
        "case-withdrawal": case_write(
            "withdraw the case",
            lambda w: {"reason": "De jongere is verhuisd."},
            on_a=(SCHOOL_A, (422,)),
            on_b=(SCHOOL_B, (200,)),
        ),
        "case-job-loss-threats": case_write(
            "record a threat of job loss",
            lambda w: {"note": "Het contract wordt niet verlengd."},
            on_a=(WORK, (201,)),
            on_b=(SCHOOL_B, (422,)),  # R-STAGE: once the youth works
        ),
        "case-follow-up-end": case_write(
            "end the work service's follow-up",
            lambda w: {"endedOn": TODAY_ISO, "reason": "Vaste baan, geen ondersteuning nodig."},
            on_a=(WORK_SERVICE, (200,)),
        ),
    }
)

# PATCH /<resource>/{id}
API_MATRIX["aba-applications-detail"] += [
    write(
        "record UWV's receipt of school B's ABA",
        SCHOOL_B,
        lambda w: {"receivedOn": TODAY_ISO},
        kwargs=lambda w: {"pk": w.extra["aba_b"].pk},
        ok=(200,),
        forbidden=COORDINATOR,
        method="patch",
    ),
    write(
        "record UWV's receipt of an ABA in region 2",
        NOBODY,
        lambda w: {"receivedOn": TODAY_ISO},
        kwargs=lambda w: {"pk": w.extra["aba2"].pk},
        ok=(),
        method="patch",
    ),
]
_CHECKIN = {"recordedOn": TODAY_ISO, "contactMade": "yes", "situation": "working_same_employer"}
API_MATRIX["check-ins-detail"] += [
    write(
        "record school A's check-in (the school only)",
        SCHOOL_A,
        lambda w: _CHECKIN,
        kwargs=lambda w: {"pk": w.case_a.checks.order_by("due_on")[0].pk},
        ok=(200,),
        forbidden=A_PARTNERS,
        method="patch",
    ),
    write(
        "record a check-in in region 2",
        NOBODY,
        lambda w: _CHECKIN,
        kwargs=lambda w: {"pk": w.extra["case2"].checks.order_by("due_on")[0].pk},
        ok=(),
        method="patch",
    ),
]

# POST /<resource>/{id}/<step>
API_MATRIX.update(
    {
        "step-handover-accept": [
            # R-HO-1: the receiving organisation accepts.
            write(
                "accept school A's handover",
                WORK_SERVICE,
                none,
                kwargs=lambda w: {"pk": w.case_a.handover.pk},
                ok=(201,),
                forbidden=CASE_A - WORK_SERVICE,
            ),
            write(
                "accept a handover in region 2",
                NOBODY,
                none,
                kwargs=lambda w: {"pk": w.extra["case2"].handover.pk},
                ok=(),
            ),
        ],
    }
)
for _name, _data in (
    ("step-signal-acknowledge", none),
    ("step-signal-resolve", lambda w: {"note": "De jongere gesproken; werkt weer."}),
):
    # Only the organisation a signal is addressed to sees it, and so changes it.
    API_MATRIX[_name] = [
        write(
            "a signal to the work service",
            WORK_SERVICE,
            _data,
            kwargs=lambda w: {"pk": w.extra["signal_ws"].pk},
            ok=(201,),
        ),
        write(
            "a signal to school A",
            SCHOOL_A,
            _data,
            kwargs=lambda w: {"pk": w.extra["signal_school"].pk},
            ok=(201,),
        ),
        write(
            "a signal in region 2",
            NOBODY,
            _data,
            kwargs=lambda w: {"pk": w.extra["signal_ws2"].pk},
            ok=(),
        ),
    ]

# --- writes on meetings and employers (api/meeting_views.py) ------------------------------------
# A meeting of the region is seen by every meeting role; the route coordinator of the region
# manages it, the others who see it get 403. An agenda item (and its advice, decision, actions)
# is seen only by whoever sees its case: school B's youth Bram is on `held_b`.
MEETING_OTHERS = MEETING_ROLES - COORDINATOR


def _meeting(key: str) -> Kwargs:
    return lambda w: {"pk": (w.extra[key] if key in w.extra else getattr(w, key)).pk}


def meeting_write(
    about: str, data: Kwargs, here: Kwargs, there: Kwargs, *, ok=(201,), method="post", **kw
) -> list[ApiProbe]:
    return [
        write(f"{about}, region 1", COORDINATOR, data, kwargs=here, ok=ok, method=method, **kw),
        write(f"{about}, region 2", NOBODY, data, kwargs=there, ok=(), method=method),
    ]


API_MATRIX["outflow-meetings-list"] += [
    # The region is no secret (its organisations are listed to everyone in it), so a person
    # who is not its route coordinator is refused with 403, as for region 2 for everyone.
    write(
        "plan a meeting in region 1",
        COORDINATOR,
        lambda w: {"region": w.r.region.pk, "scheduledOn": TODAY_ISO, "place": "Stadhuis"},
        kwargs=none,
        ok=(201,),
        forbidden=EVERYONE - COORDINATOR,
    ),
    write(
        "plan a meeting in region 2",
        NOBODY,
        lambda w: {"region": w.r2.region.pk, "scheduledOn": TODAY_ISO},
        kwargs=none,
        ok=(),
        forbidden=EVERYONE,
    ),
]
API_MATRIX["employers-list"] += [
    # Everyone who works on cases adds an employer (as on the employers page).
    write(
        "add an employer",
        CASE_ROLES,
        lambda w: {"name": "Bakkerij De Korenschoof", "kvkNumber": "87654321"},
        kwargs=none,
        ok=(201,),
        forbidden=EVERYONE - CASE_ROLES,
    )
]
API_MATRIX.update(
    {
        "outflow-meeting-participants": meeting_write(
            "add a participant",
            lambda w: {"organisation": w.r.rmc.pk, "personName": "R. Monitor"},
            _meeting("meeting"),
            _meeting("meeting2"),
            forbidden=MEETING_OTHERS,
        ),
        "outflow-meeting-holding": meeting_write(
            "hold a planned meeting",
            lambda w: {"heldOn": TODAY_ISO},
            _meeting("planned"),
            _meeting("planned2"),
            ok=(200,),
            forbidden=MEETING_OTHERS,
        ),
        "outflow-meeting-minutes": meeting_write(
            "write the minutes",
            lambda w: {"minutes": "Drie jongeren besproken."},
            _meeting("meeting"),
            _meeting("meeting2"),
            ok=(200,),
            method="put",
            forbidden=MEETING_OTHERS,
        ),
        "agenda-item-advice": [
            # A partner gives its own organisation's advice, the coordinator anyone's.
            write(
                "school B's advice on its youth",
                CASE_B,
                lambda w: {"organisation": w.r.other_school.pk, "text": "Werk past."},
                kwargs=_meeting("item_b"),
                ok=(201,),
            ),
            write(
                "advice on a youth of region 2",
                NOBODY,
                lambda w: {"organisation": w.r2.school.pk, "text": "Werk past."},
                kwargs=_meeting("item2"),
                ok=(),
            ),
        ],
        "agenda-item-decision": meeting_write(
            # R-OVL-4: another profile than work withdraws the case with the reason.
            "decide further education for school B's youth",
            lambda w: {"outflowProfile": "education", "reason": "Eerst een mbo-opleiding."},
            _meeting("item_b"),
            _meeting("item2"),
            method="put",
            forbidden=SCHOOL_B,
        ),
        "agenda-item-actions": meeting_write(
            "agree an action on school B's youth",
            lambda w: {
                "description": "Proefplaatsing regelen.",
                "ownerOrganisation": w.r.other_school.pk,
                "dueOn": (TODAY + dt.timedelta(days=14)).isoformat(),
            },
            _meeting("item_b"),
            _meeting("item2"),
            forbidden=SCHOOL_B,
        ),
        "meeting-action-completion": [
            # The owning organisation or the route coordinator marks an action done.
            write(
                "an action owned by school A",
                SCHOOL_A | COORDINATOR,
                none,
                kwargs=_meeting("action"),
                ok=(200,),
                forbidden=CASE_A - SCHOOL_A - COORDINATOR,
            ),
            write("an action in region 2", NOBODY, none, kwargs=_meeting("action2"), ok=()),
        ],
        "employment-end": [
            # The school of the case or the work service, as for recording the job.
            write(
                "end school A's youth's job",
                WORK,
                lambda w: {"endedOn": TODAY_ISO},
                kwargs=lambda w: {"pk": w.case_a.employments.get().pk},
                ok=(200,),
                forbidden=CASE_A - WORK,
            ),
            write(
                "end a job in region 2",
                NOBODY,
                lambda w: {"endedOn": TODAY_ISO},
                kwargs=lambda w: {"pk": w.extra["case2"].employments.get().pk},
                ok=(),
            ),
        ],
    }
)


def api_url_names() -> set[str]:
    return {n.removeprefix("api:") for n in all_url_names() if n.startswith("api:")}


def test_every_api_url_has_a_row():
    names = api_url_names()
    missing = sorted(names - set(API_MATRIX))
    assert not missing, f"API URLs without a row in the API access matrix: {missing}"
    stale = sorted(set(API_MATRIX) - names)
    assert not stale, f"rows for API URLs that no longer exist: {stale}"


@pytest.fixture
def world(db):
    with time_machine.travel(dt.datetime(2025, 3, 10, 10, 0, tzinfo=AMSTERDAM), tick=False):
        yield build_api_world()


@pytest.fixture
def clients(world, api) -> dict[str, APIClient]:
    """A client with a personal read-and-write token for every role of region 1."""
    made = {role: api(getattr(world.r, role)) for role in ROLES}
    for client in made.values():
        client.raise_request_exception = False  # a server error is a finding, not a crash
    return made


def _url(name: str, probe: ApiProbe, world: World) -> str:
    url = reverse(f"api:{name}", kwargs=probe.kwargs(world))
    query = probe.query(world)
    return f"{url}?{urlencode(query)}" if query else url


def _call(client: APIClient, probe: ApiProbe, url: str, world: World):
    """One request, undone afterwards, so that every role meets the same world."""
    cache.clear()
    with transaction.atomic():
        if probe.method == "get":
            response = client.get(url)
        else:
            response = getattr(client, probe.method)(url, probe.data(world), format="json")
        transaction.set_rollback(True)
    return response


def _problem_faults(response) -> str:
    """What is wrong with an error answer: it must be problem+json with its status."""
    if not response["Content-Type"].startswith(PROBLEM):
        return f"Content-Type {response['Content-Type']}"
    body = response.json()
    if body.get("status") != response.status_code:
        return f"problem status {body.get('status')}"
    return ""


def _detail(response) -> str:
    if getattr(response, "exc_info", None):
        return f" ({response.exc_info[1]!r})"
    if response.status_code >= 400 and response["Content-Type"].startswith(PROBLEM):
        return f" ({response.json().get('detail')})"
    return ""


def test_api_matrix(world, clients):
    """Every row against one world: each request is rolled back (_call), so every row and role
    meets the same data, and the world is built once instead of once per row."""
    failures: list[str] = []
    for name in sorted(API_MATRIX):
        failures.extend(_row_failures(name, world, clients))
    assert not failures, "\n".join(failures)


def _row_failures(name: str, world, clients) -> list[str]:
    failures: list[str] = []
    anonymous_client = APIClient(raise_request_exception=False)
    for probe in API_MATRIX[name]:
        url = _url(name, probe, world)
        where = f"{probe.method.upper()} {url} ({probe.about})"
        anonymous = _call(anonymous_client, probe, url, world)
        if probe.public:
            if anonymous.status_code not in probe.ok:
                failures.append(f"{where}: anonymous got {anonymous.status_code}")
        elif anonymous.status_code != 401:
            failures.append(f"{where}: anonymous got {anonymous.status_code}, not 401")
        elif fault := _problem_faults(anonymous):
            failures.append(f"{where}: anonymous 401 is not a problem: {fault}")
        for role in ROLES:
            response = _call(clients[role], probe, url, world)
            status = response.status_code
            expected = probe.expected(role)
            if status not in expected:
                failures.append(
                    f"{where}: {role} got {status}{_detail(response)}, expected {expected}"
                )
                continue
            if status >= 400 and (fault := _problem_faults(response)):
                failures.append(f"{where}: {role}'s {status} is not a problem: {fault}")
            if probe.rows is not None and status == 200:
                body = response.json()
                count = body["count"] if isinstance(body, dict) else len(body)
                if role in probe.rows and count == 0:
                    failures.append(f"{where}: {role} got no rows, expected at least one")
                elif role not in probe.rows and count:
                    failures.append(f"{where}: {role} got {count} row(s), expected none")
    return failures


def test_a_hidden_youth_in_the_body_reads_as_no_such_youth(world, clients):
    """POST /cases names the youth in the body: for a youth of another school the answer is the
    same as for a youth that does not exist, so it tells nothing about who is at school A."""

    def answer(student_id: int) -> dict:
        response = clients["other_coordinator"].post(
            "/api/v1/cases", {"student": student_id, "openedOn": TODAY_ISO}, format="json"
        )
        assert response.status_code == 400
        body = response.json()
        body.pop("instance")
        return body

    assert answer(world.extra["fresh_a"].pk) == answer(MISSING)
    assert not world.extra["fresh_a"].cases.exists()


# --- field level: the PGN -------------------------------------------------------------------------


def test_the_pgn_shows_only_to_school_and_work_service_roles(world, clients):
    """The BSN/education number only for school and work-service roles (the SWV may not use it
    by law): in a student's record and the student list it is there for exactly them; no other
    answer about the youth carries it to anyone else."""
    student = world.case_a.student
    student.pgn = "123456782"
    student.save(update_fields=["pgn"])
    exact = [f"/api/v1/students/{student.pk}", "/api/v1/students?q=Amira"]
    at_most = [
        f"/api/v1/cases?student={student.pk}",
        f"/api/v1/cases/{world.case_a.pk}",
        f"/api/v1/outflow-meetings/{world.meeting.pk}",
        f"/api/v1/cases/{world.case_a.pk}/timeline-events",
    ]
    for url in exact + at_most:
        seen_by = set()
        for role in ROLES:
            response = clients[role].get(url)
            if response.status_code == 200 and "123456782" in response.content.decode():
                seen_by.add(role)
        if url in exact:
            assert seen_by == PGN_ROLES, url
        else:
            assert seen_by <= PGN_ROLES, url


def test_a_meeting_names_only_the_youth_the_reader_may_see(world, clients):
    """School B's youth is on the agenda of a held meeting of region 1: school A and the
    partners see the meeting, not that youth."""
    url = f"/api/v1/outflow-meetings/{world.extra['held_b'].pk}"
    for role in MEETING_ROLES:
        response = clients[role].get(url)
        assert response.status_code == 200, role
        cases = {item["case"] for item in response.json()["agendaItems"]}
        assert (world.case_b.pk in cases) == (role in CASE_B), role
        assert ("Bakker" in response.content.decode()) == (role in CASE_B), role
