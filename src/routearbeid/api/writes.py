"""Which of the screens' actions the API offers, where, and what it answers with."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from routearbeid.aftercare.models import AftercareCheck, Signal
from routearbeid.employment.models import AbaApplication
from routearbeid.route.models import Handover

from . import serializers as s
from .actions import Write


def _latest(related: str):
    return lambda case, d: getattr(case, related).order_by("-id").first()


def _case(case, d):
    return case


def _handover(case, d):
    return Handover.objects.get(case=case)


# POST /cases/{caseId}/<list>: a new row of that list
CASE_LIST_WRITES: dict[str, Write] = {
    "involvements": Write(
        "involvement-record",
        "POST",
        "consultation",
        _("Record a partner's involvement and advice"),
        s.InvolvementSerializer,
        lambda c, d: c.involvements.get(organisation_id=d["organisation"]),
        example={
            "organisation": 12,
            "personName": "J. de Vries",
            "involvedOn": "2026-10-01",
            "advice": "Werk met begeleiding van een jobcoach.",
            "legalBasis": "legal_task",
        },
    ),
    "aba-applications": Write(
        "aba-submit",
        "POST",
        "work",
        _("Record that the ABA (assessment of work ability at UWV) was filed"),
        s.AbaApplicationSerializer,
        _latest("aba_applications"),
        example={"submittedOn": "2026-10-01"},
    ),
    "provisions": Write(
        "provision",
        "POST",
        "work",
        _("Record a provision (job coach, wage cost subsidy …)"),
        s.ProvisionSerializer,
        _latest("provisions"),
        example={"kind": "job_coaching", "status": "requested", "statusOn": "2026-10-01"},
    ),
    "employments": Write(
        "employment",
        "POST",
        "work",
        _("Record a job or BBL place"),
        s.EmploymentSerializer,
        _latest("employments"),
        example={
            "employer": 4,
            "kind": "fixed_term",
            "startsOn": "2026-12-01",
            "endsOn": "2027-05-31",
            "hoursPerWeek": 24,
        },
    ),
    "exemptions": Write(
        "exemption",
        "POST",
        "leerplicht",
        _("Record an exemption decision (Leerplicht)"),
        s.ExemptionSerializer,
        _latest("exemptions"),
        example={"reference": "LP-2026-0113", "decidedOn": "2026-10-01", "endsOn": "2027-07-31"},
    ),
    "self-reports": Write(
        "self-report",
        "POST",
        "aftercare",
        _("Record what the youth reported"),
        s.SelfReportSerializer,
        _latest("self_reports"),
        example={"kind": "contract_ending", "channel": "phone", "message": "Mijn contract stopt."},
    ),
    "signals": Write(
        "signal-raise",
        "POST",
        "aftercare",
        _("Ask the work service to contact the youth again"),
        s.SignalSerializer,
        _latest("signals"),
        example={"note": "Graag opnieuw contact opnemen: de jongere is zijn baan kwijt."},
    ),
    "follow-up-contacts": Write(
        "follow-up-contact",
        "POST",
        "aftercare",
        _("Record a follow-up contact of the work service"),
        s.FollowUpContactSerializer,
        _latest("follow_up_contacts"),
        example={
            "contactOn": "2026-11-30",
            "withWhom": "youth",
            "situation": "working_same_employer",
        },
    ),
    "monitoring-notes": Write(
        "monitoring-note",
        "POST",
        "aftercare",
        _("Add an RMC monitoring note"),
        s.MonitoringNoteSerializer,
        _latest("monitoring_notes"),
        example={"text": "Werkt nog bij dezelfde werkgever."},
    ),
}

# POST/PUT /cases/{caseId}/<step>: a step of the route, answered with the case (or the row made)
CASE_STEPS: dict[str, Write] = {
    "involvement-requests": Write(
        "involvement-request",
        "POST",
        "consultation",
        _("Ask a partner organisation to take part"),
        s.InvolvementSerializer,
        lambda c, d: c.involvements.get(organisation_id=d["organisation"]),
        example={"organisation": 12},
    ),
    "agenda-items": Write(
        "agenda",
        "POST",
        "meetings",
        _("Put the case on the agenda of an outflow meeting"),
        s.AgendaItemSerializer,
        _latest("agenda_items"),
        example={"meeting": 3},
    ),
    "aba-skip": Write(
        "aba-skip",
        "POST",
        "work",
        _("Skip the ABA step, with the reason"),
        s.CaseSerializer,
        _case,
        created=False,
        example={"reason": "Geen arbeidsbeperking: het ABA is niet nodig."},
    ),
    "practice-route": Write(
        "practice-route",
        "POST",
        "work",
        _("Record the praktijkroute"),
        s.CaseSerializer,
        _case,
        created=False,
        example={"on": "2026-10-01"},
    ),
    "handover": Write(
        "handover",
        "PUT",
        "handover",
        _("Record the warm handover to the municipality"),
        s.HandoverSerializer,
        _handover,
        created=False,
        example={
            "receivingOrganisation": 7,
            "receivingPerson": "K. Bakker",
            "handedOverOn": "2026-11-02",
            "form": "meeting",
            "legalBasis": "legal_task",
        },
    ),
    "guardians": Write(
        "guardians",
        "PUT",
        "handover",
        _("Record whether parents or guardians are involved"),
        s.CaseSerializer,
        _case,
        created=False,
        example={"involved": "yes"},
    ),
    "outflow": Write(
        "outflow",
        "POST",
        "outflow",
        _("The youth leaves school for work (outflow); aftercare is scheduled"),
        s.CaseSerializer,
        _case,
        created=False,
        example={"outflowOn": "2026-11-30", "deregisteredOn": "2026-11-30"},
    ),
    "withdrawal": Write(
        "withdraw",
        "POST",
        "outflow",
        _("Withdraw the case"),
        s.CaseSerializer,
        _case,
        created=False,
        example={"reason": "De jongere is verhuisd naar een andere regio."},
    ),
    "job-loss-threats": Write(
        "job-loss-threat",
        "POST",
        "aftercare",
        _("Record a threat of job loss (signals the other party)"),
        s.CaseSerializer,
        _case,
        example={"note": "Het contract wordt niet verlengd."},
    ),
    "follow-up-end": Write(
        "follow-up-end",
        "POST",
        "aftercare",
        _("End the follow-up by the work service"),
        s.CaseSerializer,
        _case,
        created=False,
        example={"endedOn": "2026-11-30", "reason": "Vaste baan, geen ondersteuning meer nodig."},
    ),
}

# PATCH /<resource>/{id}: a change of one row
ROW_WRITES: dict[str, Write] = {
    "aba-applications": Write(
        "aba-update",
        "PATCH",
        "work",
        _("Record UWV's receipt of, or decision on, an ABA"),
        s.AbaApplicationSerializer,
        lambda c, d: c.aba_applications.get(pk=d["aba"]),
        created=False,
        row_model=AbaApplication,
        row_field="aba",
        example={"receivedOn": "2026-10-03"},
    ),
    "check-ins": Write(
        "checkin",
        "PATCH",
        "aftercare",
        _("Record an aftercare check-in"),
        s.CheckInSerializer,
        lambda c, d: c.checks.get(pk=d["check"]),
        created=False,
        row_model=AftercareCheck,
        row_field="check",
        example={
            "recordedOn": "2026-11-30",
            "contactMade": "yes",
            "situation": "working_same_employer",
        },
    ),
}

# POST /<resource>/{id}/<step>: a step on one row
ROW_STEPS: dict[str, Write] = {
    "handovers/<int:pk>/acceptance": Write(
        "handover-accept",
        "POST",
        "handover",
        _("Accept the handover (the receiving organisation)"),
        s.HandoverSerializer,
        _handover,
        row_model=Handover,
    ),
    "signals/<int:pk>/acknowledgement": Write(
        "signal-acknowledge",
        "POST",
        "aftercare",
        _("Acknowledge a signal"),
        s.SignalSerializer,
        lambda c, d: c.signals.get(pk=d["signal"]),
        row_model=Signal,
        row_field="signal",
    ),
    "signals/<int:pk>/resolution": Write(
        "signal-resolve",
        "POST",
        "aftercare",
        _("Resolve a signal"),
        s.SignalSerializer,
        lambda c, d: c.signals.get(pk=d["signal"]),
        row_model=Signal,
        row_field="signal",
        example={"note": "De jongere gesproken; werkt weer."},
    ),
}
