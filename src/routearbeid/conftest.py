"""Shared fixtures: a region with named people per organisation (conventions §9)."""

import pytest

from routearbeid.tests.people import Region1


@pytest.fixture
def region1(db) -> Region1:
    return Region1.build()
