"""The employer pages (/werkgevers/): the list with search and a form to add one, and one employer
with the youth placed there. Only case roles see them; everyone else gets "not found".
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from routearbeid.core.dates import today
from routearbeid.core.errors import DomainError, NotFound
from routearbeid.core.paging import page_number
from routearbeid.organisations.actors import Actor, actor_for
from routearbeid.processing_log.services import processing_log_record

from . import selectors, services
from .forms import EmployerForm
from .models import Employer

PAGE_SIZE = 25
SORT_LABELS = {
    "name": _("Name (A–Z)"),
    "end": _("Nearest contract end first"),
}


def _actor_or_404(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not actor.works_on_cases:
        raise Http404
    return actor


def _create(actor: Actor, form: EmployerForm) -> tuple[Employer | None, Employer | None]:
    """Run employer_create; on refusal put the message on the form. Returns (new, existing)."""
    data = form.cleaned_data
    try:
        return services.employer_create(
            actor=actor,
            name=data["name"],
            kvk_number=data["kvk_number"],
            contact_name=data.get("contact_name") or "",
            contact_email=data.get("contact_email") or "",
            contact_phone=data.get("contact_phone") or "",
            sector=data.get("sector") or "",
            place=data.get("place") or "",
        ), None
    except (DomainError, IntegrityError) as error:
        existing = Employer.objects.filter(kvk_number=data["kvk_number"]).first()
        if existing is not None:
            form.add_error("kvk_number", _("An employer with this KvK number already exists."))
        else:
            form.add_error(
                None,
                error.message
                if isinstance(error, DomainError)
                else _("The employer could not be saved."),
            )
        return None, existing


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def employer_list(request: HttpRequest) -> HttpResponse:
    actor = _actor_or_404(request)
    existing = None
    if request.method == "POST":
        form = EmployerForm(request.POST, prefix="employer")
        if form.is_valid():
            employer, existing = _create(actor, form)
            if employer is not None:
                messages.success(request, _("The employer has been added."))
                return redirect("employment:detail", employer.pk)
    else:
        form = EmployerForm(prefix="employer")

    on = today()
    search = (request.GET.get("q") or "").strip()[: selectors.SEARCH_MAX_LENGTH]
    sort = request.GET.get("sort") or "name"
    if sort not in selectors.SORTS:
        sort = "name"
    qs = selectors.employer_list(actor=actor, search=search, sort=sort, on=on)
    page = Paginator(qs, PAGE_SIZE).get_page(page_number(request.GET.get("page")))
    months = selectors.notice_months(actor)
    rows: list[Any] = list(page.object_list)
    for row in rows:
        row.ends_soon = selectors.ends_within(row.nearest_end, on, months)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": rows,
        "filters": {"q": search, "sort": sort},
        "sorts": SORT_LABELS.items(),
        "query": query.urlencode(),
        "has_filters": bool(search),
        "form": form,
        "existing_employer": existing,
        "notice_months": months,
    }
    return render(request, "employment/employer_list.html", context, status=200)


@login_required
def employer_detail(request: HttpRequest, employer_id: int) -> HttpResponse:
    actor = _actor_or_404(request)
    try:
        employer = selectors.employer_get(actor=actor, employer_id=employer_id)
    except NotFound:
        raise Http404 from None
    on = today()
    placements: list[Any] = list(selectors.employer_placements(actor=actor, employer=employer))
    current: list[Any] = []
    earlier: list[Any] = []
    for e in placements:
        e.ends_soon = selectors.ends_soon(e, on)
        e.notice_months = e.case.student.school.region.contract_end_notice_months
        is_current = e.ended_on is None and (e.ends_on is None or e.ends_on >= on)
        (current if is_current else earlier).append(e)
    if placements:
        processing_log_record(
            actor=actor,
            operation="read",
            activity="employment.record",
            student_ids=[e.case.student_id for e in placements],
        )
    context = {
        "employer": employer,
        "current": current,
        "earlier": earlier,
        "ending_count": sum(1 for e in current if e.ends_soon),
    }
    return render(request, "employment/employer_detail.html", context)
