"""Reads of students, scoped to the acting user."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

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
    case_condition = visible_cases_q(actor)
    own_school = qs.filter(school_id__in=actor.school_ids) if actor.school_ids else None
    if case_condition is None:
        return own_school if own_school is not None else qs.none()
    has_visible_case = Exists(Case.objects.filter(case_condition, student=OuterRef("pk")))
    if own_school is not None:
        return qs.filter(has_visible_case) | own_school
    return qs.filter(has_visible_case)


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
        processing_log_record(actor=actor, operation="read", activity="students.student", student_ids=[student.pk])
    return student
