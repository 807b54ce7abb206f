"""Who may change what on a case (the 'may change' column of domain.md's need-to-know table).

Seeing comes first: callers fetch the case through a selector, so a case the actor may not see
is already "not found" before these checks run.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from routearbeid.core.errors import PermissionDenied
from routearbeid.organisations.actors import Actor
from routearbeid.organisations.constants import CASE_ROLES, SCHOOL_ROLES, OrganisationKind, Role

from .models import Case

# R-HO-1: the receiving organisation (work service or another party) sees and accepts the
# handover through its case roles; its administrators see no case data. Schools never receive one.
HANDOVER_RECEIVING_ROLES = tuple(sorted(CASE_ROLES - SCHOOL_ROLES))

INVOLVEMENT_ROLE_BY_KIND: dict[str, str] = {
    OrganisationKind.RMC: Role.RMC_OFFICER,
    OrganisationKind.LEERPLICHT: Role.LEERPLICHT_OFFICER,
    OrganisationKind.SWV: Role.SWV_OFFICER,
    OrganisationKind.WORK_SERVICE: Role.WORK_SERVICE_MANAGER,
}


def is_case_school(actor: Actor, case: Case) -> bool:
    return case.student.school_id in actor.school_ids


def may_manage_case(actor: Actor, case: Case) -> bool:
    """The school of the student changes everything on its own cases."""
    return is_case_school(actor, case)


def may_record_involvement(actor: Actor, case: Case, organisation_id: int, kind: str) -> bool:
    if is_case_school(actor, case):
        return True
    role = INVOLVEMENT_ROLE_BY_KIND.get(kind)
    return role is not None and organisation_id in actor.organisation_ids(role)


def may_record_work_matters(actor: Actor, case: Case) -> bool:
    """Provisions, jobs, job-loss threats: the school and the work service."""
    return is_case_school(actor, case) or actor.has_role(Role.WORK_SERVICE_MANAGER)


def may_record_exemption(actor: Actor, case: Case) -> bool:
    return is_case_school(actor, case) or actor.has_role(Role.LEERPLICHT_OFFICER)


def may_accept_handover(actor: Actor, receiving_organisation_id: int) -> bool:
    return receiving_organisation_id in actor.organisation_ids(*HANDOVER_RECEIVING_ROLES)


def deny(message=None) -> PermissionDenied:
    return PermissionDenied(str(message or _("You may not make this change on this case.")))
