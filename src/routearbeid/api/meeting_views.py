"""Writes on outflow meetings and employers: what the meeting page (routearbeid.meetings.views) and
the employer page (routearbeid.employment.views) offer, through the API.

Each write binds the screen's own form (with the same choices for this user) and calls the same
one service. The screens' checks are kept, answered the API's way:

- the meeting, agenda item or action is not visible to the caller → 404 (as on the screen);
- visible, but the caller's role does not get the form on the screen → 403;
- the body does not validate (first as JSON types, then by the screen's form) → 400 with
  `invalidParams`;
- the service (or a state the screen checks, such as a recorded decision) refuses → 422, with
  `rules` where rule ids apply.

This module imports nothing from `.views` or `.actions`, so that `.views` can mix in the
`create` of outflow meetings and employers from here.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from routearbeid.core.errors import DomainError, NotFound, PermissionDenied, TransitionBlocked
from routearbeid.employment import services as employment_services
from routearbeid.employment.forms import EmployerForm
from routearbeid.employment.models import Employer, Employment
from routearbeid.meetings import selectors as meeting_selectors
from routearbeid.meetings import services as meeting_services
from routearbeid.meetings.constants import MeetingStatus
from routearbeid.meetings.forms import MeetingPlanForm
from routearbeid.meetings.models import Advice, AgendaItem, MeetingAction, OutflowMeeting
from routearbeid.meetings.views import FORMS, Page, _decision
from routearbeid.organisations.models import Region
from routearbeid.route import rules
from routearbeid.route.constants import OutflowProfile
from routearbeid.route.selectors import visible_cases

from . import serializers as s
from .base import ApiViewMixin
from .fields import StrictCharField, StrictChoiceField, StrictIntegerField
from .params import path_pk

# --- helpers -------------------------------------------------------------------------------------


def _form_value(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _body(serializer_class: type, request) -> dict:
    """The JSON body checked for types (400 otherwise)."""
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def _form_errors(form) -> dict:
    return {key: [str(m) for m in messages] for key, messages in form.errors.items()}


def _bind(form_class: type, data: dict, **kwargs) -> dict:
    """The screen's form bound to the body; its cleaned data, or a 400 with its messages."""
    form = form_class(data={key: _form_value(v) for key, v in data.items()}, **kwargs)
    if not form.is_valid():
        raise ValidationError(_form_errors(form))
    return form.cleaned_data


def _screen_form(name: str, page: Page, target, data: dict) -> dict:
    """Bind the meeting page's form `name` (meetings.views.FORMS) with the choices it offers this
    user (the organisations of the region, or for advice the caller's own)."""
    spec = FORMS[name]
    return _bind(spec.form, data, **spec.kwargs(page, target))


def _require_coordinator(page: Page) -> None:
    if not page.coordinator:
        raise PermissionDenied(
            _("Only the route coordinator of the region manages outflow meetings.")
        )


def _meeting_page(actor, meeting_id) -> Page:
    """The meeting as the meeting page loads it (404 when the caller may not see it)."""
    return Page.load(actor, path_pk(meeting_id))


def _item_page(actor, item_id) -> tuple[Page, AgendaItem]:
    """An agenda item of a meeting the caller may see, on a case the caller may see; else 404."""
    pk = path_pk(item_id)
    meeting_id = AgendaItem.objects.filter(pk=pk).values_list("meeting_id", flat=True).first()
    if meeting_id is None:
        raise NotFound("not found")
    page = Page.load(actor, meeting_id)
    item = meeting_selectors.meeting_item_get(actor=actor, meeting=page.meeting, agenda_item_id=pk)
    return page, item


def _action_page(actor, action_id) -> tuple[Page, MeetingAction]:
    """An action of a meeting the caller may see, on a case the caller may see; else 404."""
    pk = path_pk(action_id)
    meeting_id = (
        MeetingAction.objects.filter(pk=pk)
        .values_list("agenda_item__meeting_id", flat=True)
        .first()
    )
    if meeting_id is None:
        raise NotFound("not found")
    page = Page.load(actor, meeting_id)
    action = meeting_selectors.meeting_action_get(actor=actor, meeting=page.meeting, action_id=pk)
    return page, action


