"""The only writer of the processing log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.db import connection
from django.utils import timezone

from routearbeid.organisations.actors import Actor
from routearbeid.organisations.constants import OrganisationKind, Role

from .activities import ACTIVITIES
from .models import Operation, ProcessingLogRecord, Status
from .trace import current_trace_id, note_records

if TYPE_CHECKING:
    from routearbeid.route.models import Case


def processing_log_record(
    *,
    actor: Actor | None,
    operation: str,
    activity: str,
    student_ids: Iterable[int],
    status: str = Status.OK,
    organisation_id: int | None = None,
) -> None:
    """Log one processing of these youth's data, under `organisation_id` when given
    (`case_processing_log` gives the one that has the case); else per youth under the
    organisation through which the actor has them (`_organisations_by_student`)."""
    if activity not in ACTIVITIES:
        raise ValueError(f"unknown processing activity {activity!r}")
    if operation not in Operation.values:
        raise ValueError(f"unknown operation {operation!r}")
    if status not in Status.values:
        raise ValueError(f"unknown status {status!r}")
    trace_id = current_trace_id()
    ids = sorted(set(student_ids))
    if organisation_id is not None or actor is None:
        organisations = dict.fromkeys(ids, organisation_id)
    else:
        organisations = _organisations_by_student(actor, ids, activity)
    _insert(
        trace_id=trace_id,
        operation=operation,
        activity=activity,
        actor_id=actor.user.pk if actor else None,
        status=status,
        organisations=organisations,
    )
    note_records(len(ids))


# One statement for all of a request's records on PostgreSQL: the subjects and their
# organisations as two arrays, the rest the same for each (issue #7: a worklist shows up to 100
# youth, and making a model instance per record cost more than writing it).
_INSERT_SQL = f"""
INSERT INTO {ProcessingLogRecord._meta.db_table}
    (trace_id, operation, activity, subject_student_id, actor_id, organisation_id, at, status)
SELECT %s, %s, %s, subject, %s, organisation, %s, %s
FROM unnest(%s::bigint[], %s::bigint[]) AS record(subject, organisation)
"""


def _insert(
    *,
    trace_id: str,
    operation: str,
    activity: str,
    actor_id: int | None,
    status: str,
    organisations: Mapping[int, int | None],
) -> None:
    """Append one record per youth in `organisations` (youth id -> organisation id)."""
    if not organisations:
        return
    now = timezone.now()
    if connection.vendor == "postgresql":
        subjects = list(organisations)
        with connection.cursor() as cursor:
            cursor.execute(
                _INSERT_SQL,
                [
                    trace_id,
                    operation,
                    activity,
                    actor_id,
                    now,
                    status,
                    subjects,
                    [organisations[subject] for subject in subjects],
                ],
            )
        return
    ProcessingLogRecord.objects.bulk_create(
        [
            ProcessingLogRecord(
                trace_id=trace_id,
                operation=operation,
                activity=activity,
                subject_student_id=student_id,
                actor_id=actor_id,
                organisation_id=organisation_id,
                at=now,
                status=status,
            )
            for student_id, organisation_id in organisations.items()
        ]
    )


def _work_seats(actor: Actor):
    """The actor's seats other than a functional administrator's, oldest membership first."""
    seats = [s for s in actor.seats if s.role != Role.FUNCTIONAL_ADMIN]
    return sorted(seats, key=lambda s: s.membership_id)


def _activity_organisation_id(actor: Actor, activity: str) -> int | None:
    kind = ACTIVITIES[activity].owner_kind
    if kind:
        seat = next((s for s in _work_seats(actor) if s.kind == kind), None)
        if seat is not None:
            return seat.organisation_id
    return actor.primary_organisation_id()


def _organisations_by_student(
    actor: Actor, student_ids: list[int], activity: str
) -> dict[int, int | None]:
    """Per youth, the actor's organisation that has them: their school if it is one of the
    actor's schools, else the actor's organisation involved in or handed one of their cases. For
    an activity that is an organisation kind's own task (the RMC's monitoring list) and an actor
    with such a seat, that seat; the fallback is the actor's primary organisation. One query, and
    only for a person with several organisations."""
    default = _activity_organisation_id(actor, activity)
    seats = _work_seats(actor)
    own_task = ACTIVITIES[activity].owner_kind
    if (
        not student_ids
        or len({s.organisation_id for s in seats}) <= 1
        or any(s.kind == own_task for s in seats)
    ):
        return dict.fromkeys(student_ids, default)
    from routearbeid.route.models import Handover, Involvement
    from routearbeid.students.models import Student

    others = [s.organisation_id for s in seats if s.kind != OrganisationKind.SCHOOL]
    parts: list = []
    if actor.school_ids:
        parts.append(
            Student.objects.filter(pk__in=student_ids, school_id__in=actor.school_ids).values_list(
                "pk", "school_id"
            )
        )
    if others:
        parts.append(
            Involvement.objects.filter(
                case__student_id__in=student_ids, organisation_id__in=others
            ).values_list("case__student_id", "organisation_id")
        )
        parts.append(
            Handover.objects.filter(
                case__student_id__in=student_ids, receiving_organisation_id__in=others
            ).values_list("case__student_id", "receiving_organisation_id")
        )
    return _choose(actor, seats, student_ids, _union(parts), default)


def _union(parts: list) -> list[tuple[int, int]]:
    """The rows of these (key, organisation id) querysets, in one query."""
    if not parts:
        return []
    first, *rest = parts
    return list(first.union(*rest, all=True) if rest else first)


def _choose(actor: Actor, seats, keys: Iterable[int], rows, default: int | None) -> dict:
    """Per key, the school among the rows' organisations, else the first by membership order."""
    found: dict[int, set[int]] = {}
    for key, organisation_id in rows:
        found.setdefault(key, set()).add(organisation_id)
    chosen: dict[int, int | None] = {}
    for key in keys:
        linked = found.get(key, set())
        school = next(iter(linked & actor.school_ids), None)
        chosen[key] = (
            school
            if school is not None
            else next((s.organisation_id for s in seats if s.organisation_id in linked), default)
        )
    return chosen


