"""Reads of cases, always scoped to the acting user (domain.md, "Who sees what")."""

from __future__ import annotations

import datetime as dt
import heapq
import operator
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import reduce

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.functional import Promise

from routearbeid.core.dates import add_years, birthday, today
from routearbeid.core.errors import NotFound
from routearbeid.meetings.models import AgendaItem
from routearbeid.organisations.actors import Actor, Seat, as_actor
from routearbeid.organisations.constants import Role
from routearbeid.processing_log.services import case_processing_log

from . import machine
from .constants import Stage
from .models import Case, Handover, Involvement, TimelineEvent
from .permissions import HANDOVER_RECEIVING_ROLES
from .rules import KWALIFICATIEPLICHT_AGE, CaseFacts, RuleCheck


def latest_birth_date(age: int, on: dt.date) -> dt.date:
    """The last date of birth of someone who is `age` or older on `on`, as `age_on` counts
    (a 29 February birthday counts on 28 February)."""
    latest = add_years(on, -age)
    next_day = latest + dt.timedelta(days=1)
    return next_day if birthday(next_day, age) <= on else latest


def _group(actor: Actor, roles, key: Callable[[Seat], tuple | None]) -> dict[tuple, set[int]]:
    """The actor's organisations in these roles, grouped by `key` (None leaves a seat out)."""
    groups: dict[tuple, set[int]] = {}
    for seat in actor.seats:
        if seat.role in roles and (k := key(seat)) is not None:
            groups.setdefault(k, set()).add(seat.organisation_id)
    return groups


def _by_region(seat: Seat) -> tuple:
    return (seat.region_id,)


# The roles that see a case once their organisation is asked to take part (not Leerplicht: below).
INVOLVED_ROLES = (Role.WORK_SERVICE_MANAGER, Role.RMC_OFFICER, Role.SWV_OFFICER)


@dataclass(frozen=True)
class AccessPart:
    """One reason a partner role sees cases: the cases that meet `where` and, if `link` is set,
    that have one of its rows (a queryset with a `case` foreign key: the involvements, handovers
    or agenda items of the actor's own organisations or regions, a small set found by an index).

    `where(prefix)` is a condition whose fields are prefixed by the path to the case's student
    and case fields (`student__…`, `stage`): "" on Case. On a link row the path is
    `link_prefix`: "case__" in general, "" for a link that keeps its case's student and region
    (models.KeptFromCase: an involvement or a handover), whose own index then answers.
    """

    where: Callable[[str], Q] | None = None
    link: QuerySet | None = None
    link_prefix: str = "case__"
    # The regions whose schools' students these cases are limited to; None when not limited.
    regions: frozenset[int] | None = None
    # Whether the part's rows (`rows()`) hold each case at most once (a handover; the
    # involvements of one organisation; the cases themselves, without link), so that they can be
    # counted without DISTINCT (CaseAccess.link_count).
    one_per_case: bool = False

    def _where(self, prefix: str) -> Q:
        return self.where(prefix) if self.where is not None else Q()

    def case_q(self) -> Q:
        """As a condition on Case, with one EXISTS for the link: the cheapest shape when the
        cases are filtered from a few rows (a case, the signals of an organisation), which is
        how the other modules use visible_cases_q."""
        condition = self._where("")
        if self.link is not None:
            condition &= Q(Exists(self.link.filter(case=OuterRef("pk"))))
        return condition

    def case_ids(self) -> QuerySet:
        """The ids of these cases, driven from the link rows (or, without link, from the
        condition's own index): one branch of the UNION that the lists use."""
        return self.rows().values(self.field("case"))

    def student_ids(self) -> QuerySet:
        """The students of these cases, driven from the link rows (or, without link, from the
        condition's own index): one branch of the UNION that visible_students uses."""
        return self.rows().values(self.field("student"))

    def rows(self) -> QuerySet:
        """The part's own rows, one or more per case: its links that meet the condition, or,
        without link, the cases that do."""
        if self.link is None:
            return Case.objects.filter(self._where("")).order_by()
        return self.link.filter(self._where(self.link_prefix)).order_by()

    def field(self, of: str) -> str:
        """The field of `rows()` that holds the case's id (`of="case"`) or its student's."""
        if self.link is None:
            return "id" if of == "case" else "student_id"
        return "case_id" if of == "case" else f"{self.link_prefix}student_id"


