"""The worklist (/werkvoorraad/), the home page after login, and the RMC's monitoring list
(/monitoring/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from routearbeid.core import exports, sqlcache
from routearbeid.core.context_processors import kept_badge
from routearbeid.core.dates import today
from routearbeid.core.errors import DomainError, NotFound
from routearbeid.core.htmx import LazyForm, form_or_page
from routearbeid.core.links import id_url
from routearbeid.core.models import in_order
from routearbeid.core.paging import page_number
from routearbeid.meetings.models import MeetingAction
from routearbeid.organisations.actors import actor_for
from routearbeid.organisations.models import Organisation
from routearbeid.processing_log.services import processing_log_record
from routearbeid.route.constants import LegalBasis, Situation
from routearbeid.route.models import Handover, Involvement

from . import selectors, services
from .constants import SignalStatus
from .forms import CheckinQuickForm
from .models import Signal
from .selectors import (
    ACTION_RELATED,
    HANDOVER_RELATED,
    NO_CONTACT_MONTHS,
    REQUEST_RELATED,
    SIGNAL_RELATED,
)

LIMIT = 25  # items per section on the worklist's first view
MORE_LIMIT = 500  # items of one section when "show all" is chosen; the download holds every item
# a section's rows are read by a query with a stand-in per id (_section_rows)
assert MORE_LIMIT <= sqlcache.MAX_ARGS
SECTIONS = ("signals", "checkins", "involvements", "handovers", "actions")


# Each section's rows, read by id with what they are shown with (_section): the related rows
# and only the columns the page shows (aftercare/worklist.html, _involvement_form.html) and the
# processing log names. A whole signal with its case and student is 63 columns, and making
# objects of them was a third of reading a section (issue #7). A column left out here and used
# on the page would cost a query per row: the page's query count is asserted in the tests.
_YOUTH = ("student_id", "student__first_name", "student__last_name")


def _youth(via: str) -> tuple[str, ...]:
    return tuple(f"{via}__{f}" for f in _YOUTH)


SECTION_ROWS = {
    "signals": (
        Signal,
        SIGNAL_RELATED,
        ("kind", "message", "params", "status", "due_on", "organisation__name", *_youth("case")),
    ),
    "involvements": (
        Involvement,
        REQUEST_RELATED,
        ("requested_on", "organisation__name", *_youth("case")),
    ),
    "actions": (
        MeetingAction,
        ACTION_RELATED,
        ("description", "due_on", "owner_organisation__name", *_youth("agenda_item__case")),
    ),
    "handovers": (
        Handover,
        HANDOVER_RELATED,
        (
            "handed_over_on",
            "form",
            "receiving_person",
            "case__student__school__name",
            *_youth("case"),
        ),
    ),
}
CHECKIN_SHOWN = ("sequence", "due_on", "retry_of__sequence", *_youth("case"))

# A section with up to this many items is read as their ids in order first (_section).
SECTION_IDS = 5_000


def _section(
    name: str, actor, on, build: Callable[[], QuerySet], limit: int, kept: int | None = None
) -> tuple[int, list, bool]:
    """A section's size and its first `limit` items, from one search: the ids of all its
    items in order, which give the size, then the first items by id with what they are shown
    with. Counting the section and then reading its first items tested each item against the
    access rules twice (issue #7: a work service's 2,600 open signals at 1,000,000 cases).
    The ids query is the same for one person on one day: its SQL is compiled once
    (core.sqlcache, keyed by the section, the person and their seats, the day). With more than
    SECTION_IDS items: a COUNT and the first items, as before.

    `kept`: the section's size as counted less than a minute ago (the badge's numbers, kept in
    the session). Then only the first `limit` + 1 ids are read: a section that fits its page is
    counted by them, exactly; a longer one shows the kept size (each of a work service's 2,600
    signals tested against its links on every view was 4-5 ms of its 30, issue #7). A kept
    size that cannot be right (not longer than the page) is not used. The third value says
    whether the size is the kept one."""
    if kept is not None and kept > limit:
        first = _section_ids(name, actor, on, build, limit + 1)
        if len(first) > limit:
            return kept, _section_rows(name, first[:limit]), True
    ids = _section_ids(name, actor, on, build, SECTION_IDS + 1)
    if len(ids) > SECTION_IDS:
        qs = build()
        return qs.order_by().count(), list(qs[:limit]), False
    return len(ids), _section_rows(name, ids[:limit]), False


def _section_ids(name: str, actor, on, build: Callable[[], QuerySet], stop: int) -> list[int]:
    """The first `stop` ids of a section in its order, the SQL compiled once per person, day
    and `stop` (core.sqlcache)."""
    found = sqlcache.rows(
        ("worklist", name, actor.key, on, stop), lambda: build().values_list("pk")[:stop]
    )
    return [pk for (pk,) in found]


def _section_rows(name: str, ids: list[int]) -> list:
    """A section's rows by id, in that order, with only what the page shows (SECTION_ROWS).
    The query is the same for every page of the same length but for its ids: compiled once
    (core.sqlcache.objects; building and compiling it was 0.6 ms of each section, issue #7)."""
    model, related, shown = SECTION_ROWS[name]
    if not ids:
        return []
    found = sqlcache.objects(
        ("worklist rows", name),
        lambda *pks: (
            model._default_manager.select_related(*related).only(*shown).filter(pk__in=pks)
        ),
        tuple(ids),
    )
    return in_order(found, ids)


def _worklist_context(
    request: HttpRequest, actor, *, bound=None, open_involvement: int | None = None
) -> dict:
    """The first LIMIT items of each section (or MORE_LIMIT of the one section asked for with
    ?sectie=…) and each section's size; the sizes also feed the navigation badge (the context
    processor takes them from the request instead of counting again). `bound`: the check-in
    whose form is open, with that form; `open_involvement`: the request whose form is open."""
    on = today()
    expanded = request.GET.get("sectie", "")
    if expanded not in SECTIONS:
        expanded = ""

    def limit(name):
        return MORE_LIMIT if expanded == name else LIMIT

    # the numbers counted less than a minute ago (none after the user's own write: any POST
    # drops them), for the sections longer than their page
    kept = kept_badge(request) if bound is None and open_involvement is None else None
    sizes = kept[0] if kept else None
    signals_n, signals, kept_signals = _section(
        "signals",
        actor,
        on,
        lambda: selectors.my_signals(actor),
        limit("signals"),
        sizes and sizes.signals,
    )
    involvements_n, involvements, kept_involvements = _section(
        "involvements",
        actor,
        on,
        lambda: selectors.my_involvement_requests(actor),
        limit("involvements"),
        sizes and sizes.involvements,
    )
    actions_n, actions, kept_actions = _section(
        "actions",
        actor,
        on,
        lambda: selectors.my_actions(actor),
        limit("actions"),
        sizes and sizes.actions,
    )
    handovers_n, handovers, kept_handovers = _section(
        "handovers",
        actor,
        on,
        lambda: selectors.my_handovers(actor),
        limit("handovers"),
        sizes and sizes.handovers,
    )
    if kept and (kept_signals or kept_involvements or kept_actions or kept_handovers):
        # a size taken from the kept numbers keeps their time (core.context_processors._badge)
        request.worklist_counted_at = kept[1]  # type: ignore[attr-defined]
    listed, due = selectors.checkin_numbers(actor, on=on)
    counts = selectors.WorklistCounts(
        signals=signals_n,
        checkins=due,
        involvements=involvements_n,
        actions=actions_n,
        handovers=handovers_n,
        checkins_listed=listed,
    )
    request.worklist_counts = counts  # type: ignore[attr-defined]
    checkins = (
        list(selectors.my_checkins(actor, on=on).only(*CHECKIN_SHOWN)[: limit("checkins")])
        if listed
        else []
    )
    if bound is not None and all(c.pk != bound[0] for c in checkins):
        # the check-in whose form failed stays in view, also beyond the first LIMIT
        checkins += list(selectors.my_checkins(actor, on=on).filter(pk=bound[0]))
    if open_involvement is not None and all(i.pk != open_involvement for i in involvements):
        involvements += list(selectors.my_involvement_requests(actor).filter(pk=open_involvement))
    meetings = list(selectors.my_meetings(actor))
    student_ids = (
        [s.case.student_id for s in signals]
        + [c.case.student_id for c in checkins]
        + [i.case.student_id for i in involvements]
        + [a.agenda_item.case.student_id for a in actions]
        + [h.case.student_id for h in handovers]
    )
    if student_ids:
        processing_log_record(
            actor=actor, operation="read", activity="aftercare.signal", student_ids=student_ids
        )
    for check in checkins:
        # Only the check-in being recorded carries its form (open, with its errors or asked for
        # without JavaScript); the others load theirs when opened (worklist_checkin, issue #7).
        if bound is not None and bound[0] == check.pk:
            check.form = bound[1]  # type: ignore[attr-defined]
        else:
            url = id_url("worklist_checkin", check.pk)
            check.form = LazyForm(url, f"#checkin-{check.pk}")  # type: ignore[attr-defined]
    for involvement in involvements:
        # likewise the form to record an involvement: only the one asked for is in the page
        if involvement.pk != open_involvement:
            url = id_url("worklist_involvement", involvement.pk)
            involvement.form = LazyForm(url, f"#involvement-{involvement.pk}")  # type: ignore[attr-defined]
    totals = {
        "signals": counts.signals,
        "checkins": counts.checkins_listed,
        "involvements": counts.involvements,
        "handovers": counts.handovers,
        "actions": counts.actions,
    }
    shown = {
        "signals": len(signals),
        "checkins": len(checkins),
        "involvements": len(involvements),
        "handovers": len(handovers),
        "actions": len(actions),
    }
    return {
        "signals": signals,
        "checkins": checkins,
        "involvements": involvements,
        "handovers": handovers,
        "actions": actions,
        "meetings": meetings,
        "totals": totals,
        "more": {name: totals[name] - shown[name] for name in SECTIONS},
        "expanded": expanded,
        "today": on,
        "legal_task": LegalBasis.LEGAL_TASK,
        "open_check": bound[0] if bound else None,
        "open_involvement": open_involvement,
        "nothing": not (signals or checkins or involvements or handovers or actions or meetings),
    }


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    return render(request, "aftercare/worklist.html", _worklist_context(request, actor))


@never_cache
@login_required
@require_http_methods(["GET"])
def worklist_badge(request: HttpRequest) -> HttpResponse:
    """The count beside "Worklist" in the navigation, counted now: a page sent without it (none
    kept in the session) loads it from here once it is there, so no page waits for the count.
    The context processor keeps the numbers for the next pages (core/context_processors.py)."""
    counts = selectors.worklist_counts(actor_for(request.user))
    request.worklist_counts = counts  # type: ignore[attr-defined]
    return render(request, "core/_worklist_badge.html", {"worklist_badge_oob": False})


@login_required
@require_http_methods(["GET"])
def worklist_involvement(request: HttpRequest, involvement_id: int) -> HttpResponse:
    """The form to record one waiting request's involvement and advice (R-OVL-2): to htmx,
    which loads it when "Record your involvement and advice" is opened, only the form; without
    JavaScript, the worklist with that form open. The form posts to the youth page's action,
    as before (issue #7: the worklist no longer carries 25 forms nobody opened)."""
    actor = actor_for(request.user)
    involvement = selectors.my_involvement_requests(actor).filter(pk=involvement_id).first()
    if involvement is None:
        raise Http404
    return form_or_page(
        request,
        (
            "aftercare/_involvement_form.html",
            {"i": involvement, "today": today(), "legal_task": LegalBasis.LEGAL_TASK},
        ),
        lambda: (
            "aftercare/worklist.html",
            _worklist_context(request, actor, open_involvement=involvement.pk),
        ),
    )


def _checkin_form(check, on, data=None) -> CheckinQuickForm:
    return CheckinQuickForm(
        data, prefix=f"c{check.pk}", initial={"recorded_on": on, "contact_made": "yes"}
    )


@login_required
@require_http_methods(["GET", "POST"])
def worklist_checkin(request: HttpRequest, check_id: int) -> HttpResponse:
    """R-NZ-2 from the worklist: the form posts in place; 'could not reach' schedules a retry.

    GET gives the form of one check-in: to htmx, which loads it when "Record now" is opened (the
    worklist does not render 25 forms nobody opened, issue #7), only the form; without
    JavaScript, the worklist with that check-in's form open."""
    actor = actor_for(request.user)
    check = selectors.my_checkins(actor).filter(pk=check_id).first()
    if check is None:
        raise Http404
    if request.method == "GET":
        form = _checkin_form(check, today())
        return form_or_page(
            request,
            ("aftercare/_checkin_form.html", {"c": check, "f": form}),
            lambda: (
                "aftercare/worklist.html",
                _worklist_context(request, actor, bound=(check.pk, form)),
            ),
        )
    form = _checkin_form(check, today(), request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.aftercare_check_record(
                actor=actor,
                check_id=check.pk,
                recorded_on=d["recorded_on"],
                contact_made=d["contact_made"] == "yes",
                situation=d.get("situation") or "",
                notes=d.get("notes") or "",
                follow_up=d.get("follow_up") or "",
            )
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            name = check.case.student.full_name
            if d["contact_made"] == "yes":
                messages.success(
                    request, _("The check-in with %(name)s has been recorded.") % {"name": name}
                )
            else:
                messages.success(
                    request,
                    _("Not reached: a new check-in with %(name)s has been planned.")
                    % {"name": name},
                )
            return redirect("worklist")
    context = _worklist_context(request, actor, bound=(check.pk, form))
    return render(request, "aftercare/worklist.html", context)


# --- The worklist as a download -----------------------------------------------------------------


@dataclass(frozen=True)
class WorklistRow:
    """One item of the worklist in the export: its section, whom, what, and the date shown."""

    section: str
    name: str
    subject: str
    details: str
    date: dt.date | None
    status: str
    student_id: int | None = None


def _worklist_rows(actor) -> list[WorklistRow]:
    """Every item of the worklist, section by section in the screen's order and with its
    selectors, without the screen's cap of LIMIT per section; one query per section."""
    on = today()
    rows: list[WorklistRow] = []
    section = _("Signals")
    for s in selectors.my_signals(actor):
        acknowledged = s.status == SignalStatus.ACKNOWLEDGED
        rows.append(
            WorklistRow(
                section,
                s.case.student.full_name,
                s.get_kind_display(),
                s.text,
                s.due_on,
                _("acknowledged") if acknowledged else "",
                s.case.student_id,
            )
        )
    section = _("Check-ins")
    for c in selectors.my_checkins(actor):
        if c.retry_of:
            subject = _("Check-in %(n)s again (not reached)") % {"n": c.retry_of.sequence}
        else:
            subject = _("Check-in %(n)s") % {"n": c.sequence}
        status = _("overdue") if c.due_on < on else ""
        name = c.case.student.full_name
        rows.append(WorklistRow(section, name, subject, "", c.due_on, status, c.case.student_id))
    section = _("Asked to take part")
    for i in selectors.my_involvement_requests(actor):
        name = i.case.student.full_name
        org = i.organisation.name
        rows.append(WorklistRow(section, name, org, "", i.requested_on, "", i.case.student_id))
    section = _("Handovers to accept")
    for h in selectors.my_handovers(actor):
        subject = _("Warm handover from %(school)s") % {"school": h.case.student.school.name}
        details = f"{h.get_form_display()}, {h.receiving_person}"
        name = h.case.student.full_name
        rows.append(
            WorklistRow(section, name, subject, details, h.handed_over_on, "", h.case.student_id)
        )
    section = _("Actions from outflow meetings")
    for a in selectors.my_actions(actor):
        case = a.agenda_item.case
        name = case.student.full_name
        rows.append(WorklistRow(section, name, a.description, "", a.due_on, "", case.student_id))
    section = _("Outflow meetings this week")
    for m in selectors.my_meetings(actor):
        rows.append(WorklistRow(section, "", _("Outflow meeting"), m.place, m.scheduled_on, ""))
    return rows


WORKLIST_COLUMNS = [
    exports.Column(gettext_lazy("Section"), lambda r: r.section),
    exports.Column(gettext_lazy("Name"), lambda r: r.name),
    exports.Column(gettext_lazy("Subject"), lambda r: r.subject),
    exports.Column(gettext_lazy("Details"), lambda r: r.details),
    exports.Column(gettext_lazy("Date"), lambda r: r.date),
    exports.Column(gettext_lazy("Status"), lambda r: r.status),
]


@login_required
def worklist_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The own worklist as one table with a column naming the section; every youth in it is
    logged as read, with the screen's activity, in one record set."""
    fmt = exports.check_format(fmt)
    actor = actor_for(request.user)
    rows = _worklist_rows(actor)
    student_ids = [r.student_id for r in rows if r.student_id is not None]
    if student_ids:
        processing_log_record(
            actor=actor, operation="read", activity="aftercare.signal", student_ids=student_ids
        )
    return exports.tabular_response(
        fmt=fmt,
        filename="werkvoorraad",
        columns=WORKLIST_COLUMNS,
        rows=rows,
        sheet_title=_("Worklist"),
    )


# --- RMC monitoring list (R-RMC-1) -------------------------------------------------------------

PAGE_SIZE = 50
SORT_LABELS = {
    "name": gettext_lazy("Name (A–Z)"),
    "age": gettext_lazy("Age (youngest first)"),
    "school": gettext_lazy("School"),
    "outflow": gettext_lazy("Outflow (latest first)"),
    "contact": gettext_lazy("Last contact (longest ago first)"),
    "signals": gettext_lazy("Open signals (most first)"),
}


def _monitoring_rows(request: HttpRequest):
    actor = actor_for(request.user)
    try:
        qs, filters = selectors.monitoring_list(actor, request.GET)
    except NotFound:
        raise Http404 from None
    return actor, qs, filters


@login_required
def monitoring(request: HttpRequest) -> HttpResponse:
    actor, qs, filters = _monitoring_rows(request)
    page = Paginator(qs, PAGE_SIZE).get_page(page_number(request.GET.get("page")))
    rows = list(page.object_list)
    on = today()
    for case in rows:
        case.age = case.student.age_on(on)
    if rows:
        processing_log_record(
            actor=actor,
            operation="read",
            activity="aftercare.monitoring",
            student_ids=[c.student_id for c in rows],
        )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "schools": Organisation.objects.filter(
            region_id__in=selectors.monitoring_regions(actor), kind="school"
        ).order_by("name"),
        "situations": Situation.choices,
        "months": NO_CONTACT_MONTHS,
        "sorts": [(k, SORT_LABELS[k]) for k in selectors.MONITORING_SORTS],
        "query": query.urlencode(),
        "has_filters": any(v for k, v in filters.items() if k != "sort"),
    }
    return render(request, "aftercare/monitoring.html", context)


MONITORING_COLUMNS = [
    exports.Column(gettext_lazy("Name"), lambda c: c.student.full_name),
    exports.Column(gettext_lazy("Date of birth"), lambda c: c.student.date_of_birth),
    exports.Column(gettext_lazy("Age"), lambda c: c.age),
    exports.Column(gettext_lazy("School"), lambda c: c.student.school.name),
    exports.Column(gettext_lazy("Outflow date"), lambda c: c.outflow_on),
    exports.Column(
        gettext_lazy("Last known situation"),
        lambda c: c.get_last_known_situation_display() if c.last_known_situation else "",
    ),
    exports.Column(gettext_lazy("Last contact"), lambda c: c.last_contact_on),
    exports.Column(gettext_lazy("Open signals"), lambda c: c.open_signals),
    exports.Column(gettext_lazy("Monitoring until"), lambda c: c.rmc_monitoring_ends_on),
]


@login_required
def monitoring_export(request: HttpRequest, fmt: str = "csv") -> HttpResponse:
    """The monitoring list with its filters, all pages, as CSV or XLSX; every youth in it is
    logged as read, in one record set."""
    fmt = exports.check_format(fmt)
    actor, qs, _filters = _monitoring_rows(request)
    rows = list(qs)
    on = today()
    for case in rows:
        case.age = case.student.age_on(on)
    if rows:
        processing_log_record(
            actor=actor,
            operation="read",
            activity="aftercare.monitoring",
            student_ids=[c.student_id for c in rows],
        )
    return exports.tabular_response(
        fmt=fmt,
        filename="rmc-monitoring",
        columns=MONITORING_COLUMNS,
        rows=rows,
        sheet_title=_("RMC monitoring"),
        on=on,
    )
