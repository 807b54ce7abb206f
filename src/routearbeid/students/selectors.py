"""Reads of students, scoped to the acting user."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from routearbeid.core.errors import NotFound
from routearbeid.organisations.actors import as_actor
from routearbeid.processing_log.services import processing_log_record

from .models import Student


def visible_students(actor) -> QuerySet[Student]:
    """School roles see their school's students; others only students whose case they may see."""
    from routearbeid.route.models import Case
    from routearbeid.route.selectors import visible_cases_q

    actor = as_actor(actor)
    qs = Student.objects.all()
    condition = Q(school_id__in=actor.school_ids) if actor.school_ids else None
    case_condition = visible_cases_q(actor)
    if case_condition is not None:
        # One Exists subquery: the student has a case the actor may see.
        has_visible_case = Q(Exists(Case.objects.filter(case_condition, student=OuterRef("pk"))))
        condition = has_visible_case if condition is None else condition | has_visible_case
    if condition is None:
        return qs.none()
    return qs.filter(condition)


def student_list(*, actor, search: str = "") -> QuerySet[Student]:
    qs = visible_students(actor).select_related("school")
    if search:
        for word in search.split():
            qs = qs.filter(first_name__icontains=word) | qs.filter(last_name__icontains=word)
    return qs.order_by("last_name", "first_name", "id")


def student_get(*, actor, student_id: int, log: bool = True) -> Student:
    actor = as_actor(actor)
    try:
        student = visible_students(actor).select_related("school__region").get(pk=student_id)
    except (Student.DoesNotExist, ValueError, TypeError):
        raise NotFound("not found") from None
    if log:
        processing_log_record(
            actor=actor, operation="read", activity="students.student", student_ids=[student.pk]
        )
    return student
