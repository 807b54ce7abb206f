"""The list of youth (/jongeren/): search, filter, sort and pages, only what the user may see."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from routearbeid.aftercare.constants import ACTIVE_SIGNAL_STATUSES
from routearbeid.aftercare.models import Signal
from routearbeid.core import exports, sqlcache
from routearbeid.core.dates import add_years, today
from routearbeid.core.errors import DomainError, NotFound
from routearbeid.core.models import in_id_order
from routearbeid.core.paging import page_number
from routearbeid.organisations.actors import actor_for
from routearbeid.organisations.models import Organisation, User
from routearbeid.processing_log.services import processing_log_record
from routearbeid.route.constants import Stage
from routearbeid.route.models import Case
from routearbeid.route.selectors import case_access

from . import importing, services
from .forms import ImportMappingForm, ImportUploadForm
from .models import OPEN_IMPORT_STATUSES, ImportStatus, Student, StudentImport
from .selectors import name_contains, searched_order, visible_students

PAGE_SIZE = 25
# From this many youth on, a page in name order is read by walking the name index (issue #7):
# finding 25 of them costs about 25 / (their share of all youth) rows walked, against fetching
# and sorting all of them; at 1,000,000 youth the two meet near a few thousand.
WALK_FROM = 5_000
# Up to this many rows before the page, each youth the walk passes is looked up in the access
# indexes (visible_students(probed=True)); further on, the access sets are hashed once.
PROBED_ROWS = 100
# A name search with up to this many matches is read as their ids first (_searched_page).
SEARCHED_IDS = 5_000
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


def student_rows(actor, params, *, in_order: bool = False, probed: bool = False) -> tuple:
    """The filtered, sorted students with their latest case and open signal count (fixed queries).
    `in_order` and `probed`: the shape of the visible set for reading a page in the name index's
    order (students.selectors.visible_students; student_list decides)."""
    on = today()
    search = (params.get("q") or "").strip()[:100]
    qs = _shown(
        visible_students(actor, searched=bool(search.split()), in_order=in_order, probed=probed)
    )
    for word in search.split():
        qs = qs.filter(name_contains(word))
    school = params.get("school") or ""
    if school.isascii() and school.isdigit() and len(school) < 19:
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
    if mentor.isascii() and mentor.isdigit() and len(mentor) < 19:
        qs = qs.filter(mentor_id=int(mentor))
    organisation_ids = actor.organisation_ids()
    if params.get("signal") == "open":
        qs = qs.filter(
            id__in=Signal.objects.filter(
                status__in=ACTIVE_SIGNAL_STATUSES, organisation_id__in=organisation_ids
            ).values("case__student_id")
        )
    sort = params.get("sort") if params.get("sort") in SORTS else "name"
    qs = qs.order_by(*(searched_order(*SORTS[sort]) if search.split() else SORTS[sort]))
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
    has_filters = any(value for name, value in filters.items() if name != "sort")
    page, rows = (
        _searched_page(qs, page_number(request.GET.get("page"))) if filters["q"] else (None, [])
    )
    if page is None:
        page = _list_page(actor, request, qs, filters, has_filters)
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
        # `id IN (the students' mentors)`, not a join made DISTINCT: that joined the school's
        # 4,800 students with their mentors and sorted whole user rows (11 vs 4 ms, issue #7)
        User.objects.filter(
            pk__in=Student.objects.filter(school_id__in=actor.school_ids).values("mentor_id")
        ).order_by("last_name")
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
        "has_filters": has_filters,
        "may_see_pgn": actor.may_see_pgn,
        "may_import": bool(importing.importing_school_ids(actor)),
    }
    return render(request, "students/student_list.html", context)


def _shown(students: QuerySet) -> QuerySet:
    """The youth with what a row of the list shows: their school, mentor and latest case."""
    latest_case = Case.objects.filter(student=OuterRef("pk")).order_by("-opened_on", "-id")
    return students.select_related("school", "mentor").annotate(
        case_id=Subquery(latest_case.values("id")[:1]),
        case_stage=Subquery(latest_case.values("stage")[:1]),
    )


def _list_page(actor, request, qs, filters, has_filters):
    """The page of the list: counted from a partner's links when it is the whole list, and read
    along the name index when it is long and in name order."""
    paginator = Paginator(qs, PAGE_SIZE)
    if not has_filters:
        # The whole list of a partner is counted from its links alone (issue #7).
        known = case_access(actor).link_count(of="student")
        if known is not None:
            paginator.count = known  # type: ignore[misc]
    if not filters["q"] and filters["sort"] in ("name", "-name") and paginator.count >= WALK_FROM:
        # Many youth, by name: read the page by walking the name index, with the same
        # condition in the shape that allows it (visible_students(in_order=True)). The count
        # stays the one just made: the id set's shape counts faster.
        count = paginator.count
        # the page number, checked against the count (no query)
        number = paginator.get_page(page_number(request.GET.get("page"))).number
        offset = (number - 1) * PAGE_SIZE
        probed = offset < PROBED_ROWS
        if not has_filters:
            # The whole list, by name: the page's ids from SQL compiled once per person, day,
            # order and page (core.sqlcache), then the rows by id. Building and compiling the
            # walk's access condition was 4-8 ms of a partner's list (issue #7). The key names
            # the selector too: the bench's unfiltered twin swaps it for one request.
            found = sqlcache.rows(
                (
                    "youth_list",
                    visible_students,
                    actor.key,
                    today(),
                    filters["sort"],
                    probed,
                    offset,
                    PAGE_SIZE,
                ),
                lambda: student_rows(actor, request.GET, in_order=True, probed=probed)[
                    0
                ].values_list("pk")[offset : offset + PAGE_SIZE],
            )
            rows = in_id_order(_shown(Student.objects.all()), [pk for (pk,) in found])
            paginator = Paginator(rows, PAGE_SIZE)
            paginator.count = count  # type: ignore[misc]
            return Page(rows, number, paginator)
        walking, _filters = student_rows(actor, request.GET, in_order=True, probed=probed)
        paginator = Paginator(walking, PAGE_SIZE)
        paginator.count = count  # type: ignore[misc]
    return paginator.get_page(page_number(request.GET.get("page")))


def _searched_page(qs, number) -> tuple:
    """A name search's page from one search: the ids of all its matches in order (at most
    SEARCHED_IDS), which give the count and the page, and then the page's rows by id. The count
    and the page each searched the names and tested each match against the access rules: twice
    the same work (a work service's search at 1,000,000 cases: 11 and 13 ms of SQL). With more
    matches than that, (None, []): the count and the page the usual way."""
    ids = list(qs.values_list("pk", flat=True)[: SEARCHED_IDS + 1])
    if len(ids) > SEARCHED_IDS:
        return None, []
    page = Paginator(ids, PAGE_SIZE).get_page(number)
    page.object_list = in_id_order(qs, list(page.object_list))
    return page, page.object_list


STUDENT_COLUMNS = [
    exports.Column(_("Name"), lambda s: f"{s.last_name}, {s.first_name}"),
    exports.Column(_("Age"), lambda s: s.age),
    exports.Column(_("School"), lambda s: s.school.name),
    exports.Column(_("Mentor"), lambda s: str(s.mentor) if s.mentor else ""),
    exports.Column(
        _("Stage"), lambda s: str(Stage(s.case_stage).label if s.case_stage else _("No case yet"))
    ),
    exports.Column(_("Open signals"), lambda s: s.open_signals),
]


@login_required
def student_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The youth list with its search and filters, all pages, as CSV or XLSX: the screen's
    columns and rows (student_rows), the open signals counted in the same query; every youth in
    it is logged as read, in one record set."""
    fmt = exports.check_format(fmt)
    actor = actor_for(request.user)
    if not actor.works_on_meetings:
        raise Http404
    qs, _filters = student_rows(actor, request.GET)
    open_signals = (
        Signal.objects.filter(
            case_id=OuterRef("case_id"),
            status__in=ACTIVE_SIGNAL_STATUSES,
            organisation_id__in=actor.organisation_ids(),
        )
        .order_by()
        .values("case_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = list(qs.annotate(open_signals=Coalesce(Subquery(open_signals), 0)))
    on = today()
    for row in rows:
        row.age = row.age_on(on)
    if rows:
        processing_log_record(
            actor=actor,
            operation="read",
            activity="students.student",
            student_ids=[r.pk for r in rows],
        )
    return exports.tabular_response(
        fmt=fmt,
        filename="jongeren",
        columns=STUDENT_COLUMNS,
        rows=rows,
        sheet_title=str(_("Youth")),
        on=on,
    )


# --- the import from the school administration (/jongeren/importeren/) ----------------------------
# Only the school's coordinators (students.importing.importing_school_ids); anyone else gets 404,
# exactly as for an import that does not exist. Every step calls one service.


def _import_or_404(actor, import_id: int, *, with_rows: bool = False) -> StudentImport:
    try:
        return importing.import_get(actor=actor, import_id=import_id, with_rows=with_rows)
    except NotFound:
        raise Http404 from None


def _mark_invalid(form, name: str) -> None:
    """An error added after validation (from the service) is tied to its field, as StyledForm does."""
    field_id = form[name].auto_id
    form.fields[name].widget.attrs["aria-invalid"] = "true"
    form.fields[name].widget.attrs["aria-describedby"] = f"{field_id}_error {field_id}_helptext"


@login_required
def student_import(request: HttpRequest) -> HttpResponse:
    """Step 1: choose the school (when there are several) and upload the file."""
    actor = actor_for(request.user)
    school_ids = importing.importing_school_ids(actor)
    if not school_ids:
        raise Http404
    schools = list(Organisation.objects.filter(pk__in=school_ids).order_by("name"))
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES, schools=schools)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = services.student_import_start(
                    actor=actor,
                    school_id=form.cleaned_data["school"],
                    file_name=upload.name or "",
                    data=upload.read(),
                )
            except NotFound:
                raise Http404 from None
            except DomainError as error:
                form.add_error("file", str(error.message))
                _mark_invalid(form, "file")
            else:
                return redirect("students:import_mapping", batch.pk)
    else:
        form = ImportUploadForm(schools=schools)
    context = {
        "form": form,
        "schools": schools,
        "imports": list(importing.import_list(actor=actor)[:10]),
        "retention_days": services.IMPORT_RETENTION_DAYS,
    }
    return render(request, "students/import_upload.html", context)


@login_required
def student_import_mapping(request: HttpRequest, import_id: int) -> HttpResponse:
    """Step 2: which column holds which field (pre-filled from the column names)."""
    actor = actor_for(request.user)
    batch = _import_or_404(actor, import_id, with_rows=True)
    if batch.status not in OPEN_IMPORT_STATUSES:
        return redirect("students:import_detail", batch.pk)
    form = ImportMappingForm(
        request.POST or None, headers=batch.headers, initial_mapping=batch.mapping
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.student_import_map(actor=actor, import_id=batch.pk, mapping=form.mapping())
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            return redirect("students:import_detail", batch.pk)
    sample = [cells for _number, cells in batch.rows[:3]]
    columns = [
        {
            "name": name or _("Column %(n)s") % {"n": i + 1},
            "examples": [_masked(str(row[i])) for row in sample if i < len(row) and row[i] != ""],
        }
        for i, name in enumerate(batch.headers)
    ]
    context = {"batch": batch, "form": form, "columns": columns}
    return render(request, "students/import_mapping.html", context)


def _masked(value: str) -> str:
    """An example value on the mapping step: a number of 8 or more digits (BSN, education
    number, phone) shows only its last three, enough to recognise the column."""
    digits = value.replace(" ", "").replace("-", "")
    if digits.isascii() and digits.isdigit() and len(digits) >= 8:
        return "•" * (len(digits) - 3) + digits[-3:]
    return value


def _preview_context(actor, batch: StudentImport) -> dict:
    summary = batch.summary or {}
    samples = summary.get("samples", {})
    sections = []
    for action, title in (
        (importing.CREATE, _("New students")),
        (importing.UPDATE, _("Students to update")),
        (importing.UNCHANGED, _("Unchanged students")),
    ):
        rows = [
            {
                **row,
                "born": importing.date_text(row.get("date_of_birth")),
                "changes": importing.field_labels(row.get("changed", [])),
            }
            for row in samples.get(action, [])
        ]
        count = summary.get("counts", {}).get(action, 0)
        sections.append({"action": action, "title": title, "rows": rows, "count": count})
    shown = [
        r["student_id"]
        for action in (importing.UPDATE, importing.UNCHANGED)
        for r in samples.get(action, [])
        if r.get("student_id")
    ]
    if shown:
        # The page names students the school already has: a read of their file.
        ids = list(
            Student.objects.filter(pk__in=shown, school_id=batch.school_id).values_list(
                "pk", flat=True
            )
        )
        if ids:
            processing_log_record(
                actor=actor,
                operation="read",
                activity="students.student",
                student_ids=ids,
                organisation_id=batch.school_id,
            )
    counts = summary.get("counts", {})
    errors = summary.get("errors", [])
    return {
        "counts": counts,
        "sections": sections,
        "errors": errors,
        "more_errors": max(0, counts.get(importing.ERROR, 0) - len(errors)),
        "to_write": counts.get(importing.CREATE, 0) + counts.get(importing.UPDATE, 0),
    }


def _result_context(batch: StudentImport) -> dict:
    summary = batch.summary or {}
    errors = summary.get("errors", []) if batch.status == ImportStatus.DONE else []
    return {
        "errors": errors,
        "more_errors": max(0, batch.skipped_count - len(errors)),
        "failure": gettext(batch.failure) if batch.failure else "",
    }


@login_required
def student_import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    """Step 3 and after: the preview to confirm, then the progress, then the result."""
    actor = actor_for(request.user)
    batch = _import_or_404(actor, import_id)
    if batch.status == ImportStatus.MAPPING:
        return redirect("students:import_mapping", batch.pk)
    context: dict = {"batch": batch, **_result_context(batch)}
    if batch.status == ImportStatus.PREVIEW:
        context["preview"] = _preview_context(actor, batch)
    return render(request, "students/import_detail.html", context)


@login_required
def student_import_progress(request: HttpRequest, import_id: int) -> HttpResponse:
    """The progress bar alone, for htmx to poll every second; without polling once finished."""
    actor = actor_for(request.user)
    batch = _import_or_404(actor, import_id)
    context = {"batch": batch, **_result_context(batch)}
    return render(request, "students/import_detail.html#progress", context)


@login_required
@require_POST
def student_import_confirm(request: HttpRequest, import_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    batch = _import_or_404(actor, import_id)
    try:
        services.student_import_confirm(actor=actor, import_id=batch.pk)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("students:import_detail", batch.pk)


@login_required
@require_POST
def student_import_cancel(request: HttpRequest, import_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    batch = _import_or_404(actor, import_id)
    try:
        services.student_import_cancel(actor=actor, import_id=batch.pk)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("students:import_detail", batch.pk)
    messages.success(request, _("The import has been cancelled. Nothing was written."))
    return redirect("students:import")
