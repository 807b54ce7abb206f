"""Which youth a privacy officer answers for, and the processing log about one of them.

A privacy officer (functionaris gegevensbescherming) does no case work: `visible_cases_q` gives
them nothing. They see the data subjects their organisation is responsible for, and about those
the log records of every organisation (who looked at this youth's data is the point).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from routearbeid.core.errors import NotFound
from routearbeid.organisations.actors import Actor, as_actor
from routearbeid.organisations.constants import OrganisationKind, Role
from routearbeid.processing_log.activities import ACTIVITIES
from routearbeid.processing_log.models import ProcessingLogRecord, Status
from routearbeid.processing_log.services import processing_log_record
from routearbeid.route.models import Handover, Involvement
from routearbeid.students.models import Student
from routearbeid.students.selectors import name_contains, searched_order

LOG_REVIEW = "privacy.log_review"
ACCESS_REQUEST = "privacy.access_request"

# Per organisation kind, the processing activities that are its own task (see privacy_subjects_q).
OWN_TASK_ACTIVITIES: dict[str, set[str]] = {}
for _activity in ACTIVITIES.values():
    if _activity.owner_kind and _activity.owner_kind != OrganisationKind.SCHOOL:
        OWN_TASK_ACTIVITIES.setdefault(_activity.owner_kind, set()).add(_activity.code)

# The PGN (BSN or education number) is for the school and the work service only (PGN_ROLES); an
# SWV may not use it by law, nor do the RMC, Leerplicht or the route coordination need it. A
# privacy officer of such an organisation neither searches by it nor gets it in the inzage.
PGN_KINDS = {OrganisationKind.SCHOOL, OrganisationKind.WORK_SERVICE}


def is_privacy_officer(actor: Actor) -> bool:
    return actor.has_role(Role.PRIVACY_OFFICER)


def privacy_subjects_q(actor: Actor) -> Q | None:
    """The condition on Student for the youth the actor's organisations answer for as controller;
    None when the actor is no privacy officer.

    - a school: its own students;
    - any other organisation (work service, RMC, Leerplicht, SWV, …): youth of its region whose
      case it is involved in or received by handover;
    - an RMC, a route coordination (and a work service): also youth of its region whose data its
      own people processed for the organisation's own task without such a link, according to
      the processing log (the RMC's monitoring list, the route coordinator's agendas).

    Only log records of an activity that is the organisation's own task count (its `owner_kind`
    in the register, e.g. "aftercare.monitoring" for an RMC): such a record shows that the
    organisation really had the youth. Other records do not, because a list read over many youth
    is logged under one organisation of the actor (`processing_log_record`): for a person with
    several memberships that need not be the one that has each youth (a mentor at two schools
    reading the student list). A school answers for its own students only, and the privacy
    officers' own records (reviews, refused requests) never count, or a look would widen the view.
    """
    seats = [s for s in actor.seats if s.role == Role.PRIVACY_OFFICER]
    if not seats:
        return None
    parts: list[Q] = []
    schools = {s.organisation_id for s in seats if s.kind == OrganisationKind.SCHOOL}
    if schools:
        parts.append(Q(school_id__in=schools))
    by_region: dict[int, set[int]] = {}
    for seat in seats:
        if seat.kind != OrganisationKind.SCHOOL:
            by_region.setdefault(seat.region_id, set()).add(seat.organisation_id)
    for region_id, ids in by_region.items():
        involved = Exists(
            Involvement.objects.filter(case__student=OuterRef("pk"), organisation_id__in=ids)
        )
        received = Exists(
            Handover.objects.filter(case__student=OuterRef("pk"), receiving_organisation_id__in=ids)
        )
        parts.append(Q(school__region_id=region_id) & (Q(involved) | Q(received)))
    for seat in seats:
        activities = OWN_TASK_ACTIVITIES.get(seat.kind)
        if not activities:
            continue
        processed = ProcessingLogRecord.objects.filter(
            subject_student_id=OuterRef("pk"),
            organisation_id=seat.organisation_id,
            activity__in=activities,
            status=Status.OK,
        )
        parts.append(Q(school__region_id=seat.region_id) & Q(Exists(processed)))
    condition = parts[0]
    for part in parts[1:]:
        condition |= part
    return condition


def privacy_may_see_pgn(actor: Actor) -> bool:
    """Whether the actor is a privacy officer of a school or a work service (PGN_KINDS)."""
    return any(s.role == Role.PRIVACY_OFFICER and s.kind in PGN_KINDS for s in actor.seats)


def privacy_subjects(actor) -> QuerySet[Student]:
    actor = as_actor(actor)
    condition = privacy_subjects_q(actor)
    if condition is None:
        return Student.objects.none()
    return Student.objects.filter(condition)


def privacy_subject_search(*, actor, query: str, limit: int = 50) -> list[Student]:
    """Youth the officer answers for, by name (each word), date of birth (dd-mm-jjjj) or, for an
    officer of a school or work service, PGN."""
    actor = as_actor(actor)
    by_pgn = privacy_may_see_pgn(actor)
    query = query.strip()[:100]
    if not query:
        return []
    qs = privacy_subjects(actor).select_related("school")
    for word in query.split():
        condition = name_contains(word)
        if by_pgn and word.isdigit() and len(word) == 9:
            condition |= Q(pgn=word)
        born = _parse_date(word)
        if born:
            condition |= Q(date_of_birth=born)
        qs = qs.filter(condition)
    rows = list(qs.order_by(*searched_order("last_name", "first_name", "id"))[:limit])
    if rows:
        processing_log_record(
            actor=actor, operation="read", activity=LOG_REVIEW, student_ids=[s.pk for s in rows]
        )
    return rows


def _parse_date(word: str) -> dt.date | None:
    for fmt in ("%d-%m-%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(word, fmt).date()
        except ValueError:
            continue
    return None


def privacy_subject_get(*, actor, student_id: int, activity: str = LOG_REVIEW) -> Student:
    """The youth, if the actor is a privacy officer answering for them; else NotFound. The read is
    logged; a refused request for an existing youth is logged with status "denied"."""
    actor = as_actor(actor)
    try:
        return_value = (
            privacy_subjects(actor).select_related("school__region", "mentor").get(pk=student_id)
        )
    except (Student.DoesNotExist, ValueError, TypeError):
        if is_privacy_officer(actor) and Student.objects.filter(pk=student_id).exists():
            processing_log_record(
                actor=actor,
                operation="read",
                activity=activity,
                student_ids=[student_id],
                status=Status.DENIED,
            )
        raise NotFound("not found") from None
    processing_log_record(
        actor=actor, operation="read", activity=activity, student_ids=[return_value.pk]
    )
    return return_value


@dataclass(frozen=True)
class LogFilters:
    since: dt.date | None = None
    until: dt.date | None = None
    organisation_id: int | None = None
    operation: str = ""


def subject_log(*, student: Student, filters: LogFilters | None = None):
    """Every organisation's log records about one youth, newest first (for a privacy officer who
    already got the youth through `privacy_subject_get`)."""
    filters = filters or LogFilters()
    qs = ProcessingLogRecord.objects.filter(subject_student_id=student.pk).select_related(
        "actor", "organisation"
    )
    if filters.since:
        qs = qs.filter(at__date__gte=filters.since)
    if filters.until:
        qs = qs.filter(at__date__lte=filters.until)
    if filters.organisation_id:
        qs = qs.filter(organisation_id=filters.organisation_id)
    if filters.operation:
        qs = qs.filter(operation=filters.operation)
    return qs.order_by("-at", "-id")


def subject_log_organisations(*, student: Student):
    """The organisations that appear in the youth's log (the organisation filter's choices)."""
    from routearbeid.organisations.models import Organisation

    ids = ProcessingLogRecord.objects.filter(subject_student_id=student.pk).values(
        "organisation_id"
    )
    return Organisation.objects.filter(pk__in=ids).order_by("name")
