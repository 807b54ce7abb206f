"""Kinds of organisation and the roles people have in them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    SCHOOL = "school", _("School (ISK)")
    WORK_SERVICE = "work_service", _("Work service (Halte Werk)")
    RMC = "rmc", _("RMC")
    LEERPLICHT = "leerplicht", _("Compulsory education office (Leerplicht)")
    SWV = "swv", _("Special-needs partnership (Samenwerkingsverband)")
    UWV = "uwv", _("UWV")
    ROUTE_COORDINATION = "route_coordination", _("Route coordination (Route Nieuwkomers)")


class Role(models.TextChoices):
    SCHOOL_COORDINATOR = "school_coordinator", _("School coordinator")
    MENTOR = "mentor", _("Mentor")
    WORK_SERVICE_MANAGER = "work_service_manager", _("Client manager")
    RMC_OFFICER = "rmc_officer", _("RMC officer")
    LEERPLICHT_OFFICER = "leerplicht_officer", _("Compulsory education officer")
    SWV_OFFICER = "swv_officer", _("Special-needs partnership officer")
    ROUTE_COORDINATOR = "route_coordinator", _("Route coordinator")
    FUNCTIONAL_ADMIN = "functional_admin", _("Functional administrator")
    # The organisation's data protection officer (functionaris gegevensbescherming / privacy officer):
    # searches the processing log and answers a youth's request for access (inzage). No case work.
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")


# Which role fits which kind of organisation; a membership outside this table is refused.
ROLES_BY_KIND: dict[str, set[str]] = {
    OrganisationKind.SCHOOL: {
        Role.SCHOOL_COORDINATOR,
        Role.MENTOR,
        Role.FUNCTIONAL_ADMIN,
        Role.PRIVACY_OFFICER,
    },
    OrganisationKind.WORK_SERVICE: {
        Role.WORK_SERVICE_MANAGER,
        Role.FUNCTIONAL_ADMIN,
        Role.PRIVACY_OFFICER,
    },
    OrganisationKind.RMC: {
        Role.RMC_OFFICER,
        Role.ROUTE_COORDINATOR,
        Role.FUNCTIONAL_ADMIN,
        Role.PRIVACY_OFFICER,
    },
    OrganisationKind.LEERPLICHT: {
        Role.LEERPLICHT_OFFICER,
        Role.FUNCTIONAL_ADMIN,
        Role.PRIVACY_OFFICER,
    },
    OrganisationKind.SWV: {Role.SWV_OFFICER, Role.FUNCTIONAL_ADMIN, Role.PRIVACY_OFFICER},
    OrganisationKind.UWV: {Role.FUNCTIONAL_ADMIN, Role.PRIVACY_OFFICER},
    OrganisationKind.ROUTE_COORDINATION: {
        Role.ROUTE_COORDINATOR,
        Role.FUNCTIONAL_ADMIN,
        Role.PRIVACY_OFFICER,
    },
}

SCHOOL_ROLES = {Role.SCHOOL_COORDINATOR, Role.MENTOR}
# Roles whose work is about one youth's case (everyone but the administrator and the route coordinator).
CASE_ROLES = SCHOOL_ROLES | {
    Role.WORK_SERVICE_MANAGER,
    Role.RMC_OFFICER,
    Role.LEERPLICHT_OFFICER,
    Role.SWV_OFFICER,
}
# Only school and work-service roles may see the PGN/BSN; the SWV may not use it by law.
PGN_ROLES = SCHOOL_ROLES | {Role.WORK_SERVICE_MANAGER}
