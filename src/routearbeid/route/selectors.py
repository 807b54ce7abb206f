"""Reads of cases, always scoped to the acting user (domain.md, "Who sees what")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.functional import Promise

from routearbeid.core.dates import add_years, birthday, today
from routearbeid.core.errors import NotFound
from routearbeid.meetings.models import AgendaItem
from routearbeid.organisations.actors import Actor, Seat, as_actor
from routearbeid.organisations.constants import Role
from routearbeid.processing_log.services import case_processing_log

from . import machine
from .constants import Stage
from .models import Case, Handover, Involvement, TimelineEvent
from .permissions import HANDOVER_RECEIVING_ROLES
from .rules import KWALIFICATIEPLICHT_AGE, CaseFacts, RuleCheck


def latest_birth_date(age: int, on: dt.date) -> dt.date:
    """The last date of birth of someone who is `age` or older on `on`, as `age_on` counts
    (a 29 February birthday counts on 28 February)."""
    latest = add_years(on, -age)
    next_day = latest + dt.timedelta(days=1)
    return next_day if birthday(next_day, age) <= on else latest


def _group(actor: Actor, roles, key: Callable[[Seat], tuple | None]) -> dict[tuple, set[int]]:
    """The actor's organisations in these roles, grouped by `key` (None leaves a seat out)."""
    groups: dict[tuple, set[int]] = {}
    for seat in actor.seats:
        if seat.role in roles and (k := key(seat)) is not None:
            groups.setdefault(k, set()).add(seat.organisation_id)
    return groups


def _linked(model, field: str, groups: dict[tuple, set[int]], where: Callable[..., Q]) -> Q | None:
    """Cases that have a row in `model` whose `field` is one of a group's organisations and
    that meet `where(*group key)`: one Exists subquery per group, never a query per row."""
    condition = None
    for key, ids in groups.items():
        linked = Exists(model.objects.filter(case=OuterRef("pk"), **{f"{field}__in": ids}))
        part = where(*key) & Q(linked)
        condition = part if condition is None else condition | part
    return condition


def _by_region(seat: Seat) -> tuple:
    return (seat.region_id,)


def _in_region(region_id: int) -> Q:
    return Q(student__school__region_id=region_id)


# The roles that see a case once their organisation is asked to take part (not Leerplicht: below).
INVOLVED_ROLES = (Role.WORK_SERVICE_MANAGER, Role.RMC_OFFICER, Role.SWV_OFFICER)


def visible_cases_q(actor: Actor, *, on: dt.date | None = None) -> Q | None:
    """The condition on Case that the actor's roles allow; None when they allow nothing.

    An organisation's link to a case (involvement, handover) counts only for cases of its own
    region, so that a stray link can never show a case to another region.
    """
    on = on or today()
    parts: list[Q | None] = []

    if actor.school_ids:
        parts.append(Q(student__school_id__in=actor.school_ids))

    # Work service, RMC and SWV see the cases their organisation is asked to take part in.
    involved = _group(actor, INVOLVED_ROLES, _by_region)
    parts.append(_linked(Involvement, "organisation_id", involved, _in_region))

    # R-HO-1: from the handover on, the receiving organisation (work service or another party)
    # can see the case; its administrators still see no case data.
    receiving = _group(actor, HANDOVER_RECEIVING_ROLES, _by_region)
    parts.append(_linked(Handover, "receiving_organisation_id", receiving, _in_region))

    rmc_regions = actor.region_ids(Role.RMC_OFFICER)
    if rmc_regions:
        # R-RMC-1: the monitoring list of the RMC's own region, from outflow until the age
        # limit or until a startkwalificatie is recorded
        parts.append(
            Q(
                student__school__region_id__in=rmc_regions,
                stage__in=[Stage.AFTERCARE, Stage.CLOSED],
                student__has_basic_qualification=False,
                rmc_monitoring_ends_on__gt=on,
            )
        )

    # Leerplicht: under-18 students of the office's own municipality, where that office is involved.
    leerplicht = _group(
        actor,
        (Role.LEERPLICHT_OFFICER,),
        lambda seat: (seat.region_id, seat.municipality) if seat.municipality else None,
    )
    own = _linked(
        Involvement,
        "organisation_id",
        leerplicht,
        lambda region, municipality: _in_region(region) & Q(student__municipality=municipality),
    )
    if own is not None:
        under_age = Q(student__date_of_birth__gt=latest_birth_date(KWALIFICATIEPLICHT_AGE, on))
        parts.append(under_age & own)

    regions = actor.region_ids(Role.ROUTE_COORDINATOR)
    if regions:
        on_agenda = AgendaItem.objects.filter(case=OuterRef("pk"), meeting__region_id__in=regions)
        parts.append(Q(Exists(on_agenda)))

    condition = None
    for part in parts:
        if part is not None:
            condition = part if condition is None else condition | part
    return condition


def visible_cases(actor) -> QuerySet[Case]:
    actor = as_actor(actor)
    condition = visible_cases_q(actor)
    if condition is None:
        return Case.objects.none()
    return Case.objects.filter(condition)


def case_list(*, actor, filters: dict | None = None) -> QuerySet[Case]:
    actor = as_actor(actor)
    qs = visible_cases(actor).select_related("student", "student__school")
    filters = filters or {}
    if stage := filters.get("stage"):
        qs = qs.filter(stage=stage)
    if school_id := filters.get("school_id"):
        qs = qs.filter(student__school_id=school_id)
    return qs.order_by("student__last_name", "student__first_name", "id")


def case_get(*, actor, case_id: int, log: bool = True) -> Case:
    """The case, if the actor may see it; otherwise NotFound (the same as a case that does not exist)."""
    actor = as_actor(actor)
    try:
        case = (
            visible_cases(actor)
            .select_related("student", "student__school__region")
            .get(pk=case_id)
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound("not found") from None
    if log:
        case_processing_log(actor, case, "route.case", "read")
    return case


def case_timeline(*, actor, case_id: int) -> QuerySet[TimelineEvent]:
    case = case_get(actor=actor, case_id=case_id, log=False)
    return case.events.select_related("actor", "organisation")


@dataclass(frozen=True)
class StepReadiness:
    transition: str
    label: str | Promise
    target: str
    checks: list[RuleCheck]

    @property
    def ready(self) -> bool:
        return not machine.blocking_failures(self.checks)

    @property
    def met(self) -> list[RuleCheck]:
        return [c for c in self.checks if c.met]

    @property
    def unmet(self) -> list[RuleCheck]:
        return [c for c in self.checks if not c.met]


def case_readiness(*, actor, case: Case, on: dt.date | None = None) -> list[StepReadiness]:
    """For each next step of the case: the rules met and unmet (the screens' checklist)."""
    case = case_get(actor=actor, case_id=case.pk, log=False)
    on = on or today()
    facts = CaseFacts.load(case)
    steps: list[machine.Transition] = []
    if case.stage in machine.NEXT_STEP:
        steps.append(machine.NEXT_STEP[case.stage])
    result = []
    for t in steps:
        params = (
            machine.Params(on=on, outflow_on=on, deregistered_on=on)
            if t is machine.OUTFLOW
            else machine.Params(on=on)
        )
        result.append(StepReadiness(t.name, t.label, t.target, machine.evaluate(t, facts, params)))
    return result
