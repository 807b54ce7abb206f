"""What the API shows of each resource. Every serializer is read-only: writes go through the
forms and services of the screens (routearbeid.api.actions)."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

from routearbeid.aftercare.models import (
    AftercareCheck,
    FollowUpContact,
    MonitoringNote,
    SelfReport,
    Signal,
)
from routearbeid.employment.models import AbaApplication, Employer, Employment, Provision
from routearbeid.meetings.models import (
    Advice,
    AgendaItem,
    Decision,
    MeetingAction,
    MeetingParticipant,
    OutflowMeeting,
)
from routearbeid.organisations.actors import actor_for
from routearbeid.organisations.models import Organisation
from routearbeid.route.models import (
    Case,
    Deregistration,
    ExemptionDecision,
    Handover,
    Involvement,
    TimelineEvent,
)
from routearbeid.students.models import Student

# Fields whose value is read straight from the model's own column (ReadOnlyModelSerializer).
# None of them overrides Field.get_attribute.
_COLUMN_FIELDS = frozenset(
    {
        serializers.BooleanField,
        serializers.CharField,
        serializers.ChoiceField,
        serializers.DateField,
        serializers.DateTimeField,
        serializers.EmailField,
        serializers.FloatField,
        serializers.IntegerField,
        serializers.SlugField,
        serializers.URLField,
    }
)
_DRF, _COLUMN, _KEY = 0, 1, 2


class ReadOnlyModelSerializer(serializers.ModelSerializer):
    """Every field read-only; each object shown as DRF shows it, in less time.

    DRF reads each field of each object through `Field.get_attribute` (a loop over the source's
    parts, a Mapping test, a test whether the value is a function to call) and a relation's id
    through a PKOnlyObject: 3.3 ms of a list of 25 cases at 1,000,000 cases (issue #7). A field
    that is one of the model's own columns is read here with one getattr, a foreign key's id from
    its column, and then shown by the field's own to_representation; every other field (nested
    serializers, methods, sources with dots) the DRF way. The output is DRF's (tests:
    test_api_renderer.py compares both for every serializer)."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.read_only = True
        return fields

    @cached_property
    def _reading(self) -> list[tuple[str, serializers.Field, int, str]]:
        """(name, field, how, column) per readable field, made once per serializer object (a
        list's child serializer is one object for all its rows)."""
        model = self.Meta.model
        reading = []
        for field in self._readable_fields:
            how, column = _DRF, ""
            if len(field.source_attrs) == 1:
                try:
                    model_field = model._meta.get_field(field.source)
                except FieldDoesNotExist:
                    model_field = None
                if model_field is not None and model_field.concrete:
                    if type(field) in _COLUMN_FIELDS and not model_field.is_relation:
                        how, column = _COLUMN, model_field.attname
                    elif (
                        type(field) is serializers.PrimaryKeyRelatedField
                        and field.pk_field is None
                        and model_field.many_to_one
                    ):
                        how, column = _KEY, model_field.attname
            reading.append((field.field_name, field, how, column))
        return reading

    def to_representation(self, instance):
        if not isinstance(instance, self.Meta.model):
            return super().to_representation(instance)
        shown = {}
        for name, field, how, column in self._reading:
            if how == _COLUMN:
                value = getattr(instance, column)
                shown[name] = None if value is None else field.to_representation(value)
            elif how == _KEY:
                shown[name] = getattr(instance, column)
            else:
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
                check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
                shown[name] = None if check is None else field.to_representation(attribute)
        return shown


def _person(user) -> str | None:
    return user.get_full_name() or user.username if user else None


class OrganisationSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "region", "municipality", "email", "phone"]


