"""The acting user as the rules see them: which organisations, in which roles."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser

from .constants import CASE_ROLES, PGN_ROLES, SCHOOL_ROLES, OrganisationKind, Role
from .models import Membership, User


@dataclass(frozen=True)
class Seat:
    organisation_id: int
    kind: str
    role: str
    region_id: int
    municipality: str
    # The membership's id: the order in which the person got their seats (deterministic).
    membership_id: int = 0


@dataclass(frozen=True)
class Actor:
    user: User
    seats: tuple[Seat, ...] = field(default_factory=tuple)

    @property
    def user_id(self) -> int:
        return self.user.pk

    @property
    def key(self) -> tuple:
        """Who this is and in which seats: the key of what is kept per person (core.sqlcache)."""
        return (self.user.pk, self.seats)

    def organisation_ids(self, *roles: str) -> set[int]:
        return {s.organisation_id for s in self.seats if not roles or s.role in roles}

    def region_ids(self, *roles: str) -> set[int]:
        return {s.region_id for s in self.seats if not roles or s.role in roles}

    def has_role(self, *roles: str) -> bool:
        return any(s.role in roles for s in self.seats)

    @property
    def school_ids(self) -> set[int]:
        return self.organisation_ids(*SCHOOL_ROLES)

    @property
    def may_see_pgn(self) -> bool:
        return self.has_role(*PGN_ROLES)

    @property
    def works_on_cases(self) -> bool:
        return self.has_role(*CASE_ROLES)

    @property
    def works_on_meetings(self) -> bool:
        """Case roles and route coordinators: the people at the outflow table."""
        return self.has_role(*CASE_ROLES, Role.ROUTE_COORDINATOR)

    def seat_for_kind(self, kind: str) -> Seat | None:
        return next((s for s in self.seats if s.kind == kind), None)

    def primary_organisation_id(self) -> int | None:
        """The organisation of the actor's oldest membership (lowest id) that is not a functional
        administrator's seat (or of any seat, if all are); None without seats. Only a fallback:
        for one youth, `case_processing_log` finds the organisation that has the case."""
        case_seats = [s for s in self.seats if s.role != Role.FUNCTIONAL_ADMIN]
        seats = case_seats or list(self.seats)
        if not seats:
            return None
        return min(seats, key=lambda s: s.membership_id).organisation_id


def actor_for(user: User | AnonymousUser) -> Actor:
    """Build (once per user object) the actor with all memberships in one query."""
    cached = getattr(user, "_routearbeid_actor", None)
    if cached is not None:
        return cached
    seats: tuple[Seat, ...] = ()
    if user.is_authenticated and user.is_active:
        seats = tuple(
            Seat(
                organisation_id=m.organisation_id,
                kind=m.organisation.kind,
                role=m.role,
                region_id=m.organisation.region_id,
                municipality=m.organisation.municipality,
                membership_id=m.pk,
            )
            for m in Membership.objects.filter(user=user)
            .select_related("organisation")
            .order_by("pk")
        )
    actor = Actor(user=user, seats=seats)  # type: ignore[arg-type]
    user._routearbeid_actor = actor  # type: ignore[union-attr]
    return actor


def as_actor(user_or_actor: User | Actor) -> Actor:
    if isinstance(user_or_actor, Actor):
        return user_or_actor
    return actor_for(user_or_actor)


__all__ = ["Actor", "OrganisationKind", "Role", "Seat", "actor_for", "as_actor"]