def _example(value: dict) -> list[OpenApiExample]:
    return [OpenApiExample("example", value=value, request_only=True)]


# --- request bodies --------------------------------------------------------------------------------
# JSON types are kept strictly (0 is not the text "0", "12" not the id 12), as the fields of
# api/actions.py do; those cannot be imported here without a circular import through .views.


class MeetingPlanSerializer(serializers.Serializer):
    region = StrictIntegerField(
        min_value=1, help_text="The region (id) whose route coordinator you are."
    )
    scheduled_on = serializers.DateField(help_text="The date of the meeting.")
    place = StrictCharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Where it is held."
    )


class MeetingParticipantAddSerializer(serializers.Serializer):
    organisation = StrictIntegerField(
        min_value=1, help_text="An organisation (id) of the meeting's region."
    )
    person_name = StrictCharField(max_length=200, help_text="The participant's name.")


class MeetingHoldingSerializer(serializers.Serializer):
    held_on = serializers.DateField(help_text="The day the meeting took place (not in the future).")
    minutes = StrictCharField(
        max_length=20000,
        required=False,
        allow_blank=True,
        default="",
        help_text="The general minutes (they can be written later as well).",
    )


class MeetingMinutesSerializer(serializers.Serializer):
    """The general minutes of a held meeting: the body of the PUT and its answer."""

    meeting = StrictIntegerField(source="pk", read_only=True)
    minutes = StrictCharField(max_length=20000, help_text="The general minutes.")


class AdviceRecordSerializer(serializers.Serializer):
    organisation = StrictIntegerField(
        min_value=1,
        help_text="Whose advice (id): your own organisation; the route coordinator may write "
        "down any organisation's advice.",
    )
    text = StrictCharField(max_length=4000, help_text="The advice.")


class DecisionRecordSerializer(serializers.Serializer):
    outflow_profile = StrictChoiceField(
        choices=OutflowProfile.choices,
        help_text='"work" establishes the profile (R-OVL-1/2/3); another profile withdraws the '
        "case with the reason (R-OVL-4).",
    )
    reason = StrictCharField(
        max_length=4000,
        help_text="For work: why further education is not (now) the better option (R-OVL-3).",
    )


class MeetingActionAddSerializer(serializers.Serializer):
    description = StrictCharField(max_length=300, help_text="What is to be done.")
    owner_organisation = StrictIntegerField(
        min_value=1, help_text="The organisation (id) of the region that does it."
    )
    due_on = serializers.DateField(help_text="When it is to be done.")


class EmployerCreateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200, help_text="The employer's name.")
    kvk_number = StrictCharField(
        max_length=20, help_text="8 digits, as in the Chamber of Commerce register (unique)."
    )
    contact_name = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    # checked as an e-mail address by the screen's form, so that every invalid field is
    # reported at once
    contact_email = StrictCharField(
        max_length=254,
        required=False,
        allow_blank=True,
        default="",
        help_text="The contact person's e-mail address.",
    )
    contact_phone = StrictCharField(max_length=30, required=False, allow_blank=True, default="")
    sector = StrictCharField(max_length=100, required=False, allow_blank=True, default="")
    place = StrictCharField(max_length=100, required=False, allow_blank=True, default="")


class EmploymentEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(
        help_text="The last day of the job; not before it started, nor before the outflow "
        "date (R-UIT-1)."
    )


# --- POST /outflow-meetings and POST /employers (mixed into the read viewsets) -------------------


