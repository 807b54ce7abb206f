"""The worklist (/werkvoorraad/), the home page after login, and the RMC's monitoring list
(/monitoring/)."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from routearbeid.core.dates import today
from routearbeid.core.errors import DomainError, NotFound
from routearbeid.organisations.actors import actor_for
from routearbeid.organisations.models import Organisation
from routearbeid.processing_log.services import processing_log_record
from routearbeid.route.constants import LegalBasis, Situation

from . import selectors, services
from .forms import CheckinQuickForm
from .selectors import NO_CONTACT_MONTHS

LIMIT = 100


def _worklist_context(actor, *, bound=None) -> dict:
    signals = list(selectors.my_signals(actor)[:LIMIT])
    checkins = list(selectors.my_checkins(actor)[:LIMIT])
    involvements = list(selectors.my_involvement_requests(actor)[:LIMIT])
    actions = list(selectors.my_actions(actor)[:LIMIT])
    meetings = list(selectors.my_meetings(actor))
    student_ids = (
        [s.case.student_id for s in signals]
        + [c.case.student_id for c in checkins]
        + [i.case.student_id for i in involvements]
        + [a.agenda_item.case.student_id for a in actions]
    )
    if student_ids:
        processing_log_record(
            actor=actor, operation="read", activity="aftercare.signal", student_ids=student_ids
        )
    on = today()
    for check in checkins:
        if bound is not None and bound[0] == check.pk:
            form = bound[1]
        else:
            form = CheckinQuickForm(
                prefix=f"c{check.pk}", initial={"recorded_on": on, "contact_made": "yes"}
            )
        check.form = form  # type: ignore[attr-defined]
    return {
        "signals": signals,
        "checkins": checkins,
        "involvements": involvements,
        "actions": actions,
        "meetings": meetings,
        "today": on,
        "legal_task": LegalBasis.LEGAL_TASK,
        "open_check": bound[0] if bound else None,
        "nothing": not (signals or checkins or involvements or actions or meetings),
    }


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    return render(request, "aftercare/worklist.html", _worklist_context(actor))


@login_required
@require_POST
def worklist_checkin(request: HttpRequest, check_id: int) -> HttpResponse:
    """R-NZ-2 from the worklist: the form posts in place; 'could not reach' schedules a retry."""
    actor = actor_for(request.user)
    check = selectors.my_checkins(actor).filter(pk=check_id).first()
    if check is None:
        raise Http404
    form = CheckinQuickForm(request.POST, prefix=f"c{check.pk}")
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
    context = _worklist_context(actor, bound=(check.pk, form))
    return render(request, "aftercare/worklist.html", context)


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
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
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


@login_required
def monitoring_export(request: HttpRequest) -> HttpResponse:
    """The monitoring list with its filters as CSV; every youth in it is logged as read."""
    actor, qs, _filters = _monitoring_rows(request)
    rows = list(qs)
    on = today()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rmc-monitoring-{on:%Y-%m-%d}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with a byte order mark
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Name"),
            _("Date of birth"),
            _("Age"),
            _("School"),
            _("Outflow date"),
            _("Last known situation"),
            _("Last contact"),
            _("Open signals"),
            _("Monitoring until"),
        ]
    )
    for case in rows:
        student = case.student
        writer.writerow(
            [
                _csv_safe(student.full_name),
                f"{student.date_of_birth:%d-%m-%Y}",
                student.age_on(on),
                _csv_safe(student.school.name),
                f"{case.outflow_on:%d-%m-%Y}" if case.outflow_on else "",
                case.get_last_known_situation_display() if case.last_known_situation else "",
                f"{case.last_contact_on:%d-%m-%Y}" if case.last_contact_on else "",
                case.open_signals,
                f"{case.rmc_monitoring_ends_on:%d-%m-%Y}" if case.rmc_monitoring_ends_on else "",
            ]
        )
    if rows:
        processing_log_record(
            actor=actor,
            operation="read",
            activity="aftercare.monitoring",
            student_ids=[c.student_id for c in rows],
        )
    return response


def _csv_safe(value: str) -> str:
    """A cell that a spreadsheet would run as a formula starts with a quote instead."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
