"""Production settings refuse to start without a secret key or with DEBUG on."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]


def _import_prod(env: dict[str, str]) -> subprocess.CompletedProcess:
    return _python("import routearbeid.config.settings.prod", env)


def _python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`code` in a new Python process with the production settings' environment: `env` and
    nothing of this one's secret key, DEBUG, settings module or 2FA switch."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "REQUIRE_2FA"}
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _import_prod({})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = _import_prod({"SECRET_KEY": "x" * 50, "DEBUG": "true"})
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_starts_with_secret_key():
    result = _import_prod({"SECRET_KEY": "x" * 50})
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_two_step_login():
    result = _import_prod({"SECRET_KEY": "x" * 50, "REQUIRE_2FA": "false"})
    assert result.returncode != 0
    assert "REQUIRE_2FA" in result.stderr


def test_production_requires_two_step_login():
    script = (
        "import routearbeid.config.settings.prod as s; "
        "print(s.ROUTEARBEID_REQUIRE_2FA, s.PASSWORD_HASHERS[0])"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "REQUIRE_2FA"}
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "SECRET_KEY": "x" * 50, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.contrib.auth.hashers.Argon2PasswordHasher"]


def test_the_make_run_demo_has_two_step_login_off_unless_asked():
    script = "import routearbeid.config.settings.dev as s; print(s.ROUTEARBEID_REQUIRE_2FA)"
    env = {
        k: v for k, v in os.environ.items() if k not in {"REQUIRE_2FA", "DJANGO_SETTINGS_MODULE"}
    }
    for extra, expected in (({}, "False"), ({"REQUIRE_2FA": "true"}, "True")):
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**env, **extra, "PYTHONPATH": str(ROOT / "src")},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.stdout.strip() == expected, result.stderr


@pytest.mark.parametrize(
    ("day", "expected"),
    [("2026-07-31", "2026-07-31"), ("2026-08-01", "2027-07-31"), ("2026-11-29", "2027-07-31")],
)
def test_school_year_ends_on_31_july(day, expected):
    import datetime as dt

    from routearbeid.core.dates import school_year_end

    assert school_year_end(dt.date.fromisoformat(day)) == dt.date.fromisoformat(expected)


def test_add_months_keeps_month_end():
    import datetime as dt

    from routearbeid.core.dates import add_months, age_on

    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 3, 15), -3) == dt.date(2025, 12, 15)
    assert age_on(dt.date(2010, 2, 28), dt.date(2026, 2, 27)) == 15
    assert age_on(dt.date(2010, 2, 28), dt.date(2026, 2, 28)) == 16


def test_the_wsgi_application_freezes_what_it_loaded_at_start(tmp_path):
    """Issue #7: the objects loaded with the application live as long as the process; frozen,
    the garbage collector's full collections no longer walk them (44 ms a collection over them,
    in whichever request it falls: docs/performance.md, "Thirteenth round")."""
    result = _python(
        "import gc; before = gc.get_freeze_count(); import routearbeid.config.wsgi as w; "
        "print(before, gc.get_freeze_count(), callable(w.application))",
        {"SECRET_KEY": "x" * 50, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
    )
    assert result.returncode == 0, result.stderr
    before, frozen, app = result.stdout.split()
    assert app == "True"
    assert int(frozen) - int(before) > 50_000  # Django and the apps, not a handful