class MeetingPlanMixin:
    """POST on /outflow-meetings, mixed into OutflowMeetingViewSet."""

    @extend_schema(
        tags=["meetings"],
        summary="Plan an outflow meeting (the route coordinator of the region)",
        description="Plans a meeting in a region you are the route coordinator of (else 403), "
        "as the form on the meetings page does.",
        request=MeetingPlanSerializer,
        responses={201: s.OutflowMeetingSerializer},
        examples=_example({"region": 1, "scheduledOn": "2026-12-10", "place": "Stadhuis Alkmaar"}),
    )
    def create(self, request, *args, **kwargs):
        actor = self.actor  # type: ignore[attr-defined]
        body = _body(MeetingPlanSerializer, request)
        # The screen's form offers the caller's own regions; here any existing region passes
        # the form, and the service decides whether the caller coordinates it (403 otherwise).
        regions = list(Region.objects.filter(pk=body["region"]))
        data = _bind(MeetingPlanForm, body, regions=regions)
        meeting = meeting_services.meeting_plan(
            actor=actor,
            region_id=data["region"],
            scheduled_on=data["scheduled_on"],
            place=data["place"],
        )
        return Response(
            s.OutflowMeetingSerializer(meeting).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api:outflow-meetings-detail", args=[meeting.pk])},
        )


class EmployerCreateMixin:
    """POST on /employers, mixed into EmployerViewSet."""

    @extend_schema(
        tags=["work"],
        summary="Add an employer",
        description="Everyone who works on cases may add an employer (else 403), as on the "
        "employers page. A KvK number that is already known answers 400 on `kvkNumber`.",
        request=EmployerCreateSerializer,
        responses={201: s.EmployerSerializer},
        examples=_example(
            {
                "name": "Bakkerij De Korenschoof",
                "kvkNumber": "12345678",
                "contactName": "P. de Boer",
                "contactEmail": "hr@example.nl",
                "contactPhone": "072 512 3456",
                "sector": "Food",
                "place": "Alkmaar",
            }
        ),
    )
    def create(self, request, *args, **kwargs):
        actor = self.actor  # type: ignore[attr-defined]
        data = _bind(EmployerForm, _body(EmployerCreateSerializer, request))
        try:
            employer = employment_services.employer_create(
                actor=actor,
                name=data["name"],
                kvk_number=data["kvk_number"],
                contact_name=data.get("contact_name") or "",
                contact_email=data.get("contact_email") or "",
                contact_phone=data.get("contact_phone") or "",
                sector=data.get("sector") or "",
                place=data.get("place") or "",
            )
        except PermissionDenied:
            raise
        except DomainError:
            # As employment.views._create: a known KvK number is an error on that field.
            if Employer.objects.filter(kvk_number=data["kvk_number"]).exists():
                raise ValidationError(
                    {
                        "kvk_number": [
                            serializers.ErrorDetail(
                                _("An employer with this KvK number already exists."),
                                code="unique",
                            )
                        ]
                    }
                ) from None
            raise
        return Response(
            s.EmployerSerializer(employer).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api:employers-detail", args=[employer.pk])},
        )


# --- one meeting ---------------------------------------------------------------------------------


class MeetingWriteView(ApiViewMixin, APIView):
    """A write on one outflow meeting, one agenda item or one action."""


class MeetingParticipantsView(MeetingWriteView):
    """Add a participant to an outflow meeting: the route coordinator of its region; not to a
    cancelled meeting. The organisation is one of the region's."""

    @extend_schema(
        tags=["meetings"],
        summary="Add a participant to an outflow meeting",
        request=MeetingParticipantAddSerializer,
        responses={201: s.ParticipantSerializer},
        examples=_example({"organisation": 3, "personName": "R. Monitor"}),
    )
    def post(self, request, pk):
        page = _meeting_page(self.actor, pk)
        _require_coordinator(page)
        data = _screen_form(
            "participant", page, None, _body(MeetingParticipantAddSerializer, request)
        )
        if page.meeting.status == MeetingStatus.CANCELLED:
            raise DomainError(_("This meeting was cancelled."))
        participant = meeting_services.meeting_participant_add(
            actor=self.actor,
            meeting_id=page.meeting.pk,
            organisation_id=data["organisation"],
            person_name=data["person_name"],
        )
        return Response(s.ParticipantSerializer(participant).data, status=status.HTTP_201_CREATED)


