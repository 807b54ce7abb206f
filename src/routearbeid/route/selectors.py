"""Reads of cases, always scoped to the acting user (domain.md, "Who sees what")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.functional import Promise

from routearbeid.core.dates import add_years, today
from routearbeid.core.errors import NotFound
from routearbeid.meetings.models import AgendaItem
from routearbeid.organisations.actors import Actor, as_actor
from routearbeid.organisations.constants import Role
from routearbeid.processing_log.services import processing_log_record

from . import machine
from .constants import Stage
from .models import Case, Handover, Involvement, TimelineEvent
from .permissions import HANDOVER_RECEIVING_ROLES
from .rules import KWALIFICATIEPLICHT_AGE, CaseFacts, RuleCheck


def _linked(model, field: str, ids: set[int]) -> Q:
    """The case has a row in `model` whose `field` is one of `ids` (one Exists subquery)."""
    return Q(Exists(model.objects.filter(case=OuterRef("pk"), **{f"{field}__in": ids})))


def visible_cases_q(actor: Actor, *, on: dt.date | None = None) -> Q | None:
    """The condition on Case that the actor's roles allow; None when they allow nothing.

    Each link (involvement, handover, agenda) is an Exists subquery: no query per row or seat.
    """
    on = on or today()
    parts: list[Q] = []

    if actor.school_ids:
        parts.append(Q(student__school_id__in=actor.school_ids))

    # Work service, RMC and SWV see the cases their organisation is asked to take part in.
    involved_ids = actor.organisation_ids(
        Role.WORK_SERVICE_MANAGER, Role.RMC_OFFICER, Role.SWV_OFFICER
    )
    if involved_ids:
        parts.append(_linked(Involvement, "organisation_id", involved_ids))

    # R-HO-1: from the handover on, the receiving organisation (work service or another party)
    # can see the case; its administrators still see no case data.
    receiving_ids = actor.organisation_ids(*HANDOVER_RECEIVING_ROLES)
    if receiving_ids:
        parts.append(_linked(Handover, "receiving_organisation_id", receiving_ids))

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
    leerplicht: dict[str, set[int]] = {}
    for seat in actor.seats:
        if seat.role == Role.LEERPLICHT_OFFICER and seat.municipality:
            leerplicht.setdefault(seat.municipality, set()).add(seat.organisation_id)
    if leerplicht:
        # under 18: born after the day 18 years ago
        under_age = Q(student__date_of_birth__gt=add_years(on, -KWALIFICATIEPLICHT_AGE))
        own = Q()
        for municipality, org_ids in leerplicht.items():
            own |= Q(student__municipality=municipality) & _linked(
                Involvement, "organisation_id", org_ids
            )
        parts.append(under_age & own)

    regions = actor.region_ids(Role.ROUTE_COORDINATOR)
    if regions:
        parts.append(_linked(AgendaItem, "meeting__region_id", regions))

    if not parts:
        return None
    condition = parts[0]
    for p in parts[1:]:
        condition |= p
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
        case = visible_cases(actor).select_related("student", "student__school__region").get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound("not found") from None
    if log:
        processing_log_record(actor=actor, operation="read", activity="route.case", student_ids=[case.student_id])
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
        params = machine.Params(on=on, outflow_on=on, deregistered_on=on) if t is machine.OUTFLOW else machine.Params(on=on)
        result.append(StepReadiness(t.name, t.label, t.target, machine.evaluate(t, facts, params)))
    return result
