"""Reads of employers and the youth placed there, scoped to the acting user.

Employers themselves hold no personal data of youth and are shared by the whole region; who works
there is personal data, so counts, contract ends and names come only from employments on cases the
actor may see (`route.selectors.visible_cases`).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Count,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from routearbeid.core.dates import add_months, today
from routearbeid.core.errors import NotFound
from routearbeid.organisations.actors import Actor, as_actor
from routearbeid.route.selectors import visible_cases

from .constants import EmploymentKind
from .models import Employer, Employment

SEARCH_MAX_LENGTH = 100
SORTS = ("name", "end")
DEFAULT_NOTICE_MONTHS = 3  # R-NZ-5 (setting: Region.contract_end_notice_months)


def _require_case_role(actor: Actor) -> None:
    """Every case role sees the employer pages; an administrator or route coordinator does not."""
    if not actor.works_on_cases:
        raise NotFound("not found")


def current_q(on: dt.date, prefix: str = "") -> Q:
    """The job has not ended: no actual end date, and its contract end (if any) is not past."""
    return Q(**{f"{prefix}ended_on__isnull": True}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": on})
    )


def visible_employments(actor) -> QuerySet[Employment]:
    """The jobs on cases the actor may see."""
    actor = as_actor(actor)
    return Employment.objects.filter(case__in=visible_cases(actor).values("pk"))


def employer_list(
    *, actor, search: str = "", sort: str = "name", on: dt.date | None = None
) -> QuerySet[Employer]:
    """Employers, searchable by name or KvK number, each with the number of youth currently placed
    there and their nearest contract end, both counted only from cases the actor may see.

    One query for any number of employers: the two figures are correlated subqueries.
    """
    actor = as_actor(actor)
    _require_case_role(actor)
    on = on or today()
    current = visible_employments(actor).filter(current_q(on), employer=OuterRef("pk"))
    youth_count = (
        current.order_by()
        .values("employer")
        .annotate(n=Count("case__student", distinct=True))
        .values("n")[:1]
    )
    nearest_end = (
        current.filter(ends_on__isnull=False)
        .order_by()
        .values("employer")
        .annotate(end=Min("ends_on"))
        .values("end")[:1]
    )
    qs = Employer.objects.annotate(
        youth_count=Coalesce(Subquery(youth_count, output_field=IntegerField()), Value(0)),
        nearest_end=Subquery(nearest_end),
    )
    search = (search or "").strip()[:SEARCH_MAX_LENGTH]
    if search:
        digits = search.replace(" ", "")
        condition = Q(name__icontains=search)
        if digits.isdigit():
            condition |= Q(kvk_number__startswith=digits)
        qs = qs.filter(condition)
    if sort == "end":
        qs = qs.order_by(F("nearest_end").asc(nulls_last=True), "name", "id")
    else:
        qs = qs.order_by("name", "id")
    return qs


def employer_get(*, actor, employer_id: int) -> Employer:
    actor = as_actor(actor)
    _require_case_role(actor)
    try:
        return Employer.objects.get(pk=employer_id)
    except (Employer.DoesNotExist, ValueError, TypeError):
        raise NotFound("not found") from None


def employer_placements(*, actor, employer: Employer) -> QuerySet[Employment]:
    """The jobs at this employer on cases the actor may see, with the youth (one query)."""
    actor = as_actor(actor)
    _require_case_role(actor)
    return (
        visible_employments(actor)
        .filter(employer=employer)
        .select_related("case__student__school__region")
        .order_by("case__student__last_name", "case__student__first_name", "-starts_on", "id")
    )


def notice_months(actor) -> int:
    """R-NZ-5: the contract end notice of the actor's region(s) (default 3 months)."""
    from routearbeid.organisations.models import Region

    actor = as_actor(actor)
    months = Region.objects.filter(pk__in=actor.region_ids()).aggregate(
        m=Max("contract_end_notice_months")
    )["m"]
    return months or DEFAULT_NOTICE_MONTHS


def ends_within(ends_on: dt.date | None, on: dt.date, months: int) -> bool:
    return ends_on is not None and on <= ends_on <= add_months(on, months)


def ends_soon(employment: Employment, on: dt.date) -> bool:
    """R-NZ-5: a current fixed-term job whose end falls within the notice period of the youth's
    region (default 3 months): time to ask about continuation."""
    if employment.kind != EmploymentKind.FIXED_TERM or employment.ended_on:
        return False
    months = employment.case.student.school.region.contract_end_notice_months
    return ends_within(employment.ends_on, on, months)
