"""The outflow-meeting screens (/uitstroomtafels/): the list, one meeting, its printable agenda and minutes.

Every form posts to its own URL and calls exactly one service (POST/redirect/GET). A refused
request re-renders the page with the message beside the form, never a server error; something
the actor may not see reads as "not found" (404).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from routearbeid.core.dates import today
from routearbeid.core.errors import DomainError, NotFound, TransitionBlocked
from routearbeid.core.htmx import LazyForm, form_or_page
from routearbeid.core.links import id_url
from routearbeid.core.paging import page_number
from routearbeid.organisations.actors import Actor, actor_for
from routearbeid.organisations.models import Organisation, Region

from . import forms, selectors, services
from .constants import MeetingStatus
from .models import AgendaItem, Decision, MeetingAction, OutflowMeeting

PAST_PAGE_SIZE = 25


def _error_text(error: DomainError) -> str:
    if isinstance(error, TransitionBlocked):
        return " ".join(f"{c.message} ({c.rule_id})" for c in error.failures)
    if error.rule_ids:
        return f"{error.message} ({', '.join(error.rule_ids)})"
    return str(error.message)


# --- the list ------------------------------------------------------------------------------------


def _coordinated_regions(actor: Actor) -> list[Region]:
    ids = selectors.coordinated_region_ids(actor)
    return list(Region.objects.filter(pk__in=ids).order_by("name")) if ids else []


def _list_context(request: HttpRequest, actor: Actor, plan_form=None) -> dict:
    regions = _coordinated_regions(actor)
    if regions and plan_form is None:
        plan_form = forms.MeetingPlanForm(prefix="plan", regions=regions)
    past = Paginator(selectors.meeting_list(actor=actor, planned=False), PAST_PAGE_SIZE)
    page = past.get_page(page_number(request.GET.get("page")))
    return {
        "planned": list(selectors.meeting_list(actor=actor, planned=True)),
        "page": page,
        "past": list(page.object_list),
        "plan_form": plan_form if regions else None,
        "show_region": len(selectors.meeting_region_ids(actor)) > 1,
        "may_see_meetings": bool(selectors.meeting_region_ids(actor)),
        "today": today(),
    }


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if not actor.works_on_meetings:
        raise Http404
    return render(request, "meetings/meeting_list.html", _list_context(request, actor))


@login_required
@require_POST
def meeting_plan(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    regions = _coordinated_regions(actor)
    if not regions:
        raise Http404
    form = forms.MeetingPlanForm(request.POST, prefix="plan", regions=regions)
    if form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_plan(
                actor=actor,
                region_id=data["region"],
                scheduled_on=data["scheduled_on"],
                place=data["place"],
            )
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("The outflow meeting has been planned."))
            return redirect("meetings:detail", meeting.pk)
    return render(
        request, "meetings/meeting_list.html", _list_context(request, actor, plan_form=form)
    )


# --- one meeting: what the page offers this actor ------------------------------------------------


@dataclass
class Page:
    """The meeting as this actor meets it: whether they coordinate it and which organisations they may choose."""

    actor: Actor
    meeting: OutflowMeeting
    coordinator: bool
    organisations: list[Organisation]
    advice_organisations: list[Organisation]

    @classmethod
    def load(cls, actor: Actor, meeting_id: int) -> Page:
        try:
            meeting = selectors.meeting_get(actor=actor, meeting_id=meeting_id)
        except NotFound:
            raise Http404 from None
        coordinator = meeting.region_id in selectors.coordinated_region_ids(actor)
        organisations = selectors.region_organisations(region_id=meeting.region_id)
        # A partner gives the advice of its own organisation; the coordinator writes down anyone's.
        own = actor.organisation_ids(*selectors.MEETING_ROLES)
        advice_organisations = (
            organisations if coordinator else [o for o in organisations if o.pk in own]
        )
        return cls(actor, meeting, coordinator, organisations, advice_organisations)

    @property
    def held(self) -> bool:
        return self.meeting.status == MeetingStatus.HELD


def _item_count(meeting: OutflowMeeting) -> int:
    """All students on the agenda (annotated by the selector), also those this actor may not see."""
    return getattr(meeting, "item_count", 0)


def _decision(item: AgendaItem) -> Decision | None:
    try:
        return item.decision
    except Decision.DoesNotExist:
        return None


@dataclass(frozen=True)
class FormSpec:
    """One form of the meeting page: what it is about, who is offered it, and the service it calls."""

    form: type
    target: str  # "meeting", "item" or "action"
    allowed: Callable[[Page, Any], bool]
    run: Callable[[Actor, OutflowMeeting, Any, dict], Any]  # -> the success message
    kwargs: Callable[[Page, Any], dict] = lambda page, target: {}
    initial: Callable[[Page, Any], dict] = lambda page, target: {}

    def prefix(self, name: str, target) -> str:
        return name if self.target == "meeting" else f"{name}-{target.pk}"

    def build(self, name: str, page: Page, target, data=None):
        kwargs = self.kwargs(page, target)
        if data is None:
            return self.form(
                prefix=self.prefix(name, target), initial=self.initial(page, target), **kwargs
            )
        return self.form(data, prefix=self.prefix(name, target), **kwargs)


def _participant(actor, meeting, target, d):
    services.meeting_participant_add(
        actor=actor,
        meeting_id=meeting.pk,
        organisation_id=d["organisation"],
        person_name=d["person_name"],
    )
    return _("The participant has been added.")


def _hold(actor, meeting, target, d):
    services.meeting_hold(
        actor=actor, meeting_id=meeting.pk, held_on=d["held_on"], minutes=d.get("minutes") or ""
    )
    return _("The outflow meeting has been marked as held.")


def _minutes(actor, meeting, target, d):
    services.meeting_minutes_record(actor=actor, meeting_id=meeting.pk, minutes=d["minutes"])
    return _("The minutes have been saved.")


def _advice(actor, meeting, item, d):
    services.advice_record(
        actor=actor, agenda_item_id=item.pk, organisation_id=d["organisation"], text=d["text"]
    )
    return _("The advice has been recorded.")


def _decide(actor, meeting, item, d):
    services.decision_record(
        actor=actor,
        agenda_item_id=item.pk,
        outflow_profile=d["outflow_profile"],
        reason=d["reason"],
    )
    return _("The decision has been recorded.")


def _action_add(actor, meeting, item, d):
    services.action_add(
        actor=actor,
        agenda_item_id=item.pk,
        description=d["description"],
        owner_organisation_id=d["owner_organisation"],
        due_on=d["due_on"],
    )
    return _("The action has been added.")


def _action_done(actor, meeting, action, d):
    services.action_done(actor=actor, action_id=action.pk)
    return _("The action has been marked as done.")


def _may_mark_done(page: Page, action: MeetingAction) -> bool:
    return action.done_on is None and (
        page.coordinator
        or action.owner_organisation_id in page.actor.organisation_ids(*selectors.MEETING_ROLES)
    )


FORMS: dict[str, FormSpec] = {
    "participant": FormSpec(
        forms.ParticipantForm,
        "meeting",
        allowed=lambda page, _t: (
            page.coordinator and page.meeting.status != MeetingStatus.CANCELLED
        ),
        run=_participant,
        kwargs=lambda page, _t: {"organisations": page.organisations},
    ),
    "hold": FormSpec(
        forms.HoldForm,
        "meeting",
        allowed=lambda page, _t: page.coordinator and page.meeting.status == MeetingStatus.PLANNED,
        run=_hold,
        initial=lambda page, _t: {"held_on": min(page.meeting.scheduled_on, today())},
    ),
    "minutes": FormSpec(
        forms.MinutesForm,
        "meeting",
        allowed=lambda page, _t: page.coordinator and page.held,
        run=_minutes,
        initial=lambda page, _t: {"minutes": page.meeting.minutes},
    ),
    "advice": FormSpec(
        forms.AdviceForm,
        "item",
        allowed=lambda page, item: bool(page.advice_organisations) and _decision(item) is None,
        run=_advice,
        kwargs=lambda page, _t: {"organisations": page.advice_organisations},
    ),
    # R-OVL-1/R-OVL-4: the route coordinator records the meeting's decision, once per student.
    "decision": FormSpec(
        forms.DecisionForm,
        "item",
        allowed=lambda page, item: (
            page.coordinator and item.case.is_open and _decision(item) is None
        ),
        run=_decide,
    ),
    "action": FormSpec(
        forms.ActionForm,
        "item",
        allowed=lambda page, _item: page.coordinator,
        run=_action_add,
        kwargs=lambda page, _t: {"organisations": page.organisations},
    ),
    "action-done": FormSpec(
        forms.ActionDoneForm, "action", allowed=_may_mark_done, run=_action_done
    ),
}


# The forms of an agenda item, loaded when their <details> is opened (issue #7: a meeting of 20
# youth carried 60 forms, 80 KB, half of the page's time): their URL and their button's text.
ITEM_FORMS = {
    "advice": ("meetings:advice", _("Record advice")),
    "decision": ("meetings:decision", _("Record the decision")),
    "action": ("meetings:action_add", _("Add an action")),
}


# The meeting's own forms that are loaded in the same way: adding a participant (a choice of
# every organisation of the region) and editing the minutes (their whole text), the rest of the
# form markup on the route coordinator's page (issue #7); with the button's text where it is not
# the toggle's. Marking the meeting as held stays on the page: after the meeting it is the one
# thing to do there, and it is small.
MEETING_FORMS = {
    "participant": ("meetings:participant_add", _("Add a participant"), None),
    "minutes": ("meetings:minutes_save", _("Edit the minutes"), _("Save the minutes")),
}


@dataclass
class Row:
    item: AgendaItem
    decision: Decision | None
    actions: list[tuple[MeetingAction, bool]]
    forms: dict = field(default_factory=dict)
    open: str = ""


def _rows(page: Page, items: list[AgendaItem], bound: tuple | None) -> list[Row]:
    rows = []
    for item in items:
        row = Row(item, _decision(item), [(a, _may_mark_done(page, a)) for a in item.actions.all()])
        for name, (url_name, _label) in ITEM_FORMS.items():
            spec = FORMS[name]
            if not spec.allowed(page, item):
                continue
            if bound and bound[0] == name and bound[1] == item.pk:
                row.forms[name] = bound[2]
                row.open = name
            else:
                url = id_url(url_name, page.meeting.pk, item.pk)
                row.forms[name] = LazyForm(url, f"#item-{item.pk}")
        if bound and bound[0] == "action-done" and bound[1] in {a.pk for a, _m in row.actions}:
            row.open = "action-done"
            row.forms["action_done_error"] = bound[2]
        rows.append(row)
    return rows


def _detail_context(page: Page, bound: tuple | None = None) -> dict:
    meeting = page.meeting
    meeting_forms = {}
    for name in ("participant", "hold", "minutes"):
        spec = FORMS[name]
        if not spec.allowed(page, None):
            continue
        if bound and bound[0] == name:
            meeting_forms[name] = bound[2]
        elif name in MEETING_FORMS:
            url = reverse(MEETING_FORMS[name][0], args=[meeting.pk])
            meeting_forms[name] = LazyForm(url, _anchor(spec, name, None))
        else:
            meeting_forms[name] = spec.build(name, page, None)
    items = selectors.meeting_agenda(actor=page.actor, meeting=meeting)
    return {
        "meeting": meeting,
        "page": page,
        "coordinator": page.coordinator,
        "participants": list(selectors.meeting_participants(actor=page.actor, meeting=meeting)),
        "rows": _rows(page, items, bound),
        "hidden_count": _item_count(meeting) - len(items),
        "forms": meeting_forms,
        "errors_for": bound[0] if bound else "",
    }


@login_required
@require_GET
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    page = Page.load(actor_for(request.user), meeting_id)
    return render(request, "meetings/meeting_detail.html", _detail_context(page))


def _target(page: Page, spec: FormSpec, target_id: int | None) -> Any:
    if spec.target == "meeting":
        return None
    assert target_id is not None
    try:
        if spec.target == "item":
            return selectors.meeting_item_get(
                actor=page.actor, meeting=page.meeting, agenda_item_id=target_id
            )
        if spec.target == "action":
            return selectors.meeting_action_get(
                actor=page.actor, meeting=page.meeting, action_id=target_id
            )
    except NotFound:
        raise Http404 from None
    return None


def _anchor(spec: FormSpec, name: str, target) -> str:
    if spec.target == "item":
        return f"#item-{target.pk}"
    if spec.target == "action":
        return f"#item-{target.agenda_item_id}"
    return {"participant": "#participants", "minutes": "#minutes"}.get(name, "#meeting")


def _post(
    request: HttpRequest, meeting_id: int, name: str, target_id: int | None = None
) -> HttpResponse:
    actor = actor_for(request.user)
    page = Page.load(actor, meeting_id)
    spec = FORMS[name]
    target = _target(page, spec, target_id)
    if not spec.allowed(page, target):
        # The form is not offered to this person (or no longer applies): as if the URL did not exist.
        raise Http404
    form = spec.build(name, page, target, data=request.POST)
    if form.is_valid():
        try:
            message = spec.run(actor, page.meeting, target, form.cleaned_data)
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, message)
            return redirect(
                reverse("meetings:detail", args=[page.meeting.pk]) + _anchor(spec, name, target)
            )
    page = Page.load(actor, meeting_id)
    bound = (name, target.pk if target is not None else None, form)
    return render(request, "meetings/meeting_detail.html", _detail_context(page, bound))


@login_required
@require_http_methods(["GET", "POST"])
def participant_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _meeting_form(request, meeting_id, "participant")


@login_required
@require_POST
def meeting_hold(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _post(request, meeting_id, "hold")


@login_required
@require_http_methods(["GET", "POST"])
def minutes_save(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _meeting_form(request, meeting_id, "minutes")


def _opened(
    request: HttpRequest, page: Page, name: str, target, url: str, summary, button=None
) -> HttpResponse:
    """A form loaded when its <details> is opened, to whom the page offers it (as if the URL
    did not exist for anyone else): to htmx only the form; without JavaScript, the meeting
    page with it open."""
    spec = FORMS[name]
    if not spec.allowed(page, target):
        raise Http404
    form = spec.build(name, page, target)
    form.opened = True  # on the whole page, its <details> starts open
    bound = (name, target.pk if target is not None else None, form)
    return form_or_page(
        request,
        ("meetings/_form_body.html", {"f": form, "url": url, "summary": summary, "button": button}),
        lambda: ("meetings/meeting_detail.html", _detail_context(page, bound)),
    )


def _meeting_form(request: HttpRequest, meeting_id: int, name: str) -> HttpResponse:
    """One of MEETING_FORMS: POST records it, GET gives it (_opened)."""
    if request.method == "POST":
        return _post(request, meeting_id, name)
    page = Page.load(actor_for(request.user), meeting_id)
    url_name, summary, button = MEETING_FORMS[name]
    url = reverse(url_name, args=[page.meeting.pk])
    return _opened(request, page, name, None, url, summary, button)


def _item_form(request: HttpRequest, meeting_id: int, name: str, item_id: int) -> HttpResponse:
    """GET: an agenda item's form, to whom the page offers it. To htmx, which loads it when its
    <details> is opened, only the form; without JavaScript, the meeting page with it open."""
    if request.method == "POST":
        return _post(request, meeting_id, name, item_id)
    page = Page.load(actor_for(request.user), meeting_id)
    item = _target(page, FORMS[name], item_id)
    url_name, summary = ITEM_FORMS[name]
    url = reverse(url_name, args=[page.meeting.pk, item.pk])
    return _opened(request, page, name, item, url, summary)


@login_required
@require_http_methods(["GET", "POST"])
def advice_record(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    return _item_form(request, meeting_id, "advice", item_id)


@login_required
@require_http_methods(["GET", "POST"])
def decision_record(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    return _item_form(request, meeting_id, "decision", item_id)


@login_required
@require_http_methods(["GET", "POST"])
def action_add(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    return _item_form(request, meeting_id, "action", item_id)


@login_required
@require_POST
def action_done(request: HttpRequest, meeting_id: int, action_id: int) -> HttpResponse:
    return _post(request, meeting_id, "action-done", action_id)


# --- printable agenda and minutes ----------------------------------------------------------------


def _print_context(request: HttpRequest, meeting_id: int) -> dict:
    page = Page.load(actor_for(request.user), meeting_id)
    items = selectors.meeting_agenda(actor=page.actor, meeting=page.meeting)
    return {
        "meeting": page.meeting,
        "coordinator": page.coordinator,
        "participants": list(
            selectors.meeting_participants(actor=page.actor, meeting=page.meeting)
        ),
        "rows": [
            Row(item, _decision(item), [(a, False) for a in item.actions.all()]) for item in items
        ],
        "hidden_count": _item_count(page.meeting) - len(items),
        "printed_on": today(),
    }


@login_required
@require_GET
def meeting_agenda_print(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return render(request, "meetings/print_agenda.html", _print_context(request, meeting_id))


@login_required
@require_GET
def meeting_minutes_print(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return render(request, "meetings/print_minutes.html", _print_context(request, meeting_id))
