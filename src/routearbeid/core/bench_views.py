"""Pages for the load benchmark only (bench/, docs/performance.md); in the URLconf only when
settings.ROUTEARBEID_BENCH_VIEWS is on (settings.bench), so no other environment has them.

- The floor: the cheapest page a logged-in person can get through the same middleware stack
  (session, authentication, 2FA check, CSRF, CSP, trace id): one query that reads 25 rows by an
  index, rendered with a small template. Every scenario is reported relative to it.
- The unfiltered youth list: /jongeren/ (students.views.student_list) for the same user, with
  the permission filter (students.selectors.visible_students) replaced by all students: what a
  superuser would get if superusers saw case data (they do not: a superuser has no seats). The
  benchmark compares the two.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import path

from routearbeid.route.selectors import CaseAccess
from routearbeid.students import views as student_views
from routearbeid.students.models import Student

FLOOR_ROWS = 25


def _small_int(text: str | None) -> int | None:
    text = text or ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    """25 students of one school through the (school, last_name, first_name) index; no context
    processors (render_to_string without the request), so nothing but this query and the stack."""
    school_id = _small_int(request.GET.get("school")) or 0
    rows = list(
        Student.objects.filter(school_id=school_id)
        .order_by("last_name", "first_name")
        .values_list("id", "first_name", "last_name", "date_of_birth")[:FLOOR_ROWS]
    )
    return HttpResponse(render_to_string("core/bench_floor.html", {"rows": rows}))


@login_required
def unfiltered_student_list(request: HttpRequest) -> HttpResponse:
    """students.views.student_list itself, with its permission filter replaced by all students
    for the length of this request: the same annotations, paging, count, processing log,
    template and context, so the two cannot drift apart.

    Both ways the list asks what the user may see are replaced: the selector
    (visible_students) and the access rules a partner's whole list is counted from
    (route.selectors.case_access: its links). So the twin counts what it lists, all youth, as a
    superuser's list would; with the partner's own count it showed "45,000 youth" over a list of
    a million and left the cost of that count out of the comparison.

    Replacing module globals is only safe with one request at a time per process: the bench
    server runs gunicorn's sync workers (bench/run.sh), never threads.
    """
    originals = (student_views.visible_students, student_views.case_access)
    student_views.visible_students = _all_students  # type: ignore[assignment]
    student_views.case_access = _no_access_rules  # type: ignore[assignment]
    try:
        return student_views.student_list(request)
    finally:
        student_views.visible_students, student_views.case_access = originals


def _all_students(actor, **_shape) -> QuerySet[Student]:
    """In place of visible_students, whatever shape the view asks for."""
    return Student.objects.all()


def _no_access_rules(actor) -> CaseAccess:
    """In place of case_access: no rules, so nothing is counted from a partner's links."""
    return CaseAccess(school_ids=frozenset(), parts=())


app_name = "bench"
urlpatterns = [
    path("floor/", floor, name="floor"),
    path("jongeren-ongefilterd/", unfiltered_student_list, name="unfiltered_students"),
]