class StudentSerializer(ReadOnlyModelSerializer):
    pgn = serializers.SerializerMethodField(
        help_text="BSN or education number; only for school and work-service roles, else null."
    )

    class Meta:
        model = Student
        fields = [
            "id",
            "school",
            "first_name",
            "last_name",
            "date_of_birth",
            "class_name",
            "municipality",
            "arrival_date",
            "languages",
            "has_basic_qualification",
            "basic_qualification_on",
            "pgn",
            "email",
            "phone",
            "updated_at",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_pgn(self, student: Student) -> str | None:
        request = self.context.get("request")
        if request is None or not actor_for(request.user).may_see_pgn:
            return None
        return student.pgn or None


class StudentBriefSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Student
        fields = ["id", "first_name", "last_name", "date_of_birth", "school"]


class CaseSerializer(ReadOnlyModelSerializer):
    student = StudentBriefSerializer()

    class Meta:
        model = Case
        fields = [
            "id",
            "student",
            "stage",
            "opened_on",
            "outflow_profile",
            "profile_established_on",
            "education_first_reason",
            "aba_skip_reason",
            "target_group_register",
            "practice_route_on",
            "guardians_involved",
            "guardians_not_involved_reason",
            "outflow_on",
            "aftercare_ends_on",
            "rmc_monitoring_ends_on",
            "last_known_situation",
            "last_contact_on",
            "ended_on",
            "end_reason",
            "updated_at",
        ]


class OpenCaseRequestSerializer(serializers.Serializer):
    student = serializers.IntegerField(min_value=1, help_text="The student's id.")

    def validate_student(self, value):
        if not isinstance(self.initial_data.get("student"), int) or isinstance(
            self.initial_data.get("student"), bool
        ):
            raise serializers.ValidationError(
                serializers.IntegerField.default_error_messages["invalid"]
            )
        return value

    opened_on = serializers.DateField(
        help_text="The opening date (R-START-1: the student is 16 or older)."
    )


class RuleCheckSerializer(serializers.Serializer):
    id = serializers.CharField(source="rule_id")
    met = serializers.BooleanField()
    message = serializers.CharField()


class TransitionSerializer(serializers.Serializer):
    name = serializers.CharField(source="transition")
    label = serializers.CharField()
    target = serializers.CharField(help_text="The stage the case moves to.")
    ready = serializers.BooleanField()
    rules = RuleCheckSerializer(source="checks", many=True)


class TimelineEventSerializer(ReadOnlyModelSerializer):
    actor = serializers.SerializerMethodField()
    description = serializers.CharField(source="summary")

    class Meta:
        model = TimelineEvent
        fields = ["id", "case", "at", "kind", "description", "actor", "organisation"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event) -> str | None:
        return _person(event.actor)


class InvolvementSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Involvement
        fields = [
            "id",
            "case",
            "organisation",
            "requested_on",
            "person_name",
            "involved_on",
            "advice",
            "legal_basis",
            "consent_given_on",
            "consent_given_by",
        ]


class HandoverSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Handover
        fields = [
            "id",
            "case",
            "receiving_organisation",
            "receiving_person",
            "handed_over_on",
            "form",
            "legal_basis",
            "consent_given_on",
            "consent_given_by",
            "purpose",
            "accepted_on",
        ]


class ExemptionSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = ExemptionDecision
        fields = ["id", "case", "reference", "decided_on", "ends_on"]


class DeregistrationSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Deregistration
        fields = ["id", "case", "deregistered_on"]


class AbaApplicationSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = AbaApplication
        fields = ["id", "case", "submitted_on", "received_on", "decided_on", "outcome"]


class ProvisionSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Provision
        fields = [
            "id",
            "case",
            "kind",
            "status",
            "status_on",
            "employment",
            "starts_on",
            "ends_on",
            "doelgroepverklaring_requested_on",
            "notes",
        ]


class EmployerSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Employer
        fields = [
            "id",
            "name",
            "kvk_number",
            "contact_name",
            "contact_email",
            "contact_phone",
            "sector",
            "place",
        ]


class EmploymentSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Employment
        fields = [
            "id",
            "case",
            "employer",
            "kind",
            "starts_on",
            "ends_on",
            "hours_per_week",
            "training_institution",
            "enrolment_reference",
            "ended_on",
        ]


class CheckInSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = AftercareCheck
        fields = [
            "id",
            "case",
            "sequence",
            "due_on",
            "recorded_on",
            "contact_made",
            "situation",
            "notes",
            "follow_up",
            "retry_of",
        ]


class SelfReportSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = SelfReport
        fields = ["id", "case", "reported_at", "kind", "channel", "message", "contact_phone"]


class SignalSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Signal
        fields = [
            "id",
            "case",
            "kind",
            "rule_id",
            "organisation",
            "person",
            "status",
            "raise_on",
            "due_on",
            "raised_at",
            "message",
            "resolution_note",
        ]


class FollowUpContactSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = FollowUpContact
        fields = [
            "id",
            "case",
            "organisation",
            "contact_on",
            "with_whom",
            "situation",
            "next_step",
            "notes",
        ]


class MonitoringNoteSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = MonitoringNote
        fields = ["id", "case", "organisation", "noted_on", "text"]


# --- outflow meetings --------------------------------------------------------------------------


class AdviceSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Advice
        fields = ["id", "organisation", "text"]


class DecisionSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "outflow_profile", "reason", "decided_on"]


class MeetingActionSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = MeetingAction
        fields = ["id", "description", "owner_organisation", "due_on", "done_on"]


class AgendaItemSerializer(ReadOnlyModelSerializer):
    student = StudentBriefSerializer(source="case.student")
    advice = AdviceSerializer(many=True)
    decision = serializers.SerializerMethodField()
    actions = MeetingActionSerializer(many=True)

    class Meta:
        model = AgendaItem
        fields = ["id", "meeting", "case", "position", "student", "advice", "decision", "actions"]

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, item) -> dict | None:
        decision = getattr(item, "decision", None)
        return DecisionSerializer(decision).data if decision else None


class ParticipantSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = MeetingParticipant
        fields = ["id", "organisation", "person_name"]


class OutflowMeetingSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = OutflowMeeting
        fields = ["id", "region", "scheduled_on", "place", "status", "held_on"]


class OutflowMeetingDetailSerializer(OutflowMeetingSerializer):
    participants = ParticipantSerializer(many=True)
    agenda_items = serializers.SerializerMethodField()

    class Meta(OutflowMeetingSerializer.Meta):
        fields = [*OutflowMeetingSerializer.Meta.fields, "minutes", "participants", "agenda_items"]

    @extend_schema_field(AgendaItemSerializer(many=True))
    def get_agenda_items(self, meeting) -> list:
        items = self.context.get("agenda_items", [])
        return AgendaItemSerializer(items, many=True, context=self.context).data
