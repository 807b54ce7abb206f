"""The route as one state machine: stages, transitions and their guards (the rules of domain.md).

A transition's guard returns every rule check, met and unmet, so that a blocked step can name
all that is missing at once and the screens can show a checklist (case_readiness).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from routearbeid.core.errors import TransitionBlocked

from . import rules
from .constants import BEFORE_OUTFLOW, Stage
from .rules import CaseFacts, RuleCheck


@dataclass(frozen=True)
class Params:
    """What a person gives with a transition (dates, reasons); None where not asked."""

    on: dt.date
    reason: str = ""
    outflow_on: dt.date | None = None
    deregistered_on: dt.date | None = None


@dataclass(frozen=True)
class Transition:
    name: str
    label: str | Promise
    sources: tuple[Stage, ...]
    target: Stage
    guard: Callable[[CaseFacts, Params], list[RuleCheck]]
    automatic: bool = False  # taken by `advance` as soon as its guard holds


def _guard_establish(facts: CaseFacts, p: Params) -> list[RuleCheck]:
    return [
        rules.r_ovl_1(facts, p.on),
        *rules.r_ovl_2(facts),
        rules.r_ovl_3(p.reason or facts.case.education_first_reason),
    ]


def _guard_conclude_aba(facts: CaseFacts, p: Params) -> list[RuleCheck]:
    return [rules.r_aba_1(facts)]


def _guard_complete_handover(facts: CaseFacts, p: Params) -> list[RuleCheck]:
    return [rules.r_ho_1(facts), rules.r_ho_2(facts)]


def _guard_outflow(facts: CaseFacts, p: Params) -> list[RuleCheck]:
    on = p.outflow_on or p.on
    return [
        rules.r_ovl_1(facts, on),
        *rules.r_ovl_2(facts),
        rules.r_ovl_3(facts.case.education_first_reason),
        rules.r_aba_1(facts),
        rules.r_ho_1(facts, on),
        rules.r_ho_2(facts),
        *rules.r_uit_1(facts, on),
        rules.r_uit_2(facts, on),
        rules.r_uit_3(facts, p.outflow_on, p.deregistered_on),
    ]


def _guard_withdraw(facts: CaseFacts, p: Params) -> list[RuleCheck]:
    return [rules.r_end_1(p.reason)]


def _guard_close(facts: CaseFacts, p: Params) -> list[RuleCheck]:
    return [rules.r_nz_7(facts.case, p.on)]


ESTABLISH_PROFILE = Transition(
    "establish_profile",
    _('Establish outflow profile "work"'),
    (Stage.CONSULTATION,),
    Stage.ABA,
    _guard_establish,
)
CONCLUDE_ABA = Transition(
    "conclude_aba",
    _("Conclude the ABA step"),
    (Stage.ABA,),
    Stage.HANDOVER,
    _guard_conclude_aba,
    automatic=True,
)
COMPLETE_HANDOVER = Transition(
    "complete_handover",
    _("Complete the warm handover"),
    (Stage.HANDOVER,),
    Stage.OUTFLOW,
    _guard_complete_handover,
    automatic=True,
)
OUTFLOW = Transition(
    "outflow", _("Outflow into work"), BEFORE_OUTFLOW, Stage.AFTERCARE, _guard_outflow
)
WITHDRAW = Transition(
    "withdraw", _("Withdraw the case"), BEFORE_OUTFLOW, Stage.WITHDRAWN, _guard_withdraw
)
CLOSE = Transition(
    "close", _("Close after aftercare"), (Stage.AFTERCARE,), Stage.CLOSED, _guard_close
)

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (ESTABLISH_PROFILE, CONCLUDE_ABA, COMPLETE_HANDOVER, OUTFLOW, WITHDRAW, CLOSE)
}

# The step the screens show as "next" for each stage (withdrawal is always possible before outflow).
NEXT_STEP: dict[str, Transition] = {
    Stage.CONSULTATION: ESTABLISH_PROFILE,
    Stage.ABA: CONCLUDE_ABA,
    Stage.HANDOVER: COMPLETE_HANDOVER,
    Stage.OUTFLOW: OUTFLOW,
    Stage.AFTERCARE: CLOSE,
}


class StageError(TransitionBlocked):
    pass


def evaluate(transition: Transition, facts: CaseFacts, params: Params) -> list[RuleCheck]:
    return transition.guard(facts, params)


def blocking_failures(checks: list[RuleCheck]) -> list[RuleCheck]:
    return [c for c in checks if c.blocking and not c.met]


def require(transition: Transition, facts: CaseFacts, params: Params) -> list[RuleCheck]:
    """Raise TransitionBlocked listing every unmet rule; return the checks (warnings included)."""
    if facts.case.stage not in transition.sources:
        raise StageError(
            transition.name,
            [
                RuleCheck(
                    "R-STAGE",
                    False,
                    _('This step is not possible in the stage "%(stage)s".')
                    % {"stage": facts.case.get_stage_display()},
                )
            ],
        )
    checks = evaluate(transition, facts, params)
    failures = blocking_failures(checks)
    if failures:
        raise TransitionBlocked(transition.name, failures)
    return checks


def automatic_step(facts: CaseFacts, on: dt.date) -> Transition | None:
    """The automatic transition that the case can take now, if any."""
    for t in TRANSITIONS.values():
        if (
            t.automatic
            and facts.case.stage in t.sources
            and not blocking_failures(evaluate(t, facts, Params(on=on)))
        ):
            return t
    return None
