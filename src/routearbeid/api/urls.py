"""/api/v1/: plural nouns, no trailing slashes (ADR /core/no-trailing-slash)."""

from django.urls import path

from . import docs, meeting_views, views
from .actions import step_view, with_write
from .writes import CASE_LIST_WRITES, CASE_STEPS, ROW_STEPS, ROW_WRITES

app_name = "api"

# name in the path → viewset; list at /<name>, a row at /<name>/{id}
RESOURCES = {
    "students": views.StudentViewSet,
    "cases": views.CaseViewSet,
    "involvements": views.InvolvementViewSet,
    "handovers": views.HandoverViewSet,
    "exemptions": views.ExemptionViewSet,
    "deregistrations": views.DeregistrationViewSet,
    "aba-applications": views.AbaApplicationViewSet,
    "provisions": views.ProvisionViewSet,
    "employments": views.EmploymentViewSet,
    "check-ins": views.CheckInViewSet,
    "self-reports": views.SelfReportViewSet,
    "signals": views.SignalViewSet,
    "follow-up-contacts": views.FollowUpContactViewSet,
    "monitoring-notes": views.MonitoringNoteViewSet,
    "organisations": views.OrganisationViewSet,
    "employers": views.EmployerViewSet,
    "outflow-meetings": views.OutflowMeetingViewSet,
}
# what hangs under one case: GET /cases/{caseId}/<name> (and POST where CASE_LIST_WRITES says)
CASE_LISTS = {
    "involvements": views.InvolvementViewSet,
    "aba-applications": views.AbaApplicationViewSet,
    "provisions": views.ProvisionViewSet,
    "employments": views.EmploymentViewSet,
    "exemptions": views.ExemptionViewSet,
    "check-ins": views.CheckInViewSet,
    "self-reports": views.SelfReportViewSet,
    "signals": views.SignalViewSet,
    "follow-up-contacts": views.FollowUpContactViewSet,
    "monitoring-notes": views.MonitoringNoteViewSet,
    "timeline-events": views.TimelineEventViewSet,
}


def _resource_urls():
    patterns = []
    for name, viewset in RESOURCES.items():
        detail = {"get": "retrieve"}
        cls = viewset
        if name in ROW_WRITES:
            write = ROW_WRITES[name]
            cls = with_write(viewset, write, "partial_update")
            detail["patch"] = "partial_update"
        listing = (
            {"get": "list", "post": "create"} if hasattr(viewset, "create") else {"get": "list"}
        )
        patterns.append(path(name, viewset.as_view(listing), name=f"{name}-list"))
        patterns.append(path(f"{name}/<int:pk>", cls.as_view(detail), name=f"{name}-detail"))
    return patterns


def _case_urls():
    patterns = []
    for name, viewset in CASE_LISTS.items():
        actions = {"get": "list"}
        cls = viewset
        if name in CASE_LIST_WRITES:
            cls = with_write(viewset, CASE_LIST_WRITES[name], "create")
            actions["post"] = "create"
        patterns.append(
            path(f"cases/<int:caseId>/{name}", cls.as_view(actions), name=f"case-{name}")
        )
    for name, write in CASE_STEPS.items():
        patterns.append(path(f"cases/<int:caseId>/{name}", step_view(write), name=f"case-{name}"))
    return patterns


urlpatterns = [
    path("openapi.yaml", docs.openapi_yaml, name="openapi"),
    path("docs", docs.reference, name="docs"),
    path(
        "cases/<int:caseId>/transitions",
        views.CaseTransitionsView.as_view({"get": "list"}),
        name="case-transitions",
    ),
    *_case_urls(),
    *[path(p, step_view(w), name=f"step-{w.action}") for p, w in ROW_STEPS.items()],
    *_resource_urls(),
    # writes on outflow meetings and jobs (api/meeting_views.py)
    path(
        "outflow-meetings/<int:pk>/participants",
        meeting_views.MeetingParticipantsView.as_view(),
        name="outflow-meeting-participants",
    ),
    path(
        "outflow-meetings/<int:pk>/holding",
        meeting_views.MeetingHoldingView.as_view(),
        name="outflow-meeting-holding",
    ),
    path(
        "outflow-meetings/<int:pk>/minutes",
        meeting_views.MeetingMinutesView.as_view(),
        name="outflow-meeting-minutes",
    ),
    path(
        "agenda-items/<int:pk>/advice",
        meeting_views.AgendaItemAdviceView.as_view(),
        name="agenda-item-advice",
    ),
    path(
        "agenda-items/<int:pk>/decision",
        meeting_views.AgendaItemDecisionView.as_view(),
        name="agenda-item-decision",
    ),
    path(
        "agenda-items/<int:pk>/actions",
        meeting_views.AgendaItemActionsView.as_view(),
        name="agenda-item-actions",
    ),
    path(
        "meeting-actions/<int:pk>/completion",
        meeting_views.MeetingActionCompletionView.as_view(),
        name="meeting-action-completion",
    ),
    path(
        "employments/<int:pk>/end",
        meeting_views.EmploymentEndView.as_view(),
        name="employment-end",
    ),
]
