"""The load benchmark's own pages (core/bench_views.py): only with settings.bench, and they show
what the benchmark compares."""

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from routearbeid.config import urls as project_urls
from routearbeid.students.models import Student

ROOT = Path(__file__).resolve().parents[4]

# The project's URLconf with the bench pages added, as settings.bench has it.
urlpatterns = [
    *project_urls.urlpatterns,
    path("bench/", include("routearbeid.core.bench_views")),
]


def test_the_bench_pages_are_not_in_the_normal_urlconf(client, region1):
    client.force_login(region1.coordinator)
    assert client.get("/bench/floor/").status_code == 404
    assert client.get("/bench/jongeren-ongefilterd/").status_code == 404


def test_bench_settings_switch_them_on_and_relax_only_loopback_matters():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "REQUIRE_2FA"}}
    script = (
        "import routearbeid.config.settings.bench as s; "
        "print(s.ROUTEARBEID_BENCH_VIEWS, s.DEBUG, s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.ROUTEARBEID_REQUIRE_2FA, s.PASSWORD_HASHERS[0])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "False",
        "False",
        "False",
        "False",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


@override_settings(ROOT_URLCONF=__name__)
def test_the_floor_reads_25_rows_of_one_school_in_one_query(client, region1):
    for n in range(30):
        region1.student(last_name=f"Floor{n:02d}")
    region1.student(school=region1.other_school, last_name="Elsewhere")
    assert client.get("/bench/floor/").status_code == 302  # login first, like every page
    client.force_login(region1.coordinator)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/bench/floor/", {"school": region1.school.pk})
    body = response.content.decode()
    assert response.status_code == 200
    # besides the middleware's own (session, user, the session saved again): one query, no
    # context processors (the worklist counts every other page runs)
    assert [q["sql"] for q in queries if "aftercare" in q["sql"]] == []
    assert len([q for q in queries if "students_student" in q["sql"]]) == 1
    assert body.count("<tr><td>") == 25
    assert "Floor00" in body and "Floor29" not in body and "Elsewhere" not in body


@override_settings(ROOT_URLCONF=__name__)
def test_the_unfiltered_list_is_the_same_page_without_the_permission_filter(client, region1):
    region1.student(last_name="Ownschool")
    region1.student(school=region1.other_school, last_name="Otherschool")
    client.force_login(region1.coordinator)
    unfiltered = client.get("/bench/jongeren-ongefilterd/").content.decode()
    assert "Ownschool" in unfiltered and "Otherschool" in unfiltered
    # the filter is back for the next request
    filtered = client.get("/jongeren/").content.decode()
    assert "Ownschool" in filtered and "Otherschool" not in filtered


@override_settings(ROOT_URLCONF=__name__)
def test_the_unfiltered_twin_and_the_list_never_share_a_kept_page_query(
    client, region1, monkeypatch
):
    """A partner's whole list is read from SQL kept per person (core.sqlcache); its key names
    the selector, so the twin, which swaps the selector for one request, gets its own SQL and
    the list after it is filtered again, in either order."""
    from routearbeid.core import sqlcache
    from routearbeid.route.services import involvement_request
    from routearbeid.students import views

    sqlcache.clear()
    monkeypatch.setattr(views, "WALK_FROM", 1)  # the list read along the name index
    asked = region1.open_case(region1.student(last_name="Gevraagd"))
    region1.open_case(region1.student(last_name="Nietgevraagd"))
    involvement_request(
        actor=region1.coordinator, case_id=asked.pk, organisation_id=region1.work_service.pk
    )
    client.force_login(region1.work_service_manager)

    def names(path):
        return {s.last_name for s in client.get(path).context["page"].object_list}

    for _ in range(2):
        assert names("/jongeren/") == {"Gevraagd"}
        assert {"Gevraagd", "Nietgevraagd"} <= names("/bench/jongeren-ongefilterd/")
    sqlcache.clear()
    assert {"Gevraagd", "Nietgevraagd"} <= names("/bench/jongeren-ongefilterd/")
    assert names("/jongeren/") == {"Gevraagd"}


@override_settings(ROOT_URLCONF=__name__)
def test_the_unfiltered_twin_counts_all_youth_for_a_partner_too(client, region1):
    """A partner's whole list is counted from its links (CaseAccess.link_count); the twin is a
    superuser's list, so it counts every youth it could list, not the partner's. With the
    partner's count the twin showed that number over a list of everyone and skipped the
    counting the permission filter is compared with (issue #7)."""
    from routearbeid.route.services import involvement_request

    asked = region1.open_case(region1.student(last_name="Gevraagd"))
    for n in range(3):
        region1.open_case(region1.student(last_name=f"Nietgevraagd{n}"))
    involvement_request(
        actor=region1.coordinator, case_id=asked.pk, organisation_id=region1.work_service.pk
    )
    client.force_login(region1.work_service_manager)
    everyone = Student.objects.count()
    assert everyone >= 4
    twin = client.get("/bench/jongeren-ongefilterd/").context["page"].paginator.count
    own = client.get("/jongeren/").context["page"].paginator.count
    assert (own, twin) == (1, everyone)
    # and once more in the other order: nothing of the twin stays behind
    assert client.get("/bench/jongeren-ongefilterd/").context["page"].paginator.count == everyone
    assert client.get("/jongeren/").context["page"].paginator.count == 1
