"""Settings for `make run`: a local demo on SQLite. Never use these in production."""

from .base import *  # noqa: F403
from .base import env, env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env("SECRET_KEY") or "dev-only-insecure-key-for-make-run"  # demo only, not production
# The demo logs in with the password only; `REQUIRE_2FA=true make run` asks for the app code too.
ROUTEARBEID_REQUIRE_2FA = env_bool("REQUIRE_2FA", False)
MAILERS = {
    "default": {"BACKEND": env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}
}
