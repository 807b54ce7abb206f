"""Domain errors: what a person reads when the route refuses a step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from routearbeid.route.rules import RuleCheck


class DomainError(Exception):
    """A request that the rules refuse; its message is meant for the user. `field`: the service's
    argument the message is about, so that a form with a field of that name shows it there."""

    def __init__(
        self, message: str | Promise, *, rule_ids: tuple[str, ...] = (), field: str | None = None
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.rule_ids = rule_ids
        self.field = field


class NotFound(DomainError):
    """The object does not exist, or the acting user may not see it (the two read the same)."""


class PermissionDenied(DomainError):
    """The acting user may see the object but not make this change."""


@dataclass
class TransitionBlocked(DomainError):
    """A route step refused; `failures` lists every unmet rule, not just the first."""

    transition: str
    failures: list[RuleCheck]

    def __post_init__(self) -> None:
        ids = tuple(check.rule_id for check in self.failures)
        text = "; ".join(f"{c.rule_id}: {c.message}" for c in self.failures)
        DomainError.__init__(self, text, rule_ids=ids)

    def __str__(self) -> str:
        return str(self.message)