class MeetingHoldingView(MeetingWriteView):
    """Record that the outflow meeting took place ("the holding of the meeting").

    The sub-resource `holding` is the one-time event that turns a planned meeting into a held
    one (status `held`, `heldOn`, optionally the minutes); only then can decisions be recorded
    (R-OVL-1). A noun, as ADR /core/naming-resources asks, in the line of `acceptance` and
    `resolution`. It happens once: a second POST, a date in the future or a cancelled meeting
    answer 422. The route coordinator of the region only."""

    @extend_schema(
        tags=["meetings"],
        summary="Record that the outflow meeting was held",
        request=MeetingHoldingSerializer,
        responses={200: s.OutflowMeetingSerializer},
        examples=_example({"heldOn": "2026-12-10", "minutes": "Vijf jongeren besproken."}),
    )
    def post(self, request, pk):
        page = _meeting_page(self.actor, pk)
        _require_coordinator(page)
        data = _screen_form("hold", page, None, _body(MeetingHoldingSerializer, request))
        meeting = meeting_services.meeting_hold(
            actor=self.actor,
            meeting_id=page.meeting.pk,
            held_on=data["held_on"],
            minutes=data.get("minutes") or "",
        )
        return Response(s.OutflowMeetingSerializer(meeting).data)


class MeetingMinutesView(MeetingWriteView):
    """Write (replace) the general minutes of a held outflow meeting: the route coordinator of
    its region. Before the meeting is held: 422."""

    @extend_schema(
        tags=["meetings"],
        summary="Write the minutes of a held outflow meeting",
        request=MeetingMinutesSerializer,
        responses={200: MeetingMinutesSerializer},
        examples=_example({"minutes": "Vijf jongeren besproken; drie naar werk."}),
    )
    def put(self, request, pk):
        page = _meeting_page(self.actor, pk)
        _require_coordinator(page)
        data = _screen_form("minutes", page, None, _body(MeetingMinutesSerializer, request))
        meeting: OutflowMeeting = meeting_services.meeting_minutes_record(
            actor=self.actor, meeting_id=page.meeting.pk, minutes=data["minutes"]
        )
        return Response(MeetingMinutesSerializer(meeting).data)


# --- one agenda item -------------------------------------------------------------------------------


class AgendaItemAdviceView(MeetingWriteView):
    """Give the advice of an organisation on a student on the agenda.

    A partner gives the advice of its own organisation; the route coordinator may write down any
    organisation's. Advice of an organisation that already gave it replaces it (200); new advice
    answers 201. Once the decision is recorded, no more advice (422). The agenda item must be of a
    meeting and a case you may see (else 404)."""

    @extend_schema(
        tags=["meetings"],
        summary="Give an organisation's advice on a student on the agenda",
        request=AdviceRecordSerializer,
        responses={201: s.AdviceSerializer, 200: s.AdviceSerializer},
        examples=_example({"organisation": 3, "text": "Werk met begeleiding van een jobcoach."}),
    )
    def post(self, request, pk):
        page, item = _item_page(self.actor, pk)
        if not page.advice_organisations:
            raise PermissionDenied(_("You can only record the advice of your own organisation."))
        data = _screen_form("advice", page, item, _body(AdviceRecordSerializer, request))
        if _decision(item) is not None:
            raise DomainError(
                _("The decision on this student has been recorded: advice can no longer be given.")
            )
        existed = Advice.objects.filter(
            agenda_item=item, organisation_id=data["organisation"]
        ).exists()
        advice = meeting_services.advice_record(
            actor=self.actor,
            agenda_item_id=item.pk,
            organisation_id=data["organisation"],
            text=data["text"],
        )
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(s.AdviceSerializer(advice).data, status=code)


