"""Retention: anonymise a youth's case data once the retention period has ended.

When does it end (domain.md, "Privacy and logging facts"; setting `Region.retention_years`)?

- A case that went through outflow ends when aftercare, RMC monitoring **and** the work
  service's follow-up have all ended, plus the retention years, counted from the latest of the
  three. Aftercare ends on `aftercare_ends_on` (R-NZ-7). RMC monitoring
  (R-RMC-1) ends on the birthday at the region's `rmc_age_limit` (the later of the date stored
  at outflow and the one the current setting gives, so that raising the limit to 27 keeps data
  longer and lowering it never deletes earlier than promised), or, when a startkwalificatie is
  recorded, on the date it was obtained (without a date: at the end of aftercare). The work
  service follows the youth at work from outflow until it records the end
  (`aftercare.WorkServiceFollowUp.ended_on`), also after aftercare: while a follow-up is open,
  the case has no end.
- A withdrawn case (R-END-1, R-OVL-4) got no aftercare: withdrawal date plus the retention years.
- An open case (also one in aftercare whose end date passed but that was not closed yet) has no
  end: nothing happens until it is closed.
- A youth is anonymised when every case of theirs has ended its retention (the latest date
  counts); a youth without a case is left alone (the school's own student file rules apply).

What anonymising keeps and replaces (what the outflow statistics need stays):
- kept: the school, municipality, stages, outflow profile, situations, check-in contact made,
  provisions' kinds and statuses, ABA outcome, jobs' employer, kind, hours and training
  institution, whether there is a startkwalificatie, and the timeline's kinds;
- the birth date becomes 1 July of the birth year (age at outflow stays right within half a
  year); every other date of the youth's records goes to the first of its month;
- replaced by a placeholder: names, PGN/BSN, e-mail, phone, class, languages, arrival date,
  mentor; every free text (advice, reasons, notes, messages, purposes, references, who gave
  consent, names of staff in the records); parents or guardians and the youth's personal links
  (rows with a `token_hash`) are removed. This is done generically for every model that refers
  to a student, a case or an agenda item, so that a model added later is covered too.
- The processing log is kept as it is: it refers to the youth by id only, so after
  anonymisation it no longer says whose data it was. Meeting minutes are about several youth
  and are not touched.

Each anonymisation sets `Student.anonymised_on`, appends a timeline event per case (R-END-2)
and writes a processing-log record (operation "update", activity "privacy.retention", no actor:
the daily task does it). Running it again changes nothing (idempotent).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

from routearbeid.aftercare.constants import SignalStatus
from routearbeid.aftercare.models import Signal, WorkServiceFollowUp
from routearbeid.core.dates import add_years, birthday, today
from routearbeid.meetings.models import AgendaItem
from routearbeid.processing_log.services import processing_log_record
from routearbeid.route.constants import ENDED_STAGES, Stage
from routearbeid.route.models import Case, TimelineEvent
from routearbeid.route.timeline import EVENT_TEXT, timeline_append
from routearbeid.students.models import Guardian, Student

RETENTION = "privacy.retention"
# Placeholders, stored in the region's language like the data they replace.
REDACTED = gettext_lazy("[anonymised]")
ANONYMOUS_FIRST_NAME = gettext_lazy("Youth no.")
ANONYMOUS_LAST_NAME = gettext_lazy("%(number)s (anonymised)")
# Timeline data that the statistics may keep (organisation and employer names, choice values).
TIMELINE_KEPT_KEYS = {
    "organisation",
    "employer",
    "stage",
    "profile",
    "report_kind",
    "provision_kind",
    "provision_status",
    "signal_kind",
    "signal_status",
    "sequence",
    "situation",
    "with_whom",
}
SIGNAL_KEPT_PARAMS = {"n", "report_kind"}


def monitoring_ends_on(case: Case) -> dt.date | None:
    """R-RMC-1: the end of the RMC's monitoring of this case's youth (None before outflow)."""
    if case.outflow_on is None:
        return None
    student = case.student
    if student.has_basic_qualification:
        return student.basic_qualification_on or case.aftercare_ends_on or case.outflow_on
    by_setting = birthday(student.date_of_birth, student.school.region.rmc_age_limit)
    return max(d for d in (by_setting, case.rmc_monitoring_ends_on) if d is not None)


def follow_up_of(case: Case) -> WorkServiceFollowUp | None:
    """The work service's follow-up of the case, if any (select_related spares the query)."""
    try:
        return case.work_service_follow_up  # type: ignore[attr-defined]
    except WorkServiceFollowUp.DoesNotExist:
        return None


