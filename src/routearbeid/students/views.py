"""The list of youth (/jongeren/): search, filter, sort and pages, only what the user may see."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from routearbeid.aftercare.constants import ACTIVE_SIGNAL_STATUSES
from routearbeid.aftercare.models import Signal
from routearbeid.core.dates import add_years, today
from routearbeid.organisations.actors import actor_for
from routearbeid.organisations.models import Organisation, User
from routearbeid.processing_log.services import processing_log_record
from routearbeid.route.constants import Stage
from routearbeid.route.models import Case

from .selectors import visible_students

PAGE_SIZE = 25
SORTS = {
    "name": ("last_name", "first_name", "id"),
    "-name": ("-last_name", "-first_name", "-id"),
    "age": ("-date_of_birth", "id"),
    "-age": ("date_of_birth", "id"),
    "stage": ("case_stage", "last_name", "id"),
}
SORT_LABELS = {
    "name": _("Name (A–Z)"),
    "-name": _("Name (Z–A)"),
    "age": _("Age (youngest first)"),
    "-age": _("Age (oldest first)"),
    "stage": _("Stage"),
}


def student_rows(actor, params) -> tuple:
    """The filtered, sorted students with their latest case and open signal count (fixed queries)."""
    on = today()
    latest_case = Case.objects.filter(student=OuterRef("pk")).order_by("-opened_on", "-id")
    qs = (
        visible_students(actor)
        .select_related("school", "mentor")
        .annotate(
            case_id=Subquery(latest_case.values("id")[:1]),
            case_stage=Subquery(latest_case.values("stage")[:1]),
        )
    )
    search = (params.get("q") or "").strip()[:100]
    for word in search.split():
        qs = qs.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    school = params.get("school") or ""
    if school.isdigit():
        qs = qs.filter(school_id=int(school))
    stage = params.get("stage") or ""
    if stage in Stage.values:
        qs = qs.filter(case_stage=stage)
    elif stage == "none":
        qs = qs.filter(case_id__isnull=True)
    age = params.get("age") or ""
    eighteen_ago = add_years(on, -18)
    if age == "under18":
        qs = qs.filter(date_of_birth__gt=eighteen_ago)
    elif age == "18plus":
        qs = qs.filter(date_of_birth__lte=eighteen_ago)
    mentor = params.get("mentor") or ""
    if mentor.isdigit():
        qs = qs.filter(mentor_id=int(mentor))
    organisation_ids = actor.organisation_ids()
    if params.get("signal") == "open":
        qs = qs.filter(
            id__in=Signal.objects.filter(
                status__in=ACTIVE_SIGNAL_STATUSES, organisation_id__in=organisation_ids
            ).values("case__student_id")
        )
    sort = params.get("sort") if params.get("sort") in SORTS else "name"
    qs = qs.order_by(*SORTS[sort])
    filters = {
        "q": search,
        "school": school,
        "stage": stage,
        "age": age,
        "mentor": mentor,
        "signal": params.get("signal") or "",
        "sort": sort,
    }
    return qs, filters


@login_required
def student_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if not actor.works_on_meetings:
        # The functional administrator and the privacy officer do no case work (need to know).
        raise Http404
    qs, filters = student_rows(actor, request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    signal_counts = dict(
        Signal.objects.filter(
            case_id__in=[r.case_id for r in rows if r.case_id],
            status__in=ACTIVE_SIGNAL_STATUSES,
            organisation_id__in=actor.organisation_ids(),
        )
        .values_list("case_id")
        .annotate(n=Count("id"))
        .values_list("case_id", "n")
    )
    for row in rows:
        row.open_signals = signal_counts.get(row.case_id, 0)
        row.age = row.age_on(today())
    if rows:
        processing_log_record(
            actor=actor,
            operation="read",
            activity="students.student",
            student_ids=[r.pk for r in rows],
        )
    schools = (
        Organisation.objects.filter(pk__in=actor.school_ids)
        if actor.school_ids
        else Organisation.objects.none()
    )
    mentors = (
        User.objects.filter(mentored_students__school_id__in=actor.school_ids)
        .distinct()
        .order_by("last_name")
        if actor.school_ids
        else User.objects.none()
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "stages": Stage.choices,
        "schools": schools,
        "mentors": mentors,
        "sorts": SORT_LABELS.items(),
        "query": query.urlencode(),
        "has_filters": any(v for k, v in filters.items() if k != "sort"),
        "may_see_pgn": actor.may_see_pgn,
    }
    return render(request, "students/student_list.html", context)
