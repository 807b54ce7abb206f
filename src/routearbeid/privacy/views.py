"""The privacy officer's screens (/privacy/): find a youth, their processing log, the inzage
export, and the register of processing activities. Only the privacy officer role opens them;
a youth they do not answer for is "not found" (404)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from routearbeid.core.errors import NotFound
from routearbeid.core.paging import page_number
from routearbeid.organisations.actors import actor_for
from routearbeid.processing_log.activities import ACTIVITIES

from . import export, selectors
from .forms import LogFilterForm, SubjectSearchForm

PAGE_SIZE = 50


def privacy_officer_required(view):
    """Only privacy officers; for everyone else the screens do not exist (404, never 403)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not selectors.is_privacy_officer(actor_for(request.user)):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _subject(request: HttpRequest, student_id: int, activity: str):
    try:
        return selectors.privacy_subject_get(
            actor=request.user, student_id=student_id, activity=activity
        )
    except NotFound:
        raise Http404 from None


@require_GET
@privacy_officer_required
def search(request: HttpRequest) -> HttpResponse:
    form = SubjectSearchForm(request.GET or None)
    rows = []
    searched = False
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        searched = True
        rows = selectors.privacy_subject_search(actor=request.user, query=form.cleaned_data["q"])
    return render(
        request, "privacy/search.html", {"form": form, "rows": rows, "searched": searched}
    )


@require_GET
@privacy_officer_required
def subject_log(request: HttpRequest, student_id: int) -> HttpResponse:
    student = _subject(request, student_id, selectors.LOG_REVIEW)
    organisations = list(selectors.subject_log_organisations(student=student))
    form = LogFilterForm(request.GET or None, organisations=organisations)
    filters = selectors.LogFilters()
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = selectors.LogFilters(
            since=d.get("since"),
            until=d.get("until"),
            organisation_id=d.get("organisation"),
            operation=d.get("operation") or "",
        )
    records = selectors.subject_log(student=student, filters=filters)
    page = Paginator(records, PAGE_SIZE).get_page(page_number(request.GET.get("page")))
    rows = [(r, ACTIVITIES.get(r.activity)) for r in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "privacy/subject_log.html",
        {
            "student": student,
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "filtered": form.is_bound and any(v for k, v in request.GET.items() if k != "page"),
        },
    )


@never_cache
@require_GET
@privacy_officer_required
def inzage_json(request: HttpRequest, student_id: int) -> HttpResponse:
    student = _subject(request, student_id, selectors.ACCESS_REQUEST)
    body = export.inzage_json(actor=actor_for(request.user), student=student)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="inzage-jongere-{student.pk}.json"'
    return response


@never_cache
@require_GET
@privacy_officer_required
def inzage_pdf(request: HttpRequest, student_id: int) -> HttpResponse:
    student = _subject(request, student_id, selectors.ACCESS_REQUEST)
    body = export.inzage_pdf(actor=actor_for(request.user), student=student)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="inzage-jongere-{student.pk}.pdf"'
    return response


@require_GET
@privacy_officer_required
def activities(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/activities.html",
        {"activities": sorted(ACTIVITIES.values(), key=lambda a: a.code)},
    )
