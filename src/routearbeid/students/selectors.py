"""Reads of students, scoped to the acting user."""

from __future__ import annotations

import operator
from functools import reduce

from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat

from routearbeid.core import sqlcache
from routearbeid.core.dates import today
from routearbeid.core.errors import NotFound
from routearbeid.organisations.actors import as_actor
from routearbeid.organisations.constants import OrganisationKind
from routearbeid.organisations.models import Organisation
from routearbeid.processing_log.services import processing_log_record

from .models import Student


def visible_students(
    actor,
    *,
    narrowed: bool = False,
    searched: bool = False,
    in_order: bool = False,
    probed: bool = False,
) -> QuerySet[Student]:
    """School roles see their school's students; others only students whose case they may see.

    Shaped for the indexes (issue #7): a school role alone is a plain condition on the school
    (a case of the school's students belongs to a student of the school, so looking through the
    cases adds nobody). For partner roles there are three shapes of the same condition:

    - a whole list (`narrowed=False`): `id IN (students of the small, indexed case id sets of
      route.selectors.case_access)`; an EXISTS per student would make PostgreSQL walk every
      student;
    - rows the caller narrows first by their own index, one id (`narrowed=True`) or a name
      search (`searched=True`, which implies it): the school condition OR an EXISTS of a
      visible case, checked on those rows only; the union would build the whole visible set
      for them (a work service's 44,000 students at 1,000,000 cases: 1.8 s for a search that
      now takes 0.1-0.3 s). With `searched`, the region's schools are named by id (one small
      query first): PostgreSQL then intersects the name's trigram index with the school index
      once, instead of once per school of the region (a work service's search at 1,000,000
      cases: 40 -> 17 ms for the count and again for the page); and the EXISTS is one probe
      per link set (route.selectors.exists_each) rather than one of the case joined to its
      links: each youth the name matches is looked up in each set's index (the same search's
      id query: 48-61 -> 26-29 ms);
    - a whole list read page by page in the order of an index (`in_order=True`, the youth list
      by name): the school condition OR `id IN` each link set. PostgreSQL keeps each set in a
      hash and walks the name index until the page is full, instead of fetching and sorting
      every visible student (a work service's 44,000: 230 -> 50 ms). That pays when the set
      is a large share of all students and costs when it is a small one (the walk passes
      everyone else), so the caller decides, by the count (students.views.student_list).
      With `probed`, for the first pages: each youth the walk passes is looked up in each
      link set's index instead (route.selectors.exists_each), so no set is hashed at all: a
      work service's first page at 1,000,000 cases 37 -> 3 ms, where hashing its 82,000 links
      took 18 ms before the walk began; further on, where the walk passes thousands of youth,
      the hash is cheaper.
    """
    from routearbeid.route.models import Case
    from routearbeid.route.selectors import case_access, exists_each

    actor = as_actor(actor)
    access = case_access(actor)
    if access.empty:
        return Student.objects.none()
    if not access.parts:
        return Student.objects.filter(school_id__in=access.school_ids)
    if narrowed or searched:
        if searched:
            parts = [exists_each(p.rows(), p.field("student"), "pk") for p in access.parts]
            has_case = reduce(operator.or_, parts)
        else:
            has_case = Q(Exists(Case.objects.filter(access.case_q(), student=OuterRef("pk"))))
        condition = Q(school_id__in=access.school_ids) | has_case if access.school_ids else has_case
        qs = Student.objects.filter(condition)
        regions = access.part_regions
        if regions is not None:
            # Implied by the condition (every part is limited to its regions' schools), and
            # cheap to test first: a common name nationally is 1/20 of that in one region.
            if searched:
                schools = Organisation.objects.filter(
                    region_id__in=regions, kind=OrganisationKind.SCHOOL
                ).values_list("id", flat=True)
                qs = qs.filter(school_id__in=sorted({*access.school_ids, *schools}))
            else:
                qs = qs.filter(
                    Q(school_id__in=access.school_ids) | Q(school__region_id__in=regions)
                )
        return qs
    if in_order:
        conditions = [
            exists_each(part.rows(), part.field("student"), "pk")
            if probed
            else Q(pk__in=part.student_ids())
            for part in access.parts
        ]
        if access.school_ids:
            conditions.insert(0, Q(school_id__in=access.school_ids))
        return Student.objects.filter(reduce(operator.or_, conditions))
    branches = [part.student_ids() for part in access.parts]
    if access.school_ids:
        own = Student.objects.filter(school_id__in=access.school_ids).order_by().values("id")
        branches.insert(0, own)
    first, *rest = branches
    # UNION ALL: `IN` drops the repeats, without sorting the branches first
    return Student.objects.filter(pk__in=first.union(*rest, all=True) if rest else first)


