"""The register of processing activities: what personal data is processed for, on what legal basis."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Activity:
    code: str
    name: str | Promise
    purpose: str | Promise
    legal_basis: str | Promise


_PUBLIC_TASK = _("public task (GDPR art. 6(1)(e))")

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
            "meetings.agenda", _("Outflow meeting"), _("Decide the outflow profile"), _PUBLIC_TASK
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
            "students.student",
            _("Student file"),
            _("Know which youth the route concerns"),
            _PUBLIC_TASK,
        ),
    ]
}
