"""A youth's page (/jongeren/<id>/): header, route map, readiness checklist, panels and timeline.

Every form on the page posts to one action; each action calls exactly one service. A refused
action re-renders the page with the rule messages beside the form, never a server error.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from routearbeid.aftercare import services as aftercare_services
from routearbeid.aftercare.constants import ACTIVE_SIGNAL_STATUSES, SignalKind
from routearbeid.aftercare.models import (
    AftercareCheck,
    FollowUpContact,
    MonitoringNote,
    SelfReport,
    Signal,
    WorkServiceFollowUp,
)
from routearbeid.aftercare.schedules import work_service_of
from routearbeid.core import sqlcache
from routearbeid.core.dates import today
from routearbeid.core.errors import DomainError, NotFound, TransitionBlocked
from routearbeid.core.forms import StyledForm
from routearbeid.core.htmx import LazyForm, form_or_page
from routearbeid.employment import services as employment_services
from routearbeid.employment.models import AbaApplication, Employment, Provision
from routearbeid.meetings import services as meeting_services
from routearbeid.meetings.constants import MeetingStatus
from routearbeid.meetings.models import AgendaItem, OutflowMeeting
from routearbeid.organisations.actors import Actor, actor_for, as_actor
from routearbeid.organisations.constants import OrganisationKind, Role
from routearbeid.organisations.models import Organisation, User
from routearbeid.portal import selectors as portal_selectors
from routearbeid.portal import services as portal_services
from routearbeid.portal import views as portal_views
from routearbeid.students.models import Student
from routearbeid.students.selectors import student_get

from . import forms, permissions, services
from .constants import BEFORE_OUTFLOW, Stage
from .handover_document import may_get_document
from .models import Case, ExemptionDecision, Handover, Involvement, TimelineEvent, handover_of
from .rules import CaseFacts
from .selectors import case_readiness, visible_cases
from .timeline import describe

# The five steps of the seed, and the stages that count as having passed each.
ROUTE_MAP = [
    ("consultation", _("Consultation"), (Stage.CONSULTATION,)),
    ("aba", _("ABA"), (Stage.ABA,)),
    ("handover", _("Handover"), (Stage.HANDOVER,)),
    ("outflow", _("Outflow"), (Stage.OUTFLOW,)),
    ("aftercare", _("Aftercare"), (Stage.AFTERCARE,)),
]
# The school's panel for the youth's own report page (/melden/): from the handover on.
PORTAL_PANEL_STAGES = (Stage.HANDOVER, Stage.OUTFLOW, Stage.AFTERCARE, Stage.CLOSED)
STAGE_ORDER = [
    Stage.CONSULTATION,
    Stage.ABA,
    Stage.HANDOVER,
    Stage.OUTFLOW,
    Stage.AFTERCARE,
    Stage.CLOSED,
]


def route_map(case: Case | None) -> list[dict]:
    if case is None:
        return [{"key": k, "label": label, "state": "todo"} for k, label, _s in ROUTE_MAP]
    if case.stage == Stage.WITHDRAWN:
        return [{"key": k, "label": label, "state": "withdrawn"} for k, label, _s in ROUTE_MAP]
    position = STAGE_ORDER.index(Stage(case.stage))
    steps = []
    for index, (key, label, _stages) in enumerate(ROUTE_MAP):
        state = "done" if index < position else ("current" if index == position else "todo")
        steps.append({"key": key, "label": label, "state": state})
    return steps


# Rows most cases have none of: the case is read with a flag for each (`has_<name>`), and the
# youth's page reads the rows only where there are some (issue #7: at 1,000,000 cases each
# query of the page costs about 2 ms, most of it in Django).
SPARSE_RELATIONS: dict[str, tuple[type[models.Model], str]] = {
    "aba_applications": (AbaApplication, "case"),
    "provisions": (Provision, "case"),
    "exemptions": (ExemptionDecision, "case"),
    "self_reports": (SelfReport, "case"),
    "follow_up_contacts": (FollowUpContact, "case"),
    "monitoring_notes": (MonitoringNote, "case"),
}


def _case_for_student(actor: Actor, student: Student) -> Case | None:
    """The open case of the student, else the latest one the actor may see; the case's
    `student` is the one given (no second query)."""
    actor = as_actor(actor)

    def build(student_id):
        flags = {
            f"has_{name}": Exists(model._default_manager.filter(**{field: OuterRef("pk")}))
            for name, (model, field) in SPARSE_RELATIONS.items()
        }
        return (
            visible_cases(actor)
            .filter(student_id=student_id)
            # for all parts of the page
            .select_related("handover__receiving_organisation", "work_service_follow_up")
            .annotate(**flags)
            .order_by("-opened_on", "-id")
        )

    # The access rule (an EXISTS per reason a partner sees a case) and the flags are built and
    # compiled once per person and day, for all youth (core.sqlcache; issue #7).
    cases = sqlcache.objects(
        ("case_for_student", actor.key, today()),
        build,
        args=(student.pk,),
        attach={"student": student},
    )
    return next((c for c in cases if c.is_open), cases[0] if cases else None)


def _of_case(
    name: str, case: Case, build: Callable[[int], models.QuerySet], *key: Hashable
) -> list:
    """The rows of one of the case's relations for its page, as `case.<relation>` gives them
    (each row's `case` is this one), the query built and compiled once for all cases
    (core.sqlcache; issue #7: ten such lists were a quarter of the page's time). `key`: what
    else the query is built from besides the case."""
    return sqlcache.objects(
        ("case page", name, *key), build, args=(case.pk,), attach={"case": case}
    )


def _sparse(case: Case, name: str, build: Callable[[int], models.QuerySet]) -> list:
    """The rows of the relation `name` (SPARSE_RELATIONS; `build` as for `_of_case`), or none
    without a query when the case was read with its flag and the flag says there are none."""
    return _of_case(name, case, build) if getattr(case, f"has_{name}", True) else []


# --- actions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    form: type
    run: Callable  # (actor, case, cleaned_data) -> message
    allowed: Callable  # (actor, case) -> bool: whether the form is offered at all
    panel: str
    # The toggle text of a form of its own (route/_action_form.html), which the page loads only
    # when it is opened (issue #7); None for the forms inside a row (a signal, an ABA), which
    # the page renders itself.
    summary: str | None = None
    # (case) -> what the loaded form starts with, or None where there is nothing to fill it in
    # for (the form is then not found); None: the form's own defaults.
    initial: Callable | None = None


@dataclass(frozen=True)
class ActionPage:
    """An action whose answer is a page of its own instead of a redirect (the youth's card with a
    link that is shown only once)."""

    respond: Callable  # (request) -> HttpResponse


def _school(actor, case):
    return case is not None and permissions.may_manage_case(actor, case)


def _school_before_outflow(actor, case):
    return _school(actor, case) and case.stage in BEFORE_OUTFLOW


def _work_matters(actor, case):
    return case is not None and case.is_open and permissions.may_record_work_matters(actor, case)


def _own_involvement_possible(actor, case):
    return case is not None and case.is_open and bool(involvement_organisations(actor, case))


def _in_aftercare_school(actor, case):
    # R-NZ-3: the last check-in falls on the day the case closes; it can still be recorded then
    return _school(actor, case) and case.stage in (Stage.AFTERCARE, Stage.CLOSED)


def involvement_organisations(actor: Actor, case: Case) -> list[Organisation]:
    """The organisations whose involvement this actor may record: asked ones, and for a partner only its own."""
    read = getattr(case, "_page_involvements", None)  # the youth's page read them already
    if read is not None:
        by_id = {inv.organisation_id: inv.organisation for inv in read}
        asked = sorted(by_id.values(), key=lambda o: (o.name, o.pk))  # as Organisation's order
    else:
        asked = list(
            Organisation.objects.filter(pk__in=case.involvements.values("organisation_id"))
        )
    if permissions.may_manage_case(actor, case):
        return asked
    own_ids: set[int] = set()
    for role in permissions.INVOLVEMENT_ROLE_BY_KIND.values():
        own_ids |= actor.organisation_ids(role)
    return [organisation for organisation in asked if organisation.pk in own_ids]


ACTIONS: dict[str, Action] = {}


def action(name, form, allowed, panel, summary=None, initial=None):
    def register(run):
        ACTIONS[name] = Action(form, run, allowed, panel, summary, initial)
        return run

    return register


@action(
    "involvement-request",
    forms.InvolvementRequestForm,
    _school,
    "involvements",
    summary=_("Ask an organisation to take part"),
)
def _involvement_request(actor, case, d):
    services.involvement_request(actor=actor, case_id=case.pk, organisation_id=d["organisation"])
    return _("The organisation has been asked to take part.")


@action(
    "involvement-record",
    forms.InvolvementRecordForm,
    _own_involvement_possible,
    "involvements",
    summary=_("Record involvement and advice"),
)
def _involvement_record(actor, case, d):
    services.involvement_record(
        actor=actor,
        case_id=case.pk,
        organisation_id=d["organisation"],
        person_name=d["person_name"],
        involved_on=d["involved_on"],
        advice=d["advice"],
        legal_basis=d["legal_basis"],
        consent_given_on=d.get("consent_given_on"),
        consent_given_by=d.get("consent_given_by") or "",
        person_id=actor.user.pk if not permissions.may_manage_case(actor, case) else None,
    )
    return _("The involvement has been recorded.")


@action(
    "agenda",
    forms.AgendaForm,
    _school_before_outflow,
    "meetings",
    summary=_("Put on the agenda of an outflow meeting"),
)
def _agenda(actor, case, d):
    meeting_services.agenda_item_add(actor=actor, meeting_id=d["meeting"], case_id=case.pk)
    return _("The student is on the agenda of the outflow meeting.")


@action(
    "aba-submit",
    forms.AbaSubmitForm,
    _school_before_outflow,
    "aba",
    summary=_("Record a filed ABA"),
)
def _aba_submit(actor, case, d):
    employment_services.aba_application_submit(
        actor=actor, case_id=case.pk, submitted_on=d["submitted_on"]
    )
    return _("The ABA has been recorded.")


@action("aba-update", forms.AbaUpdateForm, _school, "aba")
def _aba_update(actor, case, d):
    if not case.aba_applications.filter(pk=d["aba"]).exists():
        raise NotFound("not found")
    employment_services.aba_application_update(
        actor=actor,
        aba_id=d["aba"],
        received_on=d.get("received_on"),
        decided_on=d.get("decided_on"),
        outcome=d.get("outcome") or "",
    )
    return _("The ABA has been updated.")


@action(
    "aba-skip",
    forms.AbaSkipForm,
    _school_before_outflow,
    "aba",
    summary=_("Skip the ABA step"),
)
def _aba_skip(actor, case, d):
    services.aba_skip(actor=actor, case_id=case.pk, reason=d["reason"])
    return _("The ABA step has been skipped.")


@action(
    "practice-route",
    forms.PracticeRouteForm,
    _work_matters,
    "aba",
    summary=_("Record the praktijkroute"),
)
def _practice_route(actor, case, d):
    employment_services.practice_route_record(actor=actor, case_id=case.pk, on=d["on"])
    return _("The praktijkroute has been recorded.")


@action(
    "provision",
    forms.ProvisionForm,
    _work_matters,
    "aba",
    summary=_("Record a provision"),
)
def _provision(actor, case, d):
    employment_services.provision_record(
        actor=actor,
        case_id=case.pk,
        kind=d["kind"],
        status=d["status"],
        status_on=d["status_on"],
        employment_id=d.get("employment"),
        starts_on=d.get("starts_on"),
        ends_on=d.get("ends_on"),
        doelgroepverklaring_requested_on=d.get("doelgroepverklaring_requested_on"),
        notes=d.get("notes") or "",
    )
    return _("The provision has been recorded.")


@action(
    "handover",
    forms.HandoverRecordForm,
    _school_before_outflow,
    "handover",
    summary=_("Record the warm handover"),
)
def _handover(actor, case, d):
    services.handover_record(
        actor=actor,
        case_id=case.pk,
        receiving_organisation_id=d["receiving_organisation"],
        receiving_person=d["receiving_person"],
        handed_over_on=d["handed_over_on"],
        form=d["form"],
        legal_basis=d["legal_basis"],
        consent_given_on=d.get("consent_given_on"),
        consent_given_by=d.get("consent_given_by") or "",
        purpose=d.get("purpose") or "",
    )
    return _("The warm handover has been recorded.")


def _may_accept(actor, case):
    handover = getattr(case, "handover", None) if case else None
    return bool(
        handover
        and not handover.accepted_on
        and permissions.may_accept_handover(actor, handover.receiving_organisation_id)
    )


@action("handover-accept", StyledForm, _may_accept, "handover")
def _handover_accept(actor, case, d):
    services.handover_accept(actor=actor, case_id=case.pk)
    return _("You have accepted the handover.")


@action(
    "guardians",
    forms.GuardiansForm,
    _school,
    "handover",
    summary=_("Record parents' or guardians' involvement"),
)
def _guardians(actor, case, d):
    services.guardians_record(
        actor=actor, case_id=case.pk, involved=d["involved"] == "yes", reason=d.get("reason") or ""
    )
    return _("The involvement of parents or guardians has been recorded.")


@action(
    "employment",
    forms.EmploymentForm,
    _work_matters,
    "employment",
    summary=_("Record a job"),
)
def _employment(actor, case, d):
    employment_services.employment_record(
        actor=actor,
        case_id=case.pk,
        employer_id=d["employer"],
        kind=d["kind"],
        starts_on=d["starts_on"],
        ends_on=d.get("ends_on"),
        hours_per_week=d["hours_per_week"],
        training_institution=d.get("training_institution") or "",
        enrolment_reference=d.get("enrolment_reference") or "",
    )
    return _("The job has been recorded.")


def _may_exempt(actor, case):
    return case is not None and case.is_open and permissions.may_record_exemption(actor, case)


@action(
    "exemption",
    forms.ExemptionForm,
    _may_exempt,
    "exemption",
    summary=_("Record an exemption decision"),
)
def _exemption(actor, case, d):
    services.exemption_record(
        actor=actor,
        case_id=case.pk,
        reference=d["reference"],
        decided_on=d["decided_on"],
        ends_on=d["ends_on"],
    )
    return _("The exemption decision has been recorded.")


@action(
    "outflow",
    forms.OutflowForm,
    _school_before_outflow,
    "outflow",
    summary=_("Register the outflow"),
)
def _outflow(actor, case, d):
    services.case_outflow(
        actor=actor,
        case_id=case.pk,
        outflow_on=d["outflow_on"],
        deregistered_on=d["deregistered_on"],
    )
    return _("The youth has left school for work. Aftercare has been scheduled.")


@action(
    "withdraw",
    forms.WithdrawForm,
    _school_before_outflow,
    "outflow",
    summary=_("Withdraw the case"),
)
def _withdraw(actor, case, d):
    services.case_withdraw(actor=actor, case_id=case.pk, reason=d["reason"])
    return _("The case has been withdrawn.")


def _checkin_due(case) -> dict | None:
    """The check-in form as it is loaded: for the check-in that is due (the one its toggle names,
    route/student_detail.html), today, with contact; none when no check-in is due."""
    due = case.checks.filter(recorded_on__isnull=True).first()
    if due is None:
        return None
    return {"check": due.pk, "recorded_on": today(), "contact_made": "yes"}


# Its toggle names the check-in that is due (route/student_detail.html); `summary` is the button
# of the form that is loaded when it is opened.
@action(
    "checkin",
    forms.CheckinForm,
    _in_aftercare_school,
    "aftercare",
    summary=_("Save check-in"),
    initial=_checkin_due,
)
def _checkin(actor, case, d):
    if not case.checks.filter(pk=d["check"]).exists():
        raise NotFound("not found")
    contact = d["contact_made"] == "yes"
    aftercare_services.aftercare_check_record(
        actor=actor,
        check_id=d["check"],
        recorded_on=d["recorded_on"],
        contact_made=contact,
        situation=d.get("situation") or "",
        notes=d.get("notes") or "",
        follow_up=d.get("follow_up") or "",
    )
    return _("The check-in has been recorded.")


def _after_outflow_work(actor, case):
    return _work_matters(actor, case) and case.stage in (Stage.OUTFLOW, Stage.AFTERCARE)


def _self_report_possible(actor, case):
    # R-NZ-4: the youth can report at any time after leaving school, also after aftercare ended
    return (
        case is not None
        and case.stage in (Stage.OUTFLOW, Stage.AFTERCARE, Stage.CLOSED)
        and permissions.may_record_work_matters(actor, case)
    )


@action(
    "self-report",
    forms.SelfReportForm,
    _self_report_possible,
    "aftercare",
    summary=_("Record a report by phone or at the desk"),
)
def _self_report(actor, case, d):
    aftercare_services.self_report_record(
        actor=actor,
        case_id=case.pk,
        kind=d["kind"],
        channel=d["channel"],
        message=d.get("message") or "",
        contact_phone=d.get("contact_phone") or "",
    )
    return _("The report has been recorded.")


@action(
    "job-loss-threat",
    forms.JobLossThreatForm,
    _after_outflow_work,
    "aftercare",
    summary=_("Record a threat of job loss"),
)
def _job_loss(actor, case, d):
    aftercare_services.job_loss_threat_record(actor=actor, case_id=case.pk, note=d["note"])
    return _("The threat of job loss has been recorded and the other party has been signalled.")


def _work_service(case: Case) -> Organisation | None:
    """The case's work service, looked up once per request (offers and form choices)."""
    if not hasattr(case, "_page_work_service"):
        case._page_work_service = work_service_of(case)  # type: ignore[attr-defined]
    return case._page_work_service  # type: ignore[attr-defined]


def _school_asks_work_service(actor, case):
    return (
        _school(actor, case)
        and case.stage in (Stage.AFTERCARE, Stage.CLOSED)
        and _work_service(case) is not None
    )


@action(
    "signal-raise",
    forms.SignalRaiseForm,
    _school_asks_work_service,
    "aftercare",
    summary=_("Ask the work service to contact the youth again"),
)
def _signal_raise(actor, case, d):
    aftercare_services.signal_raise(
        actor=actor,
        case_id=case.pk,
        kind=SignalKind.CONTACT_WORK_SERVICE,
        note=d["note"],
        person_id=d.get("person"),
        due_on=d.get("due_on"),
    )
    return _("The work service has been asked to contact the youth again.")


def _follows_up(actor, case):
    return case is not None and aftercare_services.work_service_may_follow_up(actor, case)


@action(
    "follow-up-contact",
    forms.FollowUpContactForm,
    _follows_up,
    "follow-up",
    summary=_("Record a follow-up contact"),
)
def _follow_up_contact(actor, case, d):
    aftercare_services.follow_up_contact_record(
        actor=actor,
        case_id=case.pk,
        contact_on=d["contact_on"],
        with_whom=d["with_whom"],
        situation=d["situation"],
        next_step=d.get("next_step") or "",
        notes=d.get("notes") or "",
    )
    return _("The follow-up contact has been recorded.")


@action(
    "follow-up-end",
    forms.FollowUpEndForm,
    _follows_up,
    "follow-up",
    summary=_("End the follow-up"),
)
def _follow_up_end(actor, case, d):
    aftercare_services.follow_up_end(
        actor=actor, case_id=case.pk, ended_on=d["ended_on"], reason=d["reason"]
    )
    return _("The follow-up by the work service has ended.")


def _monitors(actor, case):
    # R-RMC-1: the RMC of the youth's region keeps monitoring notes, from outflow on
    return (
        case is not None
        and case.stage in (Stage.AFTERCARE, Stage.CLOSED)
        and _rmc_of_region(actor, case)
    )


def _rmc_of_region(actor, case) -> bool:
    if not actor.has_role(Role.RMC_OFFICER):
        return False
    region_id = case.student.school.region_id
    return any(s.role == Role.RMC_OFFICER and s.region_id == region_id for s in actor.seats)


@action(
    "monitoring-note",
    forms.MonitoringNoteForm,
    _monitors,
    "follow-up",
    summary=_("Add a monitoring note"),
)
def _monitoring_note(actor, case, d):
    aftercare_services.monitoring_note_record(actor=actor, case_id=case.pk, text=d["text"])
    return _("The monitoring note has been saved.")


def _has_signals(actor, case):
    return case is not None


@action("signal-acknowledge", forms.SignalAcknowledgeForm, _has_signals, "signals")
def _signal_ack(actor, case, d):
    if not case.signals.filter(pk=d["signal"]).exists():
        raise NotFound("not found")
    aftercare_services.signal_acknowledge(actor=actor, signal_id=d["signal"])
    return _("The signal has been acknowledged.")


@action("signal-resolve", forms.SignalResolveForm, _has_signals, "signals")
def _signal_resolve(actor, case, d):
    if not case.signals.filter(pk=d["signal"]).exists():
        raise NotFound("not found")
    aftercare_services.signal_resolve(actor=actor, signal_id=d["signal"], note=d["note"])
    return _("The signal has been resolved.")


def _portal_link_possible(actor, case):
    return _school(actor, case) and case.stage in portal_services.LINK_STAGES


def _portal_link_revocable(actor, case):
    return (
        _school(actor, case)
        and case.stage in PORTAL_PANEL_STAGES
        and portal_selectors.active_link(case) is not None
    )


@action("portal-link", StyledForm, _portal_link_possible, "portal")
def _portal_link(actor, case, d):
    new = portal_services.portal_link_renew(actor=actor, case_id=case.pk)
    return ActionPage(lambda request: portal_views.card_response(request, case, new))


@action("portal-link-revoke", StyledForm, _portal_link_revocable, "portal")
def _portal_link_revoke(actor, case, d):
    portal_services.portal_link_revoke(actor=actor, case_id=case.pk)
    return _("The link has been revoked: the youth's card no longer works.")


# --- form construction ---------------------------------------------------------------------------


def form_kwargs(name: str, actor: Actor, case: Case, student) -> dict:
    region_id = student.school.region_id
    if name == "involvement-request":
        taken = case.involvements.values("organisation_id")
        return {
            "organisations": Organisation.objects.filter(
                region_id=region_id, kind__in=services.INVOLVED_KINDS
            ).exclude(pk__in=taken)
        }
    if name == "involvement-record":
        return {"organisations": involvement_organisations(actor, case)}
    if name == "agenda":
        return {
            "meetings": OutflowMeeting.objects.filter(
                region_id=region_id, status=MeetingStatus.PLANNED, scheduled_on__gte=today()
            )
            .exclude(agenda_items__case=case)
            .order_by("scheduled_on")
        }
    if name == "handover":
        return {
            "organisations": Organisation.objects.filter(region_id=region_id).exclude(
                kind__in=[OrganisationKind.SCHOOL, OrganisationKind.UWV]
            )
        }
    if name == "employment":
        # a short list, not every employer (issue #7): the form also takes a KvK number
        return {"employers": forms.EmploymentForm.employer_options(case)}
    if name == "provision":
        return {"employments": case.employments.select_related("employer")}
    if name == "signal-raise":
        work_service = _work_service(case)
        return {
            "people": User.objects.filter(
                is_active=True,
                memberships__organisation=work_service,
                memberships__role=Role.WORK_SERVICE_MANAGER,
            ).order_by("last_name", "first_name")
            if work_service
            else User.objects.none()
        }
    return {}


# The toggle texts of the forms of their own, by the name the template uses.
SUMMARIES = {name.replace("-", "_"): act.summary for name, act in ACTIONS.items() if act.summary}


def build_forms(
    actor: Actor, case: Case | None, student, bound: tuple[str, object] | None = None
) -> dict:
    """The forms this actor is offered, by name with "_" for "-". A form of its own (one with a
    summary) is a LazyForm, loaded when opened (case_action's GET), unless it is `bound`: the
    one that failed, or the one asked for without JavaScript. So the page builds the three or
    four forms inside its rows, not the twenty it offers (issue #7)."""
    result: dict[str, object] = {}
    if case is None:
        return result
    for name, act in ACTIONS.items():
        if not act.allowed(actor, case):
            continue
        if bound and bound[0] == name:
            form = bound[1]
        elif act.summary is not None:
            url = reverse("route:action", args=[student.pk, name])
            form = LazyForm(url, f"#panel-{act.panel}")
        else:
            form = action_form(name, actor, case, student)
        result[name.replace("-", "_")] = form
    return result


def action_form(name: str, actor: Actor, case: Case, student, data=None):
    """The form of action `name`, with its choices for this actor and case; bound to `data`."""
    return ACTIONS[name].form(data, prefix=name, **form_kwargs(name, actor, case, student))


# --- views ---------------------------------------------------------------------------------------


def _page_context(request, actor, student, case, bound=None, errors_for=None):
    may_open = (
        permissions.is_case_school(actor, case) if case else student.school_id in actor.school_ids
    )
    if case is not None:
        # read first: the forms ask which organisations are involved (involvement_organisations)
        case._page_involvements = _of_case(  # type: ignore[attr-defined]
            "involvements",
            case,
            lambda pk: (
                Involvement.objects.filter(case_id=pk)
                .select_related("organisation")
                .order_by("organisation__kind")
            ),
        )
    context = {
        "student": student,
        "case": case,
        "age": student.age_on(today()),
        "may_see_pgn": actor.may_see_pgn,
        "route_map": route_map(case),
        "forms": build_forms(actor, case, student, bound),
        "summaries": SUMMARIES,
        "errors_for": errors_for,
        "opened": bound[0] if bound else None,
        "may_open_case": may_open and (case is None or not case.is_open),
        "open_form": forms.OpenCaseForm(prefix="open", initial={"opened_on": today()}),
    }
    if case is not None:
        organisation_ids = actor.organisation_ids()
        involvements = case._page_involvements  # type: ignore[attr-defined]
        handover = handover_of(case)
        after_outflow = case.stage in (Stage.AFTERCARE, Stage.CLOSED)
        agenda_items = _of_case(
            "agenda_items",
            case,
            lambda pk: (
                AgendaItem.objects.filter(case_id=pk)
                .select_related("meeting")
                .prefetch_related("advice__organisation")
                .order_by("-meeting__scheduled_on")
            ),
        )
        aba_applications = _sparse(
            case, "aba_applications", lambda pk: AbaApplication.objects.filter(case_id=pk)
        )
        employments = _of_case(
            "employments",
            case,
            lambda pk: Employment.objects.filter(case_id=pk).select_related("employer"),
        )
        exemptions = _sparse(
            case, "exemptions", lambda pk: ExemptionDecision.objects.filter(case_id=pk)
        )
        # The checklist reads the rows the panels show (the case was read through the actor's
        # access); aftercare closes by itself on its end date (R-NZ-7): no checklist then.
        readiness = (
            case_readiness(
                actor=actor,
                case=case,
                facts=CaseFacts(
                    case=case,
                    student=student,
                    region=student.school.region,
                    involvements=involvements,
                    agenda_items=agenda_items,
                    handover=handover,
                    employments=employments,
                    aba_applications=aba_applications,
                    exemptions=exemptions,
                ),
            )
            if case.stage in BEFORE_OUTFLOW
            else []
        )
        context.update(
            {
                "readiness": readiness,
                "involvements": involvements,
                "agenda_items": agenda_items,
                "aba_applications": aba_applications,
                "provisions": _sparse(
                    case,
                    "provisions",
                    lambda pk: Provision.objects.filter(case_id=pk).select_related(
                        "employment__employer"
                    ),
                ),
                "handover": handover,
                "employments": employments,
                "exemptions": exemptions,
                "checks": (
                    checks := _of_case(
                        "checks",
                        case,
                        lambda pk: AftercareCheck.objects.filter(case_id=pk).select_related(
                            "retry_of"
                        ),
                    )
                ),
                "today": today(),
                "next_check": next((c for c in checks if c.recorded_on is None), None),
                "self_reports": _sparse(
                    case, "self_reports", lambda pk: SelfReport.objects.filter(case_id=pk)[:20]
                ),
                # the work service's follow-up and the RMC's notes exist only after outflow
                "follow_up": _follow_up(case) if after_outflow else None,
                "follow_up_contacts": _sparse(
                    case,
                    "follow_up_contacts",
                    lambda pk: FollowUpContact.objects.filter(case_id=pk).select_related(
                        "recorded_by"
                    )[:50],
                )
                if after_outflow
                else [],
                "monitoring_notes": _sparse(
                    case,
                    "monitoring_notes",
                    lambda pk: MonitoringNote.objects.filter(case_id=pk).select_related(
                        "recorded_by"
                    )[:50],
                )
                if after_outflow and _rmc_of_region(actor, case)
                else [],
                "signals": _of_case(
                    "signals",
                    case,
                    lambda pk: Signal.objects.filter(
                        case_id=pk,
                        organisation_id__in=organisation_ids,
                        status__in=ACTIVE_SIGNAL_STATUSES,
                    ).select_related("organisation"),
                    tuple(sorted(organisation_ids)),
                ),
                "events": [
                    (e, describe(e))
                    for e in _of_case(
                        "events",
                        case,
                        lambda pk: TimelineEvent.objects.filter(case_id=pk).select_related(
                            "actor", "organisation"
                        )[:100],
                    )
                ],
                "contacts": _contacts(case, involvements, handover),
                "may_download_handover": may_get_document(actor, case),
                "portal_panel": case.stage in PORTAL_PANEL_STAGES and _school(actor, case),
                "portal_link": portal_selectors.active_link(case)
                if case.stage in PORTAL_PANEL_STAGES and _school(actor, case)
                else None,
            }
        )
    return context


def _follow_up(case: Case) -> WorkServiceFollowUp | None:
    """The work service's follow-up of the case, if any (read with the case where it was)."""
    try:
        return case.work_service_follow_up
    except WorkServiceFollowUp.DoesNotExist:
        return None


def _contacts(case: Case, involvements, handover: Handover | None) -> list[tuple[str, str]]:
    contacts = [(str(_("Mentor")), str(case.student.mentor or "–"))]
    for inv in involvements:
        contacts.append(
            (inv.organisation.name, inv.person_name or str(_("asked, not yet recorded")))
        )
    if handover:
        contacts.append((handover.receiving_organisation.name, handover.receiving_person))
    return contacts


def _get_student_or_404(actor, student_id):
    try:
        return student_get(actor=actor, student_id=student_id)
    except NotFound:
        raise Http404 from None


@login_required
def student_detail(request: HttpRequest, student_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    student = _get_student_or_404(actor, student_id)
    case = _case_for_student(actor, student)
    return render(
        request, "route/student_detail.html", _page_context(request, actor, student, case)
    )


@login_required
@require_POST
def case_open_view(request: HttpRequest, student_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    student = _get_student_or_404(actor, student_id)
    if student.school_id not in actor.school_ids:
        # Only the youth's own school opens a case; for anyone else the form does not exist.
        raise Http404
    form = forms.OpenCaseForm(request.POST, prefix="open")
    if form.is_valid():
        try:
            services.case_open(
                actor=actor, student_id=student.pk, opened_on=form.cleaned_data["opened_on"]
            )
        except DomainError as error:
            form.add_error(_error_field(form, error), _error_text(error))
        else:
            messages.success(request, _("The case has been opened."))
            return redirect("route:student", student.pk)
    context = _page_context(request, actor, student, _case_for_student(actor, student))
    context["open_form"] = form
    return render(request, "route/student_detail.html", context)


def _error_field(form, error: DomainError) -> str | None:
    """The form's field the refusal is about (a date the service refused), else None: above the form."""
    return error.field if error.field in form.fields else None


def _error_text(error: DomainError) -> str:
    if isinstance(error, TransitionBlocked):
        return " ".join(f"{c.message} ({c.rule_id})" for c in error.failures)
    message = str(error.message)
    # the rule ids once: a message that names them already gets them not again
    if error.rule_ids and not all(rule in message for rule in error.rule_ids):
        return f"{message} ({', '.join(error.rule_ids)})"
    return message


@login_required
@require_http_methods(["GET", "POST"])
def case_action(request: HttpRequest, student_id: int, name: str) -> HttpResponse:
    """POST runs the action. GET gives the form of a form of its own: to htmx, which loads it
    when its summary is opened, only the form; without JavaScript, the page with that form open.
    The forms inside a row have no GET."""
    actor = actor_for(request.user)
    student = _get_student_or_404(actor, student_id)
    case = _case_for_student(actor, student)
    act = ACTIONS.get(name)
    if act is None or case is None or not act.allowed(actor, case):
        raise Http404
    if request.method == "GET":
        if act.summary is None:
            raise Http404
        blank = action_form(name, actor, case, student)
        if act.initial is not None:
            initial = act.initial(case)
            if initial is None:
                raise Http404
            blank.initial = initial
        return form_or_page(
            request,
            (
                "route/_action_form_body.html",
                {"student": student, "name": name, "f": blank, "summary": act.summary},
            ),
            lambda: (
                "route/student_detail.html",
                _page_context(request, actor, student, case, bound=(name, blank)),
            ),
        )
    form = action_form(name, actor, case, student, request.POST)
    if form.is_valid():
        try:
            message = act.run(actor, case, form.cleaned_data)
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            form.add_error(_error_field(form, error), _error_text(error))
        else:
            if isinstance(message, ActionPage):
                return message.respond(request)
            messages.success(request, message)
            return redirect(f"{request.path.rsplit('/actie/', 1)[0]}/#panel-{act.panel}")
    case = _case_for_student(actor, student)
    context = _page_context(request, actor, student, case, bound=(name, form), errors_for=name)
    return render(request, "route/student_detail.html", context)
