"""Fuzzing in the suite: schemathesis generates requests for every operation of the OpenAPI
document (valid and invalid ones) and sends them, with a demo token, to the real application.
No answer may be a server error, and every answer must match the document (status code,
media type, headers, body schema)."""

import datetime as dt

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from routearbeid.api.docs import openapi_document
from routearbeid.api.services import api_token_create
from routearbeid.core.dates import today
from routearbeid.tests.people import Region1

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def keep_connection():
    """The WSGI handler closes the database connection after each request (request_finished);
    the test's transaction lives on that connection. Django's test client disconnects this
    handler for the same reason; here the requests go through the real WSGI application."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def demo(db, keep_connection):
    """Region 1 with a youth in aftercare (every kind of row exists) and one just opened."""
    region = Region1.build()
    case = region.ready_for_outflow(age=19)
    region.outflow(case)
    region.open_case()
    token = api_token_create(
        actor=region.coordinator,
        name="fuzz",
        scope="read_write",
        expires_on=today() + dt.timedelta(days=7),
    )
    return token.secret


# The document as /api/v1/openapi.yaml serves it; made without the database.
schema = schemathesis.openapi.from_dict(openapi_document("nl"))
schema.app = get_wsgi_application()


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_document(case, demo):
    response = case.call(headers={"Authorization": f"Bearer {demo}"})
    case.validate_response(response, checks=CHECKS)
