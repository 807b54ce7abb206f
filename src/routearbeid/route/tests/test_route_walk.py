"""One youth walks the whole route through the services."""

from routearbeid.aftercare.models import AftercareCheck
from routearbeid.route.constants import Stage


def test_whole_route_reaches_aftercare_with_four_checkins(region1):
    case = region1.ready_for_outflow()
    assert case.stage == Stage.OUTFLOW
    case = region1.outflow(case)
    assert case.stage == Stage.AFTERCARE
    assert AftercareCheck.objects.filter(case=case).count() == 4
    kinds = list(case.events.values_list("kind", flat=True))
    assert "outflow" in kinds and "case_opened" in kinds