def case_retention_ends_on(case: Case) -> dt.date | None:
    """The day this case's data may be anonymised; None while the case is open or the work
    service still follows the youth (an open follow-up)."""
    years = case.student.school.region.retention_years
    if case.stage == Stage.WITHDRAWN:
        return add_years(case.ended_on or case.opened_on, years)
    if case.stage != Stage.CLOSED:
        return None
    aftercare_end = case.aftercare_ends_on or case.ended_on or case.outflow_on
    assert aftercare_end is not None
    monitoring_end = monitoring_ends_on(case) or aftercare_end
    follow_up = follow_up_of(case)
    if follow_up is not None and follow_up.ended_on is None:
        return None
    follow_up_end = follow_up.ended_on if follow_up is not None else None
    return add_years(max(d for d in (aftercare_end, monitoring_end, follow_up_end) if d), years)


def student_retention_ends_on(student: Student, cases: list[Case]) -> dt.date | None:
    """The latest end of the student's cases; None if any case is open or there is none."""
    dates = [case_retention_ends_on(c) for c in cases]
    if not dates or any(d is None for d in dates):
        return None
    return max(d for d in dates if d is not None)


@dataclass
class RetentionResult:
    on: dt.date
    dry_run: bool
    student_ids: list[int] = field(default_factory=list)
    case_ids: list[int] = field(default_factory=list)

    @property
    def students(self) -> int:
        return len(self.student_ids)

    @property
    def cases(self) -> int:
        return len(self.case_ids)


def expired_students(on: dt.date) -> list[tuple[Student, list[Case]]]:
    """Youth not yet anonymised whose every case has ended its retention on `on`."""
    candidates = (
        Student.objects.filter(anonymised_on__isnull=True, cases__isnull=False)
        .exclude(cases__stage__in=[s for s in Stage.values if s not in ENDED_STAGES])
        .distinct()
        .select_related("school__region")
        .prefetch_related(
            Prefetch(
                "cases",
                queryset=Case.objects.select_related("work_service_follow_up").order_by(
                    "opened_on", "id"
                ),
            )
        )
        .order_by("id")
    )
    due = []
    for student in candidates:
        cases = list(student.cases.all())
        for case in cases:
            case.student = student  # the prefetched student, with its region
        ends = student_retention_ends_on(student, cases)
        if ends is not None and ends <= on:
            due.append((student, cases))
    return due


def anonymise_expired(*, on: dt.date | None = None, dry_run: bool = False) -> RetentionResult:
    """Anonymise every youth whose retention ended on or before `on` (see the module's docstring);
    with `dry_run`, only say which."""
    on = on or today()
    result = RetentionResult(on=on, dry_run=dry_run)
    for student, cases in expired_students(on):
        result.student_ids.append(student.pk)
        result.case_ids.extend(c.pk for c in cases)
        if not dry_run:
            student_anonymise(student_id=student.pk, on=on)
    return result


def _month(day: dt.date | None) -> dt.date | None:
    return day.replace(day=1) if day else None


def _redacted(value: str) -> str:
    return str(REDACTED) if value else value


def _truncate_dates(obj: models.Model) -> list[str]:
    """Every date and time the record holds about the youth to the first of its month (not the
    record's own bookkeeping times); the names of the fields changed."""
    changed = []
    for f in obj._meta.concrete_fields:
        if not isinstance(f, models.DateField) or f.auto_now or f.auto_now_add:
            continue
        value = getattr(obj, f.attname)
        if value is None:
            continue
        if isinstance(f, models.DateTimeField):
            local = timezone.localtime(value)
            first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
            if first != local:
                setattr(obj, f.attname, first)
                changed.append(f.name)
        elif value.day != 1:
            setattr(obj, f.attname, value.replace(day=1))
            changed.append(f.name)
    return changed


def _scrub(
    objects,
    *,
    text: tuple[str, ...] = (),
    blank: tuple[str, ...] = (),
    null: tuple[str, ...] = (),
    also: tuple[str, ...] = (),
) -> None:
    """Replace free text, empty contact fields, drop references to people, truncate dates, and
    save those fields (plus `also`, set by the caller) in one bulk update."""
    objects = list(objects)
    if not objects:
        return
    model = type(objects[0])
    fields = set(text) | set(blank) | set(null) | set(also)
    has_updated_at = any(f.name == "updated_at" for f in model._meta.concrete_fields)
    now = timezone.now()
    for obj in objects:
        for name in text:
            setattr(obj, name, _redacted(getattr(obj, name)))
        for name in blank:
            setattr(obj, name, "")
        for name in null:
            setattr(obj, name, None)
        fields.update(_truncate_dates(obj))
        if has_updated_at:
            obj.updated_at = now  # type: ignore[attr-defined]
    if has_updated_at:
        fields.add("updated_at")
    model.objects.bulk_update(objects, sorted(fields))


@transaction.atomic
def student_anonymise(*, student_id: int, on: dt.date | None = None) -> bool:
    """Replace one youth's personal data by placeholders; False when already done."""
    on = on or today()
    student = Student.objects.select_for_update().filter(pk=student_id).first()
    if student is None or student.anonymised_on is not None:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        _anonymise(student, on)
    return True