@dataclass(frozen=True)
class CaseAccess:
    """What the actor's roles allow: the schools whose cases they see (school roles) and the
    other reasons they see a case (partner roles). visible_cases_q and
    students.selectors.visible_students build their conditions from it (issue #7)."""

    school_ids: frozenset[int]
    parts: tuple[AccessPart, ...]

    @property
    def empty(self) -> bool:
        return not self.school_ids and not self.parts

    @property
    def part_regions(self) -> frozenset[int] | None:
        """The regions all partner parts together are limited to (their students are of those
        regions' schools), or None when a part is not limited by region."""
        regions: set[int] = set()
        for part in self.parts:
            if part.regions is None:
                return None
            regions |= part.regions
        return frozenset(regions)

    def case_q(self) -> Q | None:
        """The condition on Case (see visible_cases_q); None when nothing is allowed."""
        condition = Q(student__school_id__in=self.school_ids) if self.school_ids else None
        for part in self.parts:
            q = part.case_q()
            condition = q if condition is None else condition | q
        return condition

    def case_id_q(self, column: str) -> Q | None:
        """Whether the case whose id is in the row's `column` (a path such as "case_id") is
        visible, for rows found by their own index (the worklist's signals, requests and
        actions): the same condition as case_q, but each partner part looks in its own rows
        for that case id, one index look-up a row (exists_each), instead of reading the case
        first and then each part's links (at 1,000,000 cases a work service's 2,600 open
        signals: 34 -> 20 ms for their count, issue #7). The school's condition stays an
        EXISTS on the case and its student. None when nothing is allowed."""
        conditions = []
        if self.school_ids:
            own = Case.objects.filter(student__school_id__in=self.school_ids, pk=OuterRef(column))
            conditions.append(Q(Exists(own.order_by())))
        for part in self.parts:
            conditions.append(exists_each(part.rows(), part.field("case"), column))
        return reduce(operator.or_, conditions) if conditions else None

    def case_ids(self) -> QuerySet | None:
        """The ids of the visible cases as one UNION ALL (see visible_case_ids); None when
        nothing is allowed."""
        branches = [part.case_ids() for part in self.parts]
        if self.school_ids:
            own = Case.objects.filter(student__school_id__in=self.school_ids)
            branches.insert(0, own.order_by().values("id"))
        if not branches:
            return None
        first, *rest = branches
        # UNION ALL: `IN` drops the repeats, without sorting the branches first
        return first.union(*rest, all=True) if rest else first

    @property
    def from_parts(self) -> bool:
        """Whether every reason the actor sees a case is a partner's part (not a school's own
        cases): then the parts' own rows alone say which cases are visible, each from its own
        index (a work service's or an SWV's links, the RMC's monitoring list by
        `case_rmc_region_idx`, a Leerplicht office's few involvements)."""
        return not self.school_ids and bool(self.parts)

    def link_count(self, of: str = "case") -> int | None:
        """How many cases (`of="case"`) or students (`of="student"`) are visible, counted from
        the parts' own rows (`from_parts`; None otherwise): each part counts the distinct ids
        that no earlier part has, an anti-join through the earlier parts' indexes, so no set of
        45,000 ids is hashed to drop the repeats and no row is probed by id to count an
        `id IN (…)` set (issue #7, at 1,000,000 cases: a work service's cases 54 -> 31 ms; an
        RMC's, 28,000 of them on its region's monitoring list, 135 -> 40-50 ms). Each id is that
        of an existing row, by its foreign key. On PostgreSQL, with more than one part, the
        parts' ids are counted together in one statement instead (_link_count_merged)."""
        if not self.from_parts:
            return None
        if connection.vendor == "postgresql" and len(self.parts) > 1:
            return self._link_count_merged(of)
        total = 0
        for index, part in enumerate(self.parts):
            key = part.field(of)
            rows = part.rows()
            for earlier in self.parts[:index]:
                rows = rows.filter(
                    ~Exists(earlier.rows().filter(**{earlier.field(of): OuterRef(key)}))
                )
            if of == "case" and part.one_per_case:
                total += rows.count()
            else:
                total += rows.values(key).distinct().count()
        return total

    def _link_count_merged(self, of: str) -> int:
        """link_count on PostgreSQL in one statement: every part's ids (each from its own
        index, as above) appended, sorted and counted once each. The parts one by one read the
        first part's 43,000 links twice (its count, then the anti-join of the next part) and
        hashed them; sorting the 80,000 ids of a work service's two parts and counting the
        distinct ones is faster (issue #7, at 1,000,000 cases: its youth 42-49 -> 27-29 ms, an
        RMC officer's 38-43 -> 25, their cases 29-41 -> 20-34 ms). The ORDER BY makes
        PostgreSQL count the sorted ids in a stream instead of hashing them (66 ms)."""
        branches: list[str] = []
        params: list = []
        for part in self.parts:
            try:
                sql, part_params = part.rows().values(part.field(of)).query.sql_with_params()
            except EmptyResultSet:  # a condition that holds for no row (`id IN ()`)
                continue
            branches.append(f"({sql})")
            params.extend(part_params)
        if not branches:
            return 0
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM (SELECT DISTINCT k FROM ("
                + " UNION ALL ".join(branches)
                + " ORDER BY 1) AS linked (k)) AS counted",
                params,
            )
            (count,) = cursor.fetchone()
        return count

    def link_case_ids(self, stop: int) -> list[int] | None:
        """The first `stop` ids, ascending, of the visible cases, read from the parts' own
        indexes (the links' (organisation, region, case), the monitoring list's (region, id)):
        each part gives its first `stop` case ids in order, and those are merged without
        repeats. For the same actors as link_count (None for anyone else). The API's
        unfiltered case list is in id order: its page no longer hashes and sorts all 45,000
        visible ids of a work service to return 25 (issue #7); a page further on reads further
        along the indexes."""
        if not self.from_parts:
            return None
        streams = []
        for part in self.parts:
            key = part.field("case")
            ids = part.rows().order_by(key).values_list(key, flat=True)
            if not part.one_per_case:
                ids = ids.distinct()
            streams.append(list(ids[:stop]))
        return _merged_distinct(streams, stop)


def exists_each(rows: QuerySet, field: str, outer: str) -> Q:
    """EXISTS(a row of `rows` whose `field` equals the outer row's `outer`), tested row by row:
    one look-up in the index of `rows` for each outer row. The match is written as `>=` and `<=`
    (the same rows) because PostgreSQL turns an EXISTS whose only reference to the outer row is
    an equality into a hash of all of `rows`, built before the first outer row is read
    (convert_EXISTS_to_ANY), and it does so for large sets (a work service's 82,000 links: about
    20 ms) even when only a few hundred rows are tested (issue #7)."""
    match = {f"{field}__gte": OuterRef(outer), f"{field}__lte": OuterRef(outer)}
    return Q(Exists(rows.filter(**match)))


def _merged_distinct(streams: list[list[int]], stop: int) -> list[int]:
    """The first `stop` distinct ids of ascending id lists."""
    result: list[int] = []
    if stop <= 0:
        return result
    for case_id in heapq.merge(*streams):
        if not result or result[-1] != case_id:
            result.append(case_id)
            if len(result) == stop:
                break
    return result


def rmc_monitoring_q(regions, on: dt.date, prefix: str = "") -> Q:
    """R-RMC-1: the cases on the RMC's monitoring list of these regions on `on`, from outflow
    until the age limit or until a startkwalificatie is recorded (fields prefixed by the path to
    the case). The case's own fields only, so that the index `case_rmc_region_idx` answers alone,
    in id order (issue #7: the region's students walked to their cases took 110-120 ms a list at 1,000,000
    cases). `rmc_monitoring_ends_on` says both ends: set at outflow to the age limit, or left
    empty when the youth already has a startkwalificatie; recording one later moves it to that
    day (or the outflow date, never after today), so the monitoring has ended
    (services.case_outflow, services.basic_qualification_record)."""
    return Q(
        **{
            f"{prefix}student_region_id__in": regions,
            f"{prefix}stage__in": [Stage.AFTERCARE, Stage.CLOSED],
            f"{prefix}rmc_monitoring_ends_on__gt": on,
        }
    )


def _received_handovers(actor: Actor) -> list[tuple[int, Q]]:
    """Per region of the actor's receiving organisations: the region and the handovers to them
    of youth of that region. The handover part of case_access links by exactly these rows."""
    return [
        (region_id, Q(receiving_organisation_id__in=sorted(ids), student_region_id=region_id))
        for (region_id,), ids in sorted(_group(actor, HANDOVER_RECEIVING_ROLES, _by_region).items())
    ]


def received_handovers_q(actor) -> Q | None:
    """The handovers through which the actor sees their cases (R-HO-1, case_access): to one of
    its receiving organisations, of a youth of that organisation's region. A row that meets it
    is its own reason the actor may see its case, so a list of such handovers needs no test
    of each case (the receiving organisation's worklist, aftercare.selectors.my_handovers).
    None when the actor receives no handovers."""
    conditions = [q for _region_id, q in _received_handovers(as_actor(actor))]
    return reduce(operator.or_, conditions) if conditions else None


def case_access(actor: Actor, *, on: dt.date | None = None) -> CaseAccess:
    """The actor's case visibility (domain.md, "Who sees what").

    An organisation's link to a case (involvement, handover) counts only for cases of its own
    region, so that a stray link can never show a case to another region. The link keeps the
    region of its case's school (models.KeptFromCase), so the test is on the link's own index.
    """
    on = on or today()
    parts: list[AccessPart] = []

    # Work service, RMC and SWV see the cases their organisation is asked to take part in.
    for (region_id,), ids in _group(actor, INVOLVED_ROLES, _by_region).items():
        link = Involvement.objects.filter(organisation_id__in=ids, student_region_id=region_id)
        parts.append(
            AccessPart(
                link=link,
                link_prefix="",
                regions=frozenset({region_id}),
                one_per_case=len(ids) == 1,  # one involvement per case and organisation
            )
        )

    # R-HO-1: from the handover on, the receiving organisation (work service or another party)
    # can see the case; its administrators still see no case data.
    for region_id, received in _received_handovers(actor):
        handed_over = Handover.objects.filter(received)
        parts.append(
            AccessPart(
                link=handed_over,
                link_prefix="",
                regions=frozenset({region_id}),
                one_per_case=True,  # one handover per case
            )
        )

    rmc_regions = actor.region_ids(Role.RMC_OFFICER)
    if rmc_regions:
        # R-RMC-1: the monitoring list of the RMC's own region
        parts.append(
            AccessPart(
                lambda prefix: rmc_monitoring_q(rmc_regions, on, prefix),
                regions=frozenset(rmc_regions),
                one_per_case=True,  # its rows are the cases themselves
            )
        )

    # Leerplicht: under-18 students of the office's own municipality, where that office is involved.
    leerplicht = _group(
        actor,
        (Role.LEERPLICHT_OFFICER,),
        lambda seat: (seat.region_id, seat.municipality) if seat.municipality else None,
    )
    born_after = latest_birth_date(KWALIFICATIEPLICHT_AGE, on)
    for (region_id, municipality), ids in leerplicht.items():

        def own(prefix: str, municipality=municipality) -> Q:
            # the region is the link's (kept from the case)
            return Q(
                **{
                    f"{prefix}student__municipality": municipality,
                    f"{prefix}student__date_of_birth__gt": born_after,
                }
            )

        link = Involvement.objects.filter(organisation_id__in=ids, student_region_id=region_id)
        parts.append(AccessPart(own, link, link_prefix="", regions=frozenset({region_id})))

    regions = actor.region_ids(Role.ROUTE_COORDINATOR)
    if regions:
        on_agenda = AgendaItem.objects.filter(meeting__region_id__in=regions)
        parts.append(AccessPart(link=on_agenda))

    return CaseAccess(school_ids=frozenset(actor.school_ids), parts=tuple(parts))


def visible_cases_q(actor: Actor, *, on: dt.date | None = None) -> Q | None:
    """The condition on Case that the actor's roles allow; None when they allow nothing.

    The school part is a plain condition on the student's school; each partner part is its
    condition AND an EXISTS on its link (a good shape for filtering a few rows; for a whole
    list see visible_case_ids).
    """
    return case_access(actor, on=on).case_q()


def visible_case_ids(actor: Actor) -> QuerySet | None:
    """The ids of the cases the actor may see, for lists and their counts (issue #7): school
    roles through the (school, …) index on students; each partner part from its small indexed
    link set (involvements or handovers of the own organisations, agenda items of the own
    regions, the RMC's monitoring list), as one UNION ALL, so no query walks every case.
    None when the roles allow nothing."""
    return case_access(actor).case_ids()


def visible_cases(actor) -> QuerySet[Case]:
    actor = as_actor(actor)
    condition = visible_cases_q(actor)
    if condition is None:
        return Case.objects.none()
    return Case.objects.filter(condition)


# What a case in a list is read with (case_list; the API's list pages, api.views).
CASE_LIST_RELATED = ("student", "student__school")


def case_list(*, actor, filters: dict | None = None, by_id: bool = False) -> QuerySet[Case]:
    """The cases the actor may see, by the youth's name, or by id (`by_id`, the API's order).

    By id, a school's cases lie together: opened over the years the school has used the route,
    or imported at once. PostgreSQL expects them spread over all ids and walks the primary key
    until it has 25 of them, reading every older case first (1.6 s at 1,000,000 cases for a
    school late in that order, 7 ms for the first). For school roles alone the order is
    therefore `id + 0`: the same order, which no index serves, so the school's own few thousand
    cases are found through its students and sorted (issue #7). A partner's cases come from its
    links and are spread; the walk stays the better plan for them.
    """
    actor = as_actor(actor)
    access = case_access(actor)
    if access.empty:
        return Case.objects.none()
    if access.parts:
        qs = Case.objects.filter(pk__in=access.case_ids())  # type: ignore[misc]
    else:
        qs = Case.objects.filter(student__school_id__in=access.school_ids)
    qs = qs.select_related(*CASE_LIST_RELATED)
    filters = filters or {}
    if stage := filters.get("stage"):
        qs = qs.filter(stage=stage)
    if school_id := filters.get("school_id"):
        qs = qs.filter(student__school_id=school_id)
    if by_id:
        return qs.order_by("id" if access.parts else F("id") + 0)
    return qs.order_by("student__last_name", "student__first_name", "id")


def case_get(*, actor, case_id: int, log: bool = True) -> Case:
    """The case, if the actor may see it; otherwise NotFound (the same as a case that does not exist)."""
    actor = as_actor(actor)
    try:
        case = (
            visible_cases(actor)
            .select_related("student", "student__school__region")
            .get(pk=case_id)
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound("not found") from None
    if log:
        case_processing_log(actor, case, "route.case", "read")
    return case


def case_timeline(*, actor, case_id: int) -> QuerySet[TimelineEvent]:
    case = case_get(actor=actor, case_id=case_id, log=False)
    return case.events.select_related("actor", "organisation")


@dataclass(frozen=True)
class StepReadiness:
    transition: str
    label: str | Promise
    target: str
    checks: list[RuleCheck]

    @property
    def ready(self) -> bool:
        return not machine.blocking_failures(self.checks)

    @property
    def met(self) -> list[RuleCheck]:
        return [c for c in self.checks if c.met]

    @property
    def unmet(self) -> list[RuleCheck]:
        return [c for c in self.checks if not c.met]


def case_readiness(
    *, actor, case: Case, on: dt.date | None = None, facts: CaseFacts | None = None
) -> list[StepReadiness]:
    """For each next step of the case: the rules met and unmet (the screens' checklist).

    `facts`: what the rules read, already loaded by a caller that read the case through the
    actor's access (the youth's page reads the same rows for its panels: issue #7, eight
    queries fewer); without them the case is read again through the actor's access and its
    facts loaded."""
    if facts is None:
        case = case_get(actor=actor, case_id=case.pk, log=False)
        facts = CaseFacts.load(case)
    on = on or today()
    steps: list[machine.Transition] = []
    if case.stage in machine.NEXT_STEP:
        steps.append(machine.NEXT_STEP[case.stage])
    result = []
    for t in steps:
        checks = machine.evaluate(t, facts, machine.Params(on=on))
        if t is machine.OUTFLOW:
            # R-UIT-3's dates are given in the outflow form itself: until it is sent they are
            # not there, which is no reason the step cannot be taken. The checklist said "done"
            # for them (they were taken to be today's); now "attention", with the way to the form.
            checks = [replace(c, blocking=False) if c.rule_id == "R-UIT-3" else c for c in checks]
        result.append(StepReadiness(t.name, t.label, t.target, checks))
    return result
