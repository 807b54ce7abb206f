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
from .rules import CaseFacts, RuleCheck


def visible_cases_q(actor: Actor, *, on: dt.date | None = None) -> Q | None:
    """The condition on Case that the actor's roles allow; None when they allow nothing."""
    on = on or today()
    parts: list[Q] = []

    def involved(*roles: str) -> Q | None:
        org_ids = actor.organisation_ids(*roles)
        if not org_ids:
            return None
        return Q(Exists(Involvement.objects.filter(case=OuterRef("pk"), organisation_id__in=org_ids)))

    if actor.school_ids:
        parts.append(Q(student__school_id__in=actor.school_ids))

    ws_ids = actor.organisation_ids(Role.WORK_SERVICE_MANAGER)
    if ws_ids:
        parts.append(involved(Role.WORK_SERVICE_MANAGER))
        parts.append(
            Q(Exists(Handover.objects.filter(case=OuterRef("pk"), receiving_organisation_id__in=ws_ids)))
        )

    rmc = involved(Role.RMC_OFFICER)
    if rmc is not None:
        parts.append(rmc)
        # R-RMC-1: the monitoring list of the RMC's own region
        parts.append(
            Q(
                student__school__region_id__in=actor.region_ids(Role.RMC_OFFICER),
                stage__in=[Stage.AFTERCARE, Stage.CLOSED],
                student__has_basic_qualification=False,
                rmc_monitoring_ends_on__gt=on,
            )
        )

    leerplicht = involved(Role.LEERPLICHT_OFFICER)
    if leerplicht is not None:
        municipalities = {
            s.municipality for s in actor.seats if s.role == Role.LEERPLICHT_OFFICER and s.municipality
        }
        # under 18 today: born after the date 18 years ago
        parts.append(
            leerplicht
            & Q(student__municipality__in=municipalities, student__date_of_birth__gt=add_years(on, -18))
        )

    swv = involved(Role.SWV_OFFICER)
    if swv is not None:
        parts.append(swv)

    regions = actor.region_ids(Role.ROUTE_COORDINATOR)
    if regions:
        parts.append(
            Q(Exists(AgendaItem.objects.filter(case=OuterRef("pk"), meeting__region_id__in=regions)))
        )

    parts = [p for p in parts if p is not None]
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
    if case.stage != Stage.OUTFLOW and machine.OUTFLOW not in steps and case.stage in machine.OUTFLOW.sources:
        steps.append(machine.OUTFLOW)
    result = []
    for t in steps:
        params = machine.Params(on=on, outflow_on=on, deregistered_on=on) if t is machine.OUTFLOW else machine.Params(on=on)
        result.append(StepReadiness(t.name, t.label, t.target, machine.evaluate(t, facts, params)))
    return result
