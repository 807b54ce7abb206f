"""Shared fixtures: a region with named people per organisation (conventions §9)."""

import pytest
from django.utils import translation

from routearbeid.tests.people import Region1


@pytest.fixture
def region1(db) -> Region1:
    return Region1.build()


@pytest.fixture(autouse=True)
def english_source_messages():
    """Service tests read the English source messages; pages still get Dutch through the
    LocaleMiddleware, and translation tests switch to Dutch themselves."""
    with translation.override("en"):
        yield
