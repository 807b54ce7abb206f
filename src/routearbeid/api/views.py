"""The API's resources: reads through the screens' selectors, scoped to the acting user, every
read of a youth's data in the processing log."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from routearbeid.aftercare.constants import SignalStatus
from routearbeid.aftercare.models import (
    AftercareCheck,
    FollowUpContact,
    MonitoringNote,
    SelfReport,
    Signal,
)
from routearbeid.aftercare.selectors import monitoring_regions
from routearbeid.core.errors import NotFound, PermissionDenied
from routearbeid.core.models import in_id_order
from routearbeid.employment import selectors as employment_selectors
from routearbeid.employment.models import AbaApplication, Employment, Provision
from routearbeid.meetings import selectors as meeting_selectors
from routearbeid.organisations.constants import OrganisationKind
from routearbeid.organisations.models import Organisation
from routearbeid.processing_log.services import processing_log_record
from routearbeid.route import services as route_services
from routearbeid.route.constants import Stage
from routearbeid.route.forms import OpenCaseForm
from routearbeid.route.models import (
    Case,
    Deregistration,
    ExemptionDecision,
    Handover,
    Involvement,
    TimelineEvent,
)
from routearbeid.route.selectors import (
    case_access,
    case_get,
    case_list,
    case_readiness,
    visible_cases,
)
from routearbeid.students.selectors import student_get, student_list

from . import serializers as s
from .base import ReadOnlyViewSet
from .kept import kept_count
from .meeting_views import EmployerCreateMixin, MeetingPlanMixin
from .params import bool_param, choice_param, date_param, int_param, path_pk, text_param


def _param(name: str, kind, description, enum=None) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description, enum=enum)


RAISED_STATUSES = [s for s in SignalStatus.values if s != SignalStatus.SCHEDULED]
CASE_PARAM = _param("case", OpenApiTypes.INT, _("Only for this case."))


def documented(*, tag: str, list_params=(), list_summary, detail_summary):
    """Summaries, tag and query parameters of a list-and-detail resource."""
    return extend_schema_view(
        list=extend_schema(tags=[tag], summary=list_summary, parameters=list(list_params)),
        retrieve=extend_schema(tags=[tag], summary=detail_summary),
    )


# --- students and cases -------------------------------------------------------------------------


@documented(
    tag="students",
    list_summary=_("List the students you may see"),
    detail_summary=_("One student"),
    list_params=[
        _param(
            "q",
            OpenApiTypes.STR,
            _(
                "Each word in the first or the last name: anywhere in it, or at its start for a word of one or two letters."
            ),
        ),
        _param("school", OpenApiTypes.INT, _("Only students of this school (organisation id).")),
    ],
)
class StudentViewSet(ReadOnlyViewSet):
    serializer_class = s.StudentSerializer

    def get_queryset(self) -> QuerySet:
        qs = student_list(actor=self.actor, search=text_param(self.request, "q"))
        if (school := int_param(self.request, "school")) is not None:
            qs = qs.filter(school_id=school)
        return qs

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        _log_read(self.actor, "students.student", [st.pk for st in page])
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        student = student_get(actor=self.actor, student_id=path_pk(kwargs["pk"]))
        return Response(self.get_serializer(student).data)


def _log_read(actor, activity: str, student_ids) -> None:
    ids = list(student_ids)
    if ids:
        processing_log_record(actor=actor, operation="read", activity=activity, student_ids=ids)


# What a page of the case list is read with: the case and its youth (CaseSerializer shows the
# youth's school by its id; reading the school's row too was a join and an object per case).
API_CASE_RELATED = ("student",)


class LinkedCases:
    """A partner's unfiltered case list in id order, for the paginator: a slice is read from the
    indexes of the actor's access parts (its links, the RMC's monitoring list;
    CaseAccess.link_case_ids), then those cases by primary key, each checked again against the
    actor's access.

    `read` reads the ids up to one past the page asked for. When there is none past it, the
    page is the last one (or past the end) and the ids read are the count, exactly. Otherwise
    the count is one made less than a minute ago (api.kept: counting a work service's 45,000
    links was 11-16 ms of each page, issue #7), or made now when none is kept or the kept one
    is smaller than what was read. So `next` is always right and the last page's count exact;
    on the pages before it the count is at most a minute old."""

    ordered = True

    def __init__(self, access, count: int, ids: list[int]):
        self.access = access
        self._count = count
        # the ids read up to one past the page asked for: every slice the paginator takes
        self._ids = ids

    @classmethod
    def read(cls, actor, access, number: int, size: int) -> LinkedCases | None:
        stop = number * size
        ids = access.link_case_ids(stop + 1)
        if ids is None:
            return None
        if len(ids) <= stop:
            return cls(access, len(ids), ids)
        count = kept_count(("api.cases", actor.key), access.link_count, at_least=len(ids))
        return cls(access, count, ids)

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, item: slice) -> list[Case]:
        ids = self._ids[item]
        rows = (
            Case.objects.filter(pk__in=ids)
            .filter(self.access.case_q())
            .select_related(*API_CASE_RELATED)
        )
        return sorted(rows, key=lambda case: case.pk)


class SchoolCases:
    """A school's case list in id order, for the paginator: the ids of all its cases that pass
    the request's filters are read at once (through its students, no ORDER BY), which gives
    the count and, sorted, each page's ids; then the page's cases by primary key. Sorting a few
    thousand whole rows in the database to return 25, and counting them again, took 30 ms of a
    school's list at 1,000,000 cases (issue #7). With more than SCHOOL_IDS cases: None from
    `read`, and the list is the queryset's own ORDER BY and COUNT."""

    ordered = True

    def __init__(self, ids: list[int]):
        self.ids = ids

    @classmethod
    def read(cls, qs: QuerySet, cap: int) -> SchoolCases | None:
        ids = list(qs.order_by().values_list("pk", flat=True)[: cap + 1])
        if len(ids) > cap:
            return None
        return cls(sorted(ids))

    def count(self) -> int:
        return len(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, item: slice) -> list[Case]:
        return in_id_order(Case.objects.select_related(*API_CASE_RELATED), self.ids[item])


# A school's case list with up to this many cases is read as ids first (SchoolCases).
SCHOOL_IDS = 20_000


@documented(
    tag="cases",
    list_summary=_("List the cases you may see"),
    detail_summary=_("One case"),
    list_params=[
        _param("stage", OpenApiTypes.STR, _("Only cases in this stage."), enum=Stage.values),
        _param("school", OpenApiTypes.INT, _("Only cases of students of this school.")),
        _param("student", OpenApiTypes.INT, _("Only cases of this student.")),
        _param("updatedSince", OpenApiTypes.DATE, _("Only cases changed on or after this date.")),
    ],
)
class CaseViewSet(ReadOnlyViewSet):
    serializer_class = s.CaseSerializer
    filtered = False  # whether get_queryset applied a filter of the request
    known_count: int | None = None  # the list's count when made another way (api.pagination)

    def get_queryset(self) -> QuerySet:
        request = self.request
        # the screens' list selector, in id order: its shape starts from the actor's own links
        # or, for a school, from its students (route.selectors)
        qs = case_list(actor=self.actor, by_id=True)
        self.filtered = False
        if stage := choice_param(request, "stage", Stage.values):
            qs = qs.filter(stage=stage)
            self.filtered = True
        if (school := int_param(request, "school")) is not None:
            qs = qs.filter(student__school_id=school)
            self.filtered = True
        if (student := int_param(request, "student")) is not None:
            qs = qs.filter(student_id=student)
            self.filtered = True
        if since := date_param(request, "updatedSince"):
            qs = qs.filter(updated_at__date__gte=since)
            self.filtered = True
        return qs

    def list(self, request, *args, **kwargs):
        qs = self.get_queryset()
        # Unfiltered, a partner's cases are counted, and its page found, from its links alone
        # (issue #7).
        access = case_access(self.actor)
        rows: QuerySet | LinkedCases | SchoolCases | None = None
        self.known_count = None
        if not access.parts:
            rows = SchoolCases.read(qs, SCHOOL_IDS)
            self.known_count = rows.count() if rows is not None else None
        elif not self.filtered:
            linked = LinkedCases.read(self.actor, access, *self.paginator.requested(request))
            if linked is not None:
                rows, self.known_count = linked, linked.count()
        page = self.paginate_queryset(qs if rows is None else rows)
        _log_read(self.actor, "route.case", [c.student_id for c in page])
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        case = case_get(actor=self.actor, case_id=path_pk(kwargs["pk"]))
        return Response(self.get_serializer(case).data)

    @extend_schema(
        tags=["cases"],
        summary=_("Open a case for a student of your school"),
        request=s.OpenCaseRequestSerializer,
        responses={201: s.CaseSerializer},
        examples=[
            OpenApiExample(
                "example", value={"student": 42, "openedOn": "2026-11-30"}, request_only=True
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        body = s.OpenCaseRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        student_id = body.validated_data["student"]
        form = OpenCaseForm(data={"opened_on": body.validated_data["opened_on"].isoformat()})
        if not form.is_valid():
            raise ValidationError(form.errors)
        # The same check as the screen (route.views.case_open_view), then the same service.
        try:
            student = student_get(actor=self.actor, student_id=student_id, log=False)
        except NotFound:
            raise ValidationError(
                {"student": [_("There is no student with this id that you may see.")]}
            ) from None
        if student.school_id not in self.actor.school_ids:
            raise PermissionDenied(_("Only the student's school can open a case."))
        case = route_services.case_open(
            actor=self.actor, student_id=student.pk, opened_on=form.cleaned_data["opened_on"]
        )
        case = Case.objects.select_related("student").get(pk=case.pk)
        return Response(self.get_serializer(case).data, status=201)


class CaseTransitionsView(ReadOnlyViewSet):
    """The next step of a case and the rules it still needs (the screens' checklist)."""

    serializer_class = s.TransitionSerializer
    pagination_class = None

    @extend_schema(
        tags=["cases"],
        summary=_("The next step of a case and the rules that must hold first"),
        responses=s.TransitionSerializer(many=True),
    )
    def list(self, request, *args, **kwargs):
        case = case_get(actor=self.actor, case_id=path_pk(kwargs["caseId"]))
        steps = case_readiness(actor=self.actor, case=case)
        return Response(s.TransitionSerializer(steps, many=True).data)


# --- what hangs under a case --------------------------------------------------------------------


class CaseChildViewSet(ReadOnlyViewSet):
    """A resource of which every row belongs to one case: visible when the case is."""

    model: Any
    activity: str
    ordering: tuple[str, ...] = ("id",)
    related: tuple[str, ...] = ()

    def scope(self, qs: QuerySet) -> QuerySet:
        """A further limit within the visible cases (signals, monitoring notes)."""
        return qs

    def filter(self, qs: QuerySet) -> QuerySet:
        return qs

    def get_queryset(self) -> QuerySet:
        actor = self.actor
        if "caseId" in self.kwargs:
            case = case_get(actor=actor, case_id=path_pk(self.kwargs["caseId"]), log=False)
            qs = self.model.objects.filter(case=case)
        else:
            qs = self.model.objects.filter(case__in=visible_cases(actor).values("pk"))
            if (case_id := int_param(self.request, "case")) is not None:
                qs = qs.filter(case_id=case_id)
        qs = self.filter(self.scope(qs))
        return qs.select_related("case", *self.related).order_by(*self.ordering)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        _log_read(self.actor, self.activity, [row.case.student_id for row in page])
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        row = self.get_queryset().filter(pk=path_pk(kwargs["pk"])).first()
        if row is None:
            raise NotFound("not found")
        _log_read(self.actor, self.activity, [row.case.student_id])
        return Response(self.get_serializer(row).data)


def child(plural, singular, tag: str, **params):
    return documented(
        tag=tag,
        list_summary=format_lazy(_("List the {} you may see"), plural),
        detail_summary=format_lazy(_("One {}"), singular),
        list_params=[CASE_PARAM, *params.get("extra", [])],
    )


@child(_("involvements of partner organisations"), _("involvement"), "consultation")
class InvolvementViewSet(CaseChildViewSet):
    model = Involvement
    serializer_class = s.InvolvementSerializer
    activity = "route.involvement"


@child(_("warm handovers"), _("warm handover"), "handover")
class HandoverViewSet(CaseChildViewSet):
    model = Handover
    serializer_class = s.HandoverSerializer
    activity = "route.handover"


@child(_("exemption decisions"), _("exemption decision"), "leerplicht")
class ExemptionViewSet(CaseChildViewSet):
    model = ExemptionDecision
    serializer_class = s.ExemptionSerializer
    activity = "route.case"


@child(_("deregistrations from school"), _("deregistration"), "outflow")
class DeregistrationViewSet(CaseChildViewSet):
    model = Deregistration
    serializer_class = s.DeregistrationSerializer
    activity = "route.outflow"


@child(_("ABA applications"), _("ABA application"), "work")
class AbaApplicationViewSet(CaseChildViewSet):
    model = AbaApplication
    serializer_class = s.AbaApplicationSerializer
    activity = "employment.record"


@child(_("provisions"), _("provision"), "work")
class ProvisionViewSet(CaseChildViewSet):
    model = Provision
    serializer_class = s.ProvisionSerializer
    activity = "employment.record"


@child(
    _("jobs and BBL places"),
    _("job or BBL place"),
    "work",
    extra=[_param("current", OpenApiTypes.BOOL, _("Only jobs that have not ended."))],
)
class EmploymentViewSet(CaseChildViewSet):
    model = Employment
    serializer_class = s.EmploymentSerializer
    activity = "employment.record"

    def filter(self, qs):
        current = bool_param(self.request, "current")
        if current is not None:
            from routearbeid.core.dates import today

            condition = employment_selectors.current_q(today())
            qs = qs.filter(condition) if current else qs.exclude(condition)
        return qs


@child(
    _("aftercare check-ins"),
    _("aftercare check-in"),
    "aftercare",
    extra=[
        _param("open", OpenApiTypes.BOOL, _("true: not yet recorded; false: recorded.")),
        _param("dueBefore", OpenApiTypes.DATE, _("Only check-ins due before this date.")),
    ],
)
class CheckInViewSet(CaseChildViewSet):
    model = AftercareCheck
    serializer_class = s.CheckInSerializer
    activity = "aftercare.checkin"
    ordering = ("due_on", "id")

    def filter(self, qs):
        if (is_open := bool_param(self.request, "open")) is not None:
            qs = qs.filter(recorded_on__isnull=is_open)
        if due_before := date_param(self.request, "dueBefore"):
            qs = qs.filter(due_on__lt=due_before)
        return qs


@child(_("self-reports of the youth"), _("self-report"), "aftercare")
class SelfReportViewSet(CaseChildViewSet):
    model = SelfReport
    serializer_class = s.SelfReportSerializer
    activity = "aftercare.checkin"
    ordering = ("-reported_at", "-id")


@child(
    _("signals for your organisations"),
    _("signal"),
    "aftercare",
    extra=[
        _param("status", OpenApiTypes.STR, _("Only signals with this status."), RAISED_STATUSES)
    ],
)
class SignalViewSet(CaseChildViewSet):
    model = Signal
    serializer_class = s.SignalSerializer
    activity = "aftercare.signal"
    ordering = ("due_on", "id")

    def scope(self, qs):
        # As on the youth's page: the signals addressed to one of the caller's organisations,
        # once raised (a scheduled one is not a signal to anybody yet).
        return qs.filter(organisation_id__in=self.actor.organisation_ids()).exclude(
            status=SignalStatus.SCHEDULED
        )

    def filter(self, qs):
        if status := choice_param(self.request, "status", RAISED_STATUSES):
            qs = qs.filter(status=status)
        return qs


@child(_("follow-up contacts of the work service"), _("follow-up contact"), "aftercare")
class FollowUpContactViewSet(CaseChildViewSet):
    model = FollowUpContact
    serializer_class = s.FollowUpContactSerializer
    activity = "aftercare.follow_up"
    ordering = ("-contact_on", "-id")


@child(_("RMC monitoring notes"), _("monitoring note"), "aftercare")
class MonitoringNoteViewSet(CaseChildViewSet):
    model = MonitoringNote
    serializer_class = s.MonitoringNoteSerializer
    activity = "aftercare.monitoring"
    ordering = ("-noted_on", "-id")

    def scope(self, qs):
        # R-RMC-1: only the RMC of the youth's region keeps and reads monitoring notes.
        regions = monitoring_regions(self.actor)
        return qs.filter(case__student__school__region_id__in=regions)


@child(_("timeline events"), _("timeline event"), "cases")
class TimelineEventViewSet(CaseChildViewSet):
    model = TimelineEvent
    serializer_class = s.TimelineEventSerializer
    activity = "route.case"
    ordering = ("-at", "-id")
    related = ("actor",)


# --- organisations, employers, meetings ---------------------------------------------------------


@documented(
    tag="organisations",
    list_summary=_("List the organisations of your regions"),
    detail_summary=_("One organisation"),
    list_params=[
        _param(
            "kind",
            OpenApiTypes.STR,
            _("Only organisations of this kind."),
            OrganisationKind.values,
        )
    ],
)
class OrganisationViewSet(ReadOnlyViewSet):
    serializer_class = s.OrganisationSerializer

    def get_queryset(self):
        regions = self.actor.region_ids()
        qs = Organisation.objects.filter(region_id__in=regions)
        if kind := choice_param(self.request, "kind", OrganisationKind.values):
            qs = qs.filter(kind=kind)
        return qs.order_by("name", "id")


@documented(
    tag="work",
    list_summary=_("List employers"),
    detail_summary=_("One employer"),
    list_params=[_param("q", OpenApiTypes.STR, _("Search in name, or KvK number from its start."))],
)
class EmployerViewSet(EmployerCreateMixin, ReadOnlyViewSet):
    # create (POST /employers): routearbeid.api.meeting_views.EmployerCreateMixin
    serializer_class = s.EmployerSerializer

    def get_queryset(self):
        from routearbeid.employment.models import Employer

        if not self.actor.works_on_cases:
            return Employer.objects.none()
        return employment_selectors.employer_list(
            actor=self.actor, search=text_param(self.request, "q")
        )


@documented(
    tag="meetings",
    list_summary=_("List the outflow meetings of your regions"),
    detail_summary=_("One outflow meeting with its agenda, advice, decisions and actions"),
    list_params=[
        _param("planned", OpenApiTypes.BOOL, _("true: planned meetings; false: held or cancelled."))
    ],
)
class OutflowMeetingViewSet(MeetingPlanMixin, ReadOnlyViewSet):
    # create (POST /outflow-meetings): routearbeid.api.meeting_views.MeetingPlanMixin
    serializer_class = s.OutflowMeetingSerializer

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.OutflowMeetingDetailSerializer
        return s.OutflowMeetingSerializer

    def get_queryset(self):
        qs = meeting_selectors.visible_meetings(self.actor)
        if (planned := bool_param(self.request, "planned")) is not None:
            from routearbeid.meetings.constants import MeetingStatus

            qs = (
                qs.filter(status=MeetingStatus.PLANNED)
                if planned
                else qs.exclude(status=MeetingStatus.PLANNED)
            )
        return qs.order_by("-scheduled_on", "-id")

    def retrieve(self, request, *args, **kwargs):
        meeting = meeting_selectors.meeting_get(actor=self.actor, meeting_id=path_pk(kwargs["pk"]))
        items = meeting_selectors.meeting_agenda(actor=self.actor, meeting=meeting)
        meeting = type(meeting).objects.prefetch_related("participants").get(pk=meeting.pk)
        serializer = s.OutflowMeetingDetailSerializer(
            meeting, context={**self.get_serializer_context(), "agenda_items": items}
        )
        return Response(serializer.data)
