"""The register of processing activities: what personal data is processed for, on what legal basis."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from routearbeid.organisations.constants import OrganisationKind


@dataclass(frozen=True)
class Activity:
    code: str
    name: str | Promise
    purpose: str | Promise
    legal_basis: str | Promise
    # The kind of organisation whose own task this is, for youth it has no involvement or
    # handover link to (the RMC's monitoring list, the route coordination's agendas). A record
    # of this activity is logged under the actor's seat of this kind, and a privacy officer of
    # such an organisation answers for the youth it names (privacy.selectors).
    owner_kind: str = ""


_PUBLIC_TASK = _("public task (GDPR art. 6(1)(e))")
_LEGAL_OBLIGATION = _("legal obligation (GDPR art. 6(1)(c))")

ACTIVITIES = {
    a.code: a
    for a in [
        Activity(
            "route.case",
            _("Route Arbeid case"),
            _("Guide the youth from ISK into work"),
            _PUBLIC_TASK,
        ),
        Activity(
            "route.involvement",
            _("Partner involvement"),
            _("Multi-agency consultation"),
            _PUBLIC_TASK,
        ),
        Activity(
            "route.handover",
            _("Warm handover"),
            _("Hand the youth over to the municipality"),
            _PUBLIC_TASK,
        ),
        Activity(
            "route.outflow", _("Outflow"), _("The youth leaves school for work"), _PUBLIC_TASK
        ),
        Activity(
            "meetings.agenda",
            _("Outflow meeting"),
            _("Decide the outflow profile"),
            _PUBLIC_TASK,
            owner_kind=OrganisationKind.ROUTE_COORDINATION,
        ),
        Activity(
            "employment.record",
            _("Work and provisions"),
            _("Support the youth at work"),
            _PUBLIC_TASK,
        ),
        Activity(
            "aftercare.checkin",
            _("Aftercare check-in, school"),
            _("Aftercare by the school"),
            _PUBLIC_TASK,
        ),
        Activity(
            "aftercare.signal", _("Signals"), _("Act on time on what needs action"), _PUBLIC_TASK
        ),
        Activity(
            "aftercare.follow_up",
            _("Follow-up by the work service"),
            _("Follow how work goes after the handover"),
            _PUBLIC_TASK,
            owner_kind=OrganisationKind.WORK_SERVICE,
        ),
        Activity(
            "aftercare.monitoring",
            _("RMC monitoring"),
            _("Monitor youth without startkwalificatie until the age limit (R-RMC-1)"),
            _PUBLIC_TASK,
            owner_kind=OrganisationKind.RMC,
        ),
        Activity(
            "students.student",
            _("Student file"),
            _("Know which youth the route concerns"),
            _PUBLIC_TASK,
        ),
        # The privacy officer's own processing: accountability, the right of access, retention.
        Activity(
            "privacy.log_review",
            _("Processing log review"),
            _("Check who processed a youth's data (accountability, GDPR art. 5(2))"),
            _LEGAL_OBLIGATION,
        ),
        Activity(
            "privacy.access_request",
            _("Request for access (inzage)"),
            _("Give the youth everything stored about them (GDPR art. 15)"),
            _LEGAL_OBLIGATION,
        ),
        Activity(
            "privacy.retention",
            _("Retention"),
            _("Anonymise case data when the retention period has ended (GDPR art. 5(1)(e))"),
            _LEGAL_OBLIGATION,
        ),
        # A call to the API that touched no youth (a list of organisations, a refused call): every
        # call is in the log (routearbeid.api.views); calls that touch youth log those instead.
        Activity(
            "api.call",
            _("API call"),
            _("Account for every use of the API by programs (GDPR art. 32)"),
            _LEGAL_OBLIGATION,
        ),
        # The youth's own report page (/melden/): the youth reads what is recorded about them
        # (actor None), the school makes and revokes the link.
        Activity(
            "portal.self_report",
            _("The youth's own report page"),
            _("Let the youth report changes and see what is recorded about them"),
            _PUBLIC_TASK,
        ),
    ]
}
