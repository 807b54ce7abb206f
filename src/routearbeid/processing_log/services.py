"""The only writer of the processing log."""

from collections.abc import Iterable

from routearbeid.organisations.actors import Actor

from .activities import ACTIVITIES
from .models import Operation, ProcessingLogRecord
from .trace import current_trace_id


def processing_log_record(
    *,
    actor: Actor | None,
    operation: str,
    activity: str,
    student_ids: Iterable[int],
    status: str = "ok",
) -> None:
    if activity not in ACTIVITIES:
        raise ValueError(f"unknown processing activity {activity!r}")
    if operation not in Operation.values:
        raise ValueError(f"unknown operation {operation!r}")
    trace_id = current_trace_id()
    organisation_id = actor.primary_organisation_id() if actor else None
    ProcessingLogRecord.objects.bulk_create(
        [
            ProcessingLogRecord(
                trace_id=trace_id,
                operation=operation,
                activity=activity,
                subject_student_id=student_id,
                actor=actor.user if actor else None,
                organisation_id=organisation_id,
                status=status,
            )
            for student_id in sorted(set(student_ids))
        ]
    )


def case_processing_log(
    actor: Actor | None, case, activity: str, operation: str = "update"
) -> None:
    """Log a read or write of one case's personal data (its student is the data subject)."""
    processing_log_record(
        actor=actor, operation=operation, activity=activity, student_ids=[case.student_id]
    )
