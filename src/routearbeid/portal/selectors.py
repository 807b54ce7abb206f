"""Reads of the report page. The token is the only key: no account, no session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max

from routearbeid.aftercare.models import AftercareCheck
from routearbeid.employment.models import Employment
from routearbeid.organisations.models import Organisation
from routearbeid.processing_log.models import ProcessingLogRecord
from routearbeid.route.constants import Stage
from routearbeid.route.models import Case, Handover

from .models import PortalLink
from .services import token_hash

# The longest token we accept; secrets.token_urlsafe(32) gives 43 characters.
MAX_TOKEN_LENGTH = 100


def portal_case_for_token(*, token: str) -> Case | None:
    """The case of an active link, or None: unknown, revoked and withdrawn look the same."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    link = (
        PortalLink.objects.filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .exclude(case__stage=Stage.WITHDRAWN)
        .select_related("case__student__school")
        .first()
    )
    return link.case if link else None


def active_link(case: Case) -> PortalLink | None:
    """The case's active link (read once per case object)."""
    if not hasattr(case, "_portal_active_link"):
        case._portal_active_link = (  # type: ignore[attr-defined]
            PortalLink.objects.filter(case=case, revoked_at__isnull=True)
            .select_related("created_by")
            .first()
        )
    return case._portal_active_link  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Looked:
    organisation: str
    times: int
    last_on: dt.datetime


@dataclass(frozen=True)
class Recorded:
    """What is recorded about the youth, in the words of the report page."""

    case: Case
    employments: list[Employment]
    handover: Handover | None
    checks_done: list[AftercareCheck]
    next_check: AftercareCheck | None
    looked: list[Looked]


def portal_recorded(*, case: Case) -> Recorded:
    checks = list(AftercareCheck.objects.filter(case=case).order_by("sequence"))
    return Recorded(
        case=case,
        employments=list(
            Employment.objects.filter(case=case).select_related("employer").order_by("starts_on")
        ),
        handover=Handover.objects.filter(case=case)
        .select_related("receiving_organisation")
        .first(),
        checks_done=[c for c in checks if c.recorded_on and c.contact_made],
        next_check=next((c for c in checks if c.recorded_on is None), None),
        looked=who_looked(student_id=case.student_id),
    )


def who_looked(*, student_id: int) -> list[Looked]:
    """The organisations that read or changed the youth's data, how often and when last: names of
    organisations only, never of people. Refused requests are not a look at the data."""
    rows = list(
        ProcessingLogRecord.objects.filter(
            subject_student_id=student_id, organisation__isnull=False
        )
        .exclude(status="denied")
        .values("organisation_id")
        .annotate(times=Count("id"), last_at=Max("at"))
        .order_by("-last_at")
    )
    names = dict(
        Organisation.objects.filter(pk__in=[r["organisation_id"] for r in rows]).values_list(
            "pk", "name"
        )
    )
    return [
        Looked(organisation=names[r["organisation_id"]], times=r["times"], last_on=r["last_at"])
        for r in rows
        if r["organisation_id"] in names
    ]
