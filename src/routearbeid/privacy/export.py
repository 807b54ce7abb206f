"""Inzage (GDPR art. 15): everything stored about one youth, as JSON and as a PDF.

One walk over the stored records gives both: each record is a list of fields (stable key,
label in the document's language, JSON value, text). The JSON keys are the model field names;
the PDF shows the labels. Meeting minutes are left out: they are about several youth at once
(the youth's agenda items, advice, decisions and actions are in).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from routearbeid.aftercare.models import Signal
from routearbeid.core.templatetags.ra import dmy
from routearbeid.organisations.actors import Actor
from routearbeid.organisations.constants import Role
from routearbeid.organisations.models import Organisation
from routearbeid.processing_log.activities import ACTIVITIES
from routearbeid.processing_log.models import ProcessingLogRecord
from routearbeid.route.models import Case, TimelineEvent
from routearbeid.route.timeline import describe
from routearbeid.students.models import Student

from .selectors import privacy_may_see_pgn

EXPORT_FORMAT = "routearbeid.inzage/1"
DOCUMENT_LANGUAGE = settings.LANGUAGE_CODE


@dataclass
class Record:
    """One stored object: its fields as (key, label, JSON value, text)."""

    fields: list[tuple[str, str, Any, str]] = field(default_factory=list)

    def add(self, key: str, label: str, value: Any, text: str | None = None) -> None:
        self.fields.append((key, label, value, _text(value) if text is None else text))

    def as_json(self) -> dict[str, Any]:
        return {key: value for key, _label, value, _t in self.fields}

    @property
    def rows(self) -> list[tuple[str, str]]:
        return [(label, text) for _k, label, _v, text in self.fields]


@dataclass
class Section:
    title: str
    records: list[Record]
    # Long lists (timeline, processing log) as one table, these field keys as columns.
    columns: tuple[str, ...] = ()

    @property
    def header(self) -> list[str]:
        labels = {key: label for key, label, _v, _t in self.records[0].fields}
        return [labels.get(key, key) for key in self.columns]

    @property
    def table(self) -> list[list[str]]:
        return [
            [next((t for k, _l, _v, t in r.fields if k == key), "–") for key in self.columns]
            for r in self.records
        ]


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _text(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:
            parsed = (
                dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
            )
            return dmy(parsed)
        except ValueError:
            return value
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "–"
    return str(value)


# Back references and internal keys that say nothing about the youth.
SKIP = {"case", "student", "agenda_item", "meeting", "token_hash"}
# A signal's message template and parameters, and a timeline event's data, are shown as text.
SKIP_BY_MODEL = {
    "aftercare.signal": {"key", "params", "message"},
    "route.timelineevent": {"data", "summary"},
}


def record_of(obj: models.Model, *, skip: set[str] = frozenset()) -> Record:  # type: ignore[assignment]
    """Every concrete field of a stored object; a reference shows the referred object's name."""
    record = Record()
    record.add("id", "id", obj.pk)
    model_skip = SKIP_BY_MODEL.get(obj._meta.label_lower, set())
    for f in obj._meta.concrete_fields:
        if f.primary_key or f.name in SKIP or f.name in skip or f.name in model_skip:
            continue
        label = str(f.verbose_name)
        if f.is_relation:
            related = getattr(obj, f.name)
            record.add(f.name, label, str(related) if related is not None else None)
            continue
        value = getattr(obj, f.attname)
        if f.choices and value:
            record.add(f.name, label, value, str(getattr(obj, f"get_{f.name}_display")()))
        else:
            record.add(f.name, label, _json_value(value))
    return record


def _records(objects) -> list[Record]:
    return [_record_with_text(o) for o in objects]


def _record_with_text(obj: models.Model) -> Record:
    record = record_of(obj)
    if isinstance(obj, Signal):
        record.add("text", _("Message"), obj.text)
    elif isinstance(obj, TimelineEvent):
        record.add("text", _("What"), describe(obj))
    return record


def _reverse_relations(model: type[models.Model], *, skip: set[str]) -> list:
    """The one-to-many and one-to-one relations that point at `model` (a new model that refers to
    a case or a student is in the export without a change here)."""
    return [
        rel
        for rel in model._meta.related_objects
        if rel.one_to_many or rel.one_to_one
        if rel.get_accessor_name() not in skip
    ]


def _prefetch(rel) -> Prefetch:
    related = rel.related_model
    fks = [
        f.name for f in related._meta.concrete_fields if f.is_relation and f.name != rel.field.name
    ]
    queryset = (
        related._default_manager.select_related(*fks) if fks else related._default_manager.all()
    )
    return Prefetch(rel.get_accessor_name(), queryset=queryset)


def _related_records(obj: models.Model, rel) -> list[Record]:
    accessor = rel.get_accessor_name()
    if rel.one_to_one:
        return [_record_with_text(getattr(obj, accessor))] if _has(obj, accessor) else []
    return _records(getattr(obj, accessor).all())


# JSON keys that read better than the reverse accessor names (the keys stay stable).
KEY_ALIASES = {"checks": "aftercare_checks", "events": "timeline"}


