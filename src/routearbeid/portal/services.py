"""Writes of the report page: the school makes, renews and revokes the youth's link; the youth
reports through it (R-NZ-4) and reading the page is logged."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from routearbeid.aftercare import services as aftercare_services
from routearbeid.aftercare.constants import ReportChannel
from routearbeid.aftercare.models import SelfReport
from routearbeid.core.errors import DomainError
from routearbeid.organisations.actors import as_actor
from routearbeid.processing_log.services import case_processing_log
from routearbeid.route import permissions
from routearbeid.route import services as route_services
from routearbeid.route.constants import Stage
from routearbeid.route.models import Case
from routearbeid.route.timeline import timeline_append

from .models import PortalLink

ACTIVITY = "portal.self_report"
# A link is made from the warm handover on (the handover document carries it) until aftercare ends.
LINK_STAGES = (Stage.HANDOVER, Stage.OUTFLOW, Stage.AFTERCARE)
DEMO_TOKEN = "demo-jongere"  # core.demo only; every other token comes from secrets


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewLink:
    """A link just made, with its token: the only moment the token exists outside the youth's hands."""

    link: PortalLink
    token: str


def _revoke_active(case: Case, user) -> PortalLink | None:
    link = PortalLink.objects.filter(case=case, revoked_at__isnull=True).first()
    if link is not None:
        link.revoked_at = timezone.now()
        link.revoked_by = user
        link.save(update_fields=["revoked_at", "revoked_by"])
    return link


def _school_case(actor, case_id: int) -> Case:
    case = route_services.case_for_change(actor, case_id)
    if not permissions.may_manage_case(actor, case):
        raise permissions.deny(_("Only the youth's school gives out the report page link."))
    return case


@transaction.atomic
def portal_link_renew(*, actor, case_id: int, token: str | None = None) -> NewLink:
    """A new link for the youth; an active one stops working. `token` only for the demo.

    The case row is locked first (case_for_change), so two clicks at once take turns: the second
    revokes the first's link. Where the lock does not hold (SQLite ignores FOR UPDATE) the second
    one hits the one-active-link constraint and gets a message instead of an error page."""
    actor = as_actor(actor)
    case = _school_case(actor, case_id)  # locked: select_for_update
    if case.stage not in LINK_STAGES:
        raise DomainError(
            _("A report page link is made from the warm handover until aftercare ends.")
        )
    _revoke_active(case, actor.user)
    token = token or secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            link = PortalLink.objects.create(
                case=case,
                token_hash=token_hash(token),
                created_at=timezone.now(),
                created_by=actor.user,
            )
    except IntegrityError:
        raise DomainError(
            _("A new link was just made for this youth at the same moment. Reload the page.")
        ) from None
    timeline_append(case=case, actor=actor, kind="portal_link_made")  # R-END-2
    case_processing_log(actor, case, ACTIVITY, "create")
    return NewLink(link=link, token=token)


@transaction.atomic
def portal_link_revoke(*, actor, case_id: int) -> PortalLink:
    actor = as_actor(actor)
    case = _school_case(actor, case_id)
    link = _revoke_active(case, actor.user)
    if link is None:
        raise DomainError(_("There is no active link to revoke."))
    timeline_append(case=case, actor=actor, kind="portal_link_revoked")  # R-END-2
    case_processing_log(actor, case, ACTIVITY, "update")
    return link


def portal_link_for_document(*, actor, case: Case) -> NewLink | PortalLink | None:
    """For the handover document: a new link when the school makes it and none is active (the
    token is printed on it once); otherwise the active link (its token cannot be shown again)."""
    actor = as_actor(actor)
    active = PortalLink.objects.filter(case=case, revoked_at__isnull=True).first()
    if active is not None:
        return active
    if not permissions.may_manage_case(actor, case) or case.stage not in LINK_STAGES:
        return None
    return portal_link_renew(actor=actor, case_id=case.pk)


def portal_page_read(*, case: Case) -> None:
    """The youth opened their page: a read of their data, by themselves (no actor)."""
    case_processing_log(None, case, ACTIVITY, "read")


def portal_report_submit(
    *, case: Case, kind: str, message: str = "", contact_phone: str = ""
) -> SelfReport:
    """R-NZ-4: the youth's own report; the school is signalled, the work service on job loss."""
    return aftercare_services.self_report_record(
        actor=None,
        case_id=case.pk,
        kind=kind,
        channel=ReportChannel.PORTAL,
        message=message,
        contact_phone=contact_phone,
    )
