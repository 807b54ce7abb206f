from collections import Counter
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test
from routearbeid.route import rules, services
from routearbeid.route.tests.test_route_properties import RouteMachine
from routearbeid.tests.people import Region1

def run(region1):
    region2 = Region1.build(name="Regio Twee")
    run_state_machine_as_test(lambda: RouteMachine(region1, region2, Counter()), settings=settings(
        max_examples=30, stateful_step_count=25, deadline=None, database=None,
        phases=[Phase.generate], suppress_health_check=list(HealthCheck)))

def _met(fn):
    def wrapped(*a, **k):
        r = fn(*a, **k)
        return [rules.RuleCheck(c.rule_id, True, c.message) for c in r] if isinstance(r, list) else rules.RuleCheck(r.rule_id, True, r.message)
    return wrapped

MUTANTS = {
  "no_event_guardians": lambda mp: mp.setattr(services, "timeline_append", lambda **k: None),
  "r_ovl_2_off": lambda mp: mp.setattr(rules, "r_ovl_2", _met(rules.r_ovl_2)),
  "r_uit_2_off": lambda mp: mp.setattr(rules, "r_uit_2", _met(rules.r_uit_2)),
  "r_ho_1_off": lambda mp: mp.setattr(rules, "r_ho_1", _met(rules.r_ho_1)),
  "r_start_1_off": lambda mp: mp.setattr(rules, "r_start_1", _met(rules.r_start_1)),
  "r_ovl_1_off": lambda mp: mp.setattr(rules, "r_ovl_1", _met(rules.r_ovl_1)),
}

@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_mutant_is_caught(region1, monkeypatch, mutant):
    MUTANTS[mutant](monkeypatch)
    with pytest.raises(BaseException) as e:
        run(region1)
    print(mutant, "CAUGHT:", str(e.value).splitlines()[0][:150])
