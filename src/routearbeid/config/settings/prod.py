"""Production settings: refuse to start without a secret key, with DEBUG on or without 2FA."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEBUG, ROUTEARBEID_REQUIRE_2FA, env_bool, require_secret_key

require_secret_key()
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")
if not ROUTEARBEID_REQUIRE_2FA:
    raise ImproperlyConfigured("REQUIRE_2FA must be on in production (two-step login for staff).")
ROUTEARBEID_REQUIRE_2FA = True

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