class AgendaItemDecisionView(MeetingWriteView):
    """Record the meeting's decision on a student on the agenda (R-OVL-1/4).

    The route coordinator of the region, once per student, after the meeting is held. "work"
    establishes the outflow profile (the rules R-OVL-2/3 must hold: a refusal is 422 with their
    ids); another profile withdraws the case with the reason. A case that is closed or withdrawn
    answers 422 (R-STAGE)."""

    @extend_schema(
        tags=["meetings"],
        summary="Record the meeting's decision on a student",
        request=DecisionRecordSerializer,
        responses={201: s.DecisionSerializer},
        examples=_example(
            {
                "outflowProfile": "work",
                "reason": "Wil direct werken; mbo is nu geen haalbare optie.",
            }
        ),
    )
    def put(self, request, pk):
        page, item = _item_page(self.actor, pk)
        _require_coordinator(page)
        data = _screen_form("decision", page, item, _body(DecisionRecordSerializer, request))
        if not item.case.is_open:
            raise TransitionBlocked(
                "decision",
                [
                    rules.RuleCheck(
                        "R-STAGE",
                        False,
                        _('This is not possible in the stage "%(stage)s".')
                        % {"stage": item.case.get_stage_display()},
                    )
                ],
            )
        decision = meeting_services.decision_record(
            actor=self.actor,
            agenda_item_id=item.pk,
            outflow_profile=data["outflow_profile"],
            reason=data["reason"],
        )
        return Response(s.DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class AgendaItemActionsView(MeetingWriteView):
    """Agree an action on a student on the agenda, for an organisation of the region: the route
    coordinator of the region."""

    @extend_schema(
        tags=["meetings"],
        summary="Add an action on a student on the agenda",
        request=MeetingActionAddSerializer,
        responses={201: s.MeetingActionSerializer},
        examples=_example(
            {
                "description": "Proefplaatsing regelen bij de werkgever.",
                "ownerOrganisation": 5,
                "dueOn": "2027-01-15",
            }
        ),
    )
    def post(self, request, pk):
        page, item = _item_page(self.actor, pk)
        _require_coordinator(page)
        data = _screen_form("action", page, item, _body(MeetingActionAddSerializer, request))
        action = meeting_services.action_add(
            actor=self.actor,
            agenda_item_id=item.pk,
            description=data["description"],
            owner_organisation_id=data["owner_organisation"],
            due_on=data["due_on"],
        )
        return Response(s.MeetingActionSerializer(action).data, status=status.HTTP_201_CREATED)


# --- one action ----------------------------------------------------------------------------------


class MeetingActionCompletionView(MeetingWriteView):
    """Mark a meeting action as done (today): someone of the owner organisation, or the route
    coordinator of the region. No body. An action that is already done answers 422."""

    @extend_schema(
        tags=["meetings"],
        summary="Mark a meeting action as done",
        request=None,
        responses={200: s.MeetingActionSerializer},
    )
    def post(self, request, pk):
        actor = self.actor
        page, action = _action_page(actor, pk)
        own = actor.organisation_ids(*meeting_selectors.MEETING_ROLES)
        if not (page.coordinator or action.owner_organisation_id in own):
            raise PermissionDenied(
                _("Only the owner organisation or the route coordinator marks an action as done.")
            )
        action = meeting_services.action_done(actor=actor, action_id=action.pk)
        return Response(s.MeetingActionSerializer(action).data)


# --- jobs ----------------------------------------------------------------------------------------


class EmploymentEndView(ApiViewMixin, APIView):
    """Record that a job or BBL place ended: the school of the case or the work service (as for
    recording the job). The job must be of a case you may see (else 404). It cannot end before it
    started, nor before the outflow date (R-UIT-1, 422)."""

    @extend_schema(
        tags=["work"],
        summary="Record the end of a job",
        request=EmploymentEndSerializer,
        responses={200: s.EmploymentSerializer},
        examples=_example({"endedOn": "2027-03-31"}),
    )
    def post(self, request, pk):
        actor = self.actor
        employment_id = path_pk(pk)
        # 404 before 400: the service looks the job up too, but only after the body is checked.
        if not Employment.objects.filter(
            pk=employment_id, case__in=visible_cases(actor).values("pk")
        ).exists():
            raise NotFound("not found")
        data = _body(EmploymentEndSerializer, request)
        employment = employment_services.employment_end(
            actor=actor, employment_id=employment_id, ended_on=data["ended_on"]
        )
        return Response(s.EmploymentSerializer(employment).data)
