"""Settings for the test suite (SQLite unless DATABASE_URL points elsewhere)."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-only-key"  # tests only
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast hashing in tests only
# Off so that tests can use client.force_login; the accounts tests switch it on themselves.
ROUTEARBEID_REQUIRE_2FA = False
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MAILERS = {
    "default": {"BACKEND": env("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")}
}
# Every kept query is built again and compared with the one kept (core.sqlcache): a key that
# misses something its query is built from fails the test that reaches it.
ROUTEARBEID_SQLCACHE_VERIFY = True