def case_organisation_id(actor: Actor, case: Case, activity: str) -> int | None:
    """The organisation through which the actor has this case: the case's school if it is one
    of the actor's schools; else the actor's organisation that is involved in the case or
    received its handover; else the actor's seat of the activity's owner kind or the primary
    organisation. No query for a person with one organisation or for a school's own case (when
    the case's student is loaded); otherwise one small query."""
    from routearbeid.route.models import Case, Handover, Involvement
    from routearbeid.students.models import Student

    seats = _work_seats(actor)
    if len({s.organisation_id for s in seats}) <= 1:
        return seats[0].organisation_id if seats else None
    schools = actor.school_ids
    if schools and Case.student.is_cached(case):  # type: ignore[attr-defined]
        if case.student.school_id in schools:
            return case.student.school_id
        schools = set()
    others = [s.organisation_id for s in seats if s.kind != OrganisationKind.SCHOOL]
    parts: list = []
    if schools:
        parts.append(
            Student.objects.filter(pk=case.student_id, school_id__in=schools).values_list(
                "pk", "school_id"
            )
        )
    if others:
        parts.append(
            Involvement.objects.filter(case_id=case.pk, organisation_id__in=others).values_list(
                "case__student_id", "organisation_id"
            )
        )
        parts.append(
            Handover.objects.filter(
                case_id=case.pk, receiving_organisation_id__in=others
            ).values_list("case__student_id", "receiving_organisation_id")
        )
    default = _activity_organisation_id(actor, activity)
    return _choose(actor, seats, [case.student_id], _union(parts), default)[case.student_id]


def case_processing_log(
    actor: Actor | None, case: Case, activity: str, operation: str = "update"
) -> None:
    """Log a read or write of one case's personal data (its student is the data subject), under
    the organisation through which the actor has the case (`case_organisation_id`)."""
    if activity not in ACTIVITIES:
        raise ValueError(f"unknown processing activity {activity!r}")
    processing_log_record(
        actor=actor,
        operation=operation,
        activity=activity,
        student_ids=[case.student_id],
        organisation_id=case_organisation_id(actor, case, activity) if actor else None,
    )