# Short texts that hold free text or names of people; every TextField is free text anyway.
NAME_AND_TEXT_FIELDS = {
    "person_name",
    "consent_given_by",
    "receiving_person",
    "follow_up",
    "next_step",
    "enrolment_reference",
    "reference",
    "description",
    "purpose",
}
CONTACT_FIELDS = {"contact_phone", "email", "phone"}


def _scrub_all(objects, *, also: tuple[str, ...] = ()) -> None:
    """Anonymise records of any model the same way: free text and names become the placeholder,
    contact details are emptied, references to staff users are dropped, dates go to the month."""
    objects = list(objects)
    if not objects:
        return
    fields = type(objects[0])._meta.concrete_fields
    text = tuple(
        f.name
        for f in fields
        if not f.choices
        and (
            isinstance(f, models.TextField)
            or (isinstance(f, models.CharField) and f.name in NAME_AND_TEXT_FIELDS)
        )
    )
    blank = tuple(f.name for f in fields if f.name in CONTACT_FIELDS)
    null = tuple(
        f.name for f in fields if f.is_relation and f.null and f.related_model is get_user_model()
    )
    _scrub(objects, text=text, blank=blank, null=null, also=also)


def _related_querysets(model: type[models.Model], ids: list[int], *, skip: set[str]):
    """For each model that refers to `model` (one-to-many or one-to-one), its rows for these ids:
    a model added later by another app is anonymised without a change here."""
    for rel in model._meta.related_objects:
        if (rel.one_to_many or rel.one_to_one) and rel.get_accessor_name() not in skip:
            yield rel.related_model._default_manager.filter(**{f"{rel.field.name}__in": ids})


def _anonymise(student: Student, on: dt.date) -> None:
    cases = list(Case.objects.filter(student=student))
    case_ids = [c.pk for c in cases]

    student.first_name = str(ANONYMOUS_FIRST_NAME)
    student.last_name = str(ANONYMOUS_LAST_NAME) % {"number": student.pk}
    student.date_of_birth = dt.date(student.date_of_birth.year, 7, 1)
    student.arrival_date = None
    student.basic_qualification_on = _month(student.basic_qualification_on)
    student.pgn = ""
    student.email = ""
    student.phone = ""
    student.class_name = ""
    student.languages = ""
    student.mentor = None
    student.anonymised_on = on
    student.save()
    # Parents and guardians: nothing of them is needed for statistics.
    Guardian.objects.filter(student=student).delete()
    for qs in _related_querysets(Student, [student.pk], skip={"cases", "guardians"}):
        _scrub_all(qs)

    _scrub_all(cases)
    for qs in _related_querysets(Case, case_ids, skip={"events", "signals", "agenda_items"}):
        if any(f.name == "token_hash" for f in qs.model._meta.concrete_fields):
            qs.delete()  # the youth's personal links (portal): nothing to reach any more
        else:
            _scrub_all(qs)
    items = AgendaItem.objects.filter(case_id__in=case_ids)
    for qs in _related_querysets(AgendaItem, list(items.values_list("id", flat=True)), skip=set()):
        _scrub_all(qs)

    signals = list(Signal.objects.filter(case_id__in=case_ids))
    for signal in signals:
        signal.params = {
            k: (v if k in SIGNAL_KEPT_PARAMS else str(REDACTED))
            for k, v in (signal.params or {}).items()
        }
        if signal.status in (SignalStatus.SCHEDULED, SignalStatus.OPEN, SignalStatus.ACKNOWLEDGED):
            signal.status = SignalStatus.CANCELLED
    _scrub_all(signals, also=("params", "status"))

    events = list(TimelineEvent.objects.filter(case_id__in=case_ids))
    for event in events:
        event.data = {
            k: (v if k in TIMELINE_KEPT_KEYS else str(REDACTED))
            for k, v in (event.data or {}).items()
        }
        template = EVENT_TEXT.get(event.kind)
        if template is not None:
            try:
                event.summary = (str(template) % event.data if event.data else str(template))[:300]
            except (KeyError, ValueError, TypeError):
                event.summary = str(template)[:300]
    _scrub_all(events, also=("data", "summary"))

    for case in cases:
        timeline_append(case=case, actor=None, kind="anonymised")
    processing_log_record(
        actor=None, operation="update", activity=RETENTION, student_ids=[student.pk]
    )


def describe_result(result: RetentionResult) -> str:
    """One line for the command and the task's log: counts and ids, never names."""
    verb = gettext("would anonymise") if result.dry_run else gettext("anonymised")
    return gettext("%(on)s: %(verb)s %(students)s youth, %(cases)s cases %(ids)s") % {
        "on": result.on.isoformat(),
        "verb": verb,
        "students": result.students,
        "cases": result.cases,
        "ids": result.case_ids,
    }