def name_contains(word: str) -> Q:
    """The word in the first or the last name, case-insensitive: anywhere in it (`UPPER(name)
    LIKE UPPER('%word%')`), or, for a word of one or two letters, at its start. The trigram
    indexes of students.0005 serve both. A short word anywhere has no trigram to look up: the
    index returned every name ("El" at 1,000,000 cases: 960,000 rows, 0.9-1.5 s for a work
    service's search, issue #7), and it matches a tenth of all youth, which helps nobody; at the
    start of a name it finds the Elifs and the El Amranis in 40 ms."""
    if len(word) >= 3:
        return Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return Q(first_name__istartswith=word) | Q(last_name__istartswith=word)


def searched_order(*fields: str) -> list:
    """An order for rows found by a name search: the same order, but the last name, as leading
    key, becomes an expression that no index serves (`last_name || ''`, the same value and
    collation). The trigram indexes find the few matching rows and those are sorted. With the
    plain column PostgreSQL expects the matches to be many and spread evenly, and walks the name
    index looking for 25 of them: the whole index for a name late in the alphabet (1.2 s for a
    work service's search at 1,000,000 cases against 0.05 s, issue #7)."""
    order: list = list(fields)
    if order and order[0].lstrip("-") == "last_name":
        key = Concat(F("last_name"), Value(""), output_field=CharField())
        order[0] = key.desc() if order[0].startswith("-") else key.asc()
    return order


def student_list(*, actor, search: str = "") -> QuerySet[Student]:
    """Every word of `search` in the first or the last name (case-insensitive). On PostgreSQL
    the trigram indexes of students.0005 serve these `UPPER(name) LIKE UPPER('%word%')` tests."""
    words = search.split()
    qs = visible_students(actor, searched=bool(words)).select_related("school")
    for word in words:
        qs = qs.filter(name_contains(word))
    order = ("last_name", "first_name", "id")
    return qs.order_by(*(searched_order(*order) if words else order))


def student_get(*, actor, student_id: int, log: bool = True) -> Student:
    """The youth, if the actor may see them (else NotFound).

    The access rule is the same for every youth, and for partner seats long to build and
    compile (an EXISTS per link the organisation may have, 5-6 ms a youth page at 1,000,000
    cases, issue #7): the query is built and compiled once per person and day
    (core.sqlcache), for all ids."""
    from routearbeid.route.selectors import case_access

    actor = as_actor(actor)
    try:
        student_id = int(student_id)
        found = sqlcache.objects(
            ("student_get", actor.key, today()),
            # the access rule's shape is asked only when the query is built, not on every call
            lambda pk: (
                visible_students(actor, narrowed=bool(case_access(actor).parts))
                .select_related("school__region", "mentor")
                .filter(pk=pk)
            ),
            args=(student_id,),
        )
        if len(found) != 1:
            raise Student.DoesNotExist
        student = found[0]
    except (Student.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("not found") from None
    if log:
        processing_log_record(
            actor=actor, operation="read", activity="students.student", student_ids=[student.pk]
        )
    return student
