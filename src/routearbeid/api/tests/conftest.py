import datetime as dt

import pytest
from rest_framework.test import APIClient

from routearbeid.api.services import api_token_create
from routearbeid.core.dates import today


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
