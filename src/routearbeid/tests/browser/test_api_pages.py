"""The API token page and the API reference, in Chromium, in Dutch, axe-clean: a coordinator
makes a read-only token, copies it once, a program uses it, then the coordinator revokes it."""

import pytest
from django.test import Client

from routearbeid.api.models import ApiToken

pytestmark = pytest.mark.django_db(transaction=True)


def test_make_use_and_revoke_a_token(visit, region1):
    case = region1.open_case()
    region1.coordinator.set_password("demo")
    region1.coordinator.save()
    visitor = visit().login(region1.coordinator.username)
    visitor.go("/account/")
    visitor.page.get_by_role("link", name="Beheer je API-tokens").click()
    visitor.page.wait_for_load_state()
    visitor.axe()
    page = visitor.page
    page.get_by_label("Naam").fill("Koppeling Somtoday")
    page.get_by_label("Alleen lezen").check()
    page.get_by_role("button", name="Token maken").click()
    page.wait_for_load_state()
    visitor.axe()
    secret = page.get_by_label("Token", exact=True).input_value()
    assert secret.startswith("ra_")
    token = ApiToken.objects.get()
    assert token.name == "Koppeling Somtoday" and token.scope == "read"
    assert secret not in token.token_hash

    program = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = program.get("/api/v1/cases")
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [case.pk]
    assert program.post("/api/v1/cases", {}, content_type="application/json").status_code == 403

    # shown once: after a reload the secret is gone from the page
    visitor.go("/account/api-tokens/")
    assert secret not in page.content()
    page.get_by_role("button", name="“Koppeling Somtoday” intrekken").click()
    page.wait_for_load_state()
    visitor.axe()
    assert page.get_by_text("Ingetrokken").first.is_visible()
    assert program.get("/api/v1/cases").status_code == 401


def test_api_reference_page(visit, region1):
    visitor = visit()
    visitor.go("/api/v1/docs")
    page = visitor.page
    assert page.get_by_role("heading", name="API-referentie", level=1).is_visible()
    assert page.get_by_role("heading", name="GET /api/v1/cases", level=3, exact=True).is_visible()
    assert page.get_by_role(
        "heading", name="POST /api/v1/cases/{caseId}/outflow", exact=True
    ).is_visible()