def inzage_collect(
    student: Student, *, with_pgn: bool = True
) -> tuple[dict[str, Any], list[Section]]:
    """The youth's data as a JSON-ready dict and as the PDF's sections (one walk); without the
    PGN for a privacy officer whose organisation may not use it (`privacy_may_see_pgn`)."""
    sections: list[Section] = []
    student_relations = _reverse_relations(Student, skip={"cases"})
    student = (
        Student.objects.select_related("school", "mentor")
        .prefetch_related(*[_prefetch(rel) for rel in student_relations])
        .get(pk=student.pk)
    )
    student_record = record_of(student, skip=set() if with_pgn else {"pgn"})
    student_json = student_record.as_json()
    sections.append(Section(_("The youth"), [student_record]))
    for rel in student_relations:
        records = _related_records(student, rel)
        student_json[rel.get_accessor_name()] = [r.as_json() for r in records]
        if records:
            sections.append(
                Section(str(rel.related_model._meta.verbose_name_plural).capitalize(), records)
            )

    case_relations = _reverse_relations(Case, skip={"agenda_items"})
    cases = (
        Case.objects.filter(student=student)
        .select_related("opened_by")
        .prefetch_related(
            *[_prefetch(rel) for rel in case_relations],
            "agenda_items__meeting",
            "agenda_items__decision__decided_by",
            "agenda_items__advice__organisation",
            "agenda_items__advice__given_by",
            "agenda_items__actions__owner_organisation",
            "agenda_items__actions__owner",
        )
        .order_by("opened_on", "id")
    )
    cases_json = []
    for number, case in enumerate(cases, start=1):
        case.student = student
        title = _("Case %(number)s") % {"number": number}
        case_record = record_of(case)
        case_json = case_record.as_json()
        sections.append(Section(title, [case_record]))

        agenda: list[Record] = []
        agenda_json = []
        for item in case.agenda_items.all():
            item_record = Record()
            item_record.add("id", "id", item.pk)
            meeting = item.meeting
            item_record.add("meeting_date", _("Outflow meeting"), _json_value(meeting.scheduled_on))
            item_record.add("meeting_place", _("Place"), meeting.place)
            item_record.add(
                "meeting_status", _("Status"), meeting.status, meeting.get_status_display()
            )
            item_record.add("meeting_held_on", _("Held on"), _json_value(meeting.held_on))
            advice = _records(item.advice.all())
            decision = record_of(item.decision) if _has(item, "decision") else None
            actions = _records(item.actions.all())
            agenda += [item_record, *advice, *([decision] if decision else []), *actions]
            agenda_json.append(
                item_record.as_json()
                | {
                    "advice": [a.as_json() for a in advice],
                    "decision": decision.as_json() if decision else None,
                    "actions": [a.as_json() for a in actions],
                }
            )
        case_json["agenda_items"] = agenda_json
        if agenda:
            sections.append(
                Section(
                    f"{title}: {_('Outflow meetings: agenda, advice, decisions, actions')}", agenda
                )
            )

        for rel in case_relations:
            accessor = rel.get_accessor_name()
            records = _related_records(case, rel)
            key = KEY_ALIASES.get(accessor, accessor)
            if rel.one_to_one:
                case_json[key] = records[0].as_json() if records else None
            else:
                case_json[key] = [r.as_json() for r in records]
            if not records:
                continue
            label = str(rel.related_model._meta.verbose_name_plural).capitalize()
            columns = ("at", "text", "actor", "organisation") if accessor == "events" else ()
            sections.append(Section(f"{title}: {label}", records, columns=columns))
        cases_json.append(case_json)

    log = []
    for rec in (
        ProcessingLogRecord.objects.filter(subject_student_id=student.pk)
        .select_related("actor", "organisation")
        .order_by("at", "id")
    ):
        r = record_of(rec, skip={"subject_student_id"})
        activity = ACTIVITIES.get(rec.activity)
        r.add("activity_name", _("Processing activity"), str(activity.name) if activity else "")
        r.add("purpose", _("Purpose"), str(activity.purpose) if activity else "")
        r.add("legal_basis", _("Legal basis"), str(activity.legal_basis) if activity else "")
        log.append(r)
    if log:
        sections.append(
            Section(
                _("Processing log: who read or changed the data"),
                log,
                columns=("at", "actor", "organisation", "operation", "activity_name", "status"),
            )
        )

    data = {
        "format": EXPORT_FORMAT,
        "student": student_json,
        "cases": cases_json,
        "processing_log": [r.as_json() for r in log],
    }
    return data, sections


def _has(obj: models.Model, name: str) -> bool:
    try:
        getattr(obj, name)
    except models.ObjectDoesNotExist:
        return False
    return True


def inzage_json(*, actor: Actor, student: Student, now: dt.datetime | None = None) -> bytes:
    with translation.override(DOCUMENT_LANGUAGE):
        data, _sections = inzage_collect(student, with_pgn=privacy_may_see_pgn(actor))
    data = {
        "generated_at": _json_value(now or timezone.now()),
        "generated_by": str(actor.user),
    } | data
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode()


def inzage_html(*, actor: Actor, student: Student, now: dt.datetime | None = None) -> str:
    officer_seats = [s for s in actor.seats if s.role == Role.PRIVACY_OFFICER]
    organisation_id = (
        min(officer_seats, key=lambda s: s.membership_id).organisation_id
        if officer_seats
        else actor.primary_organisation_id()
    )
    with translation.override(DOCUMENT_LANGUAGE):
        _data, sections = inzage_collect(student, with_pgn=privacy_may_see_pgn(actor))
        return render_to_string(
            "privacy/inzage_document.html",
            {
                "student": student,
                "sections": sections,
                "generated_at": now or timezone.now(),
                "generated_by": actor.user,
                "generated_by_organisation": Organisation.objects.filter(pk=organisation_id).first()
                if organisation_id
                else None,
            },
        )


def inzage_pdf(*, actor: Actor, student: Student) -> bytes:
    from routearbeid.route.handover_document import document_pdf

    return document_pdf(inzage_html(actor=actor, student=student))
