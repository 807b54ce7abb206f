"""Shared fixtures: a region with named people per organisation (conventions §9)."""

import datetime as dt

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from routearbeid.api.services import api_token_create
from routearbeid.core.dates import today
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


@pytest.fixture
def api():
    """A client that calls the API with a personal token: api(user, scope="read_write")."""

    def make(user, scope: str = "read_write") -> APIClient:
        new = api_token_create(
            actor=user, name="test", scope=scope, expires_on=today() + dt.timedelta(days=30)
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {new.secret}")
        return client

    return make
