"""Settings shared by every environment; every value can be set from the environment."""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


SRC_DIR = Path(__file__).resolve().parents[3]
BASE_DIR = SRC_DIR.parent
ROUTEARBEID_DIR = SRC_DIR / "routearbeid"

SECRET_KEY = env("SECRET_KEY") or ""
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "routearbeid.core",
    "routearbeid.organisations",
    "routearbeid.accounts",
    "routearbeid.students",
    "routearbeid.route",
    "routearbeid.meetings",
    "routearbeid.employment",
    "routearbeid.aftercare",
    "routearbeid.processing_log",
    "routearbeid.privacy",
    "routearbeid.notifications",
    "routearbeid.portal",
    "routearbeid.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "routearbeid.core.middleware.SessionTouchMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "routearbeid.portal.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "routearbeid.accounts.middleware.TwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "routearbeid.core.middleware.WorklistBadgeMiddleware",
    "routearbeid.processing_log.middleware.TraceMiddleware",
]

FORM_RENDERER = (
    "routearbeid.core.renderers.FormRenderer"  # widgets through Jinja2: core/renderers.py
)
ROOT_URLCONF = "routearbeid.config.urls"
WSGI_APPLICATION = "routearbeid.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [ROUTEARBEID_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "routearbeid.core.context_processors.worklist",
            ],
        },
    },
]

# SQLite by default (embedded, nothing to start); PostgreSQL through DATABASE_URL.
DATABASE_URL = env("DATABASE_URL") or ""
if not DATABASE_URL:
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASE_URL = f"sqlite:///{BASE_DIR / 'var' / 'routearbeid.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let the web server and the task worker write side by side.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "organisations.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        # Django's own, with a message that is also in Dutch (see accounts.validators)
        "NAME": "routearbeid.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "worklist"
LOGOUT_REDIRECT_URL = "login"

# Argon2 first; older PBKDF2 hashes still check and are rehashed with Argon2 at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
# django-axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Two-step login (django-otp): a code from an authenticator app after the password. Production
# refuses to start without it; only the `make run` demo may switch it off (REQUIRE_2FA=false).
ROUTEARBEID_REQUIRE_2FA = env_bool("REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "Route Arbeid"
# Administrators can remove someone's app (to set it up again) but never read its secret.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# django-axes: after AXES_FAILURE_LIMIT failed logins for one user name, or from one address,
# further attempts are refused for AXES_COOLOFF_MINUTES (either one locks: per account and per IP).
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5") or 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(env("AXES_COOLOFF_MINUTES", "15") or 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "routearbeid.accounts.views.lockout"
AXES_CLIENT_IP_CALLABLE = "routearbeid.accounts.ip.client_ip"
# Lockouts are logged through Django's logging; no banner on every management command.
AXES_VERBOSE = False
# Behind a reverse proxy: how many proxies append to X-Forwarded-For (0: use REMOTE_ADDR).
ROUTEARBEID_TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0") or 0)

LANGUAGE_CODE = "nl"
# The staff screens are in Dutch or English (STAFF_LANGUAGES); the youth's own report page
# (/melden/, app `portal`) also in Arabic, Ukrainian, Tigrinya, Turkish and Dari. Each name is
# written in its own script. Dari is "fa-af" (browsers send fa-AF or prs; see portal.language).
LANGUAGES = [
    ("nl", "Nederlands"),
    ("en", "English"),
    ("ar", "العربية"),
    ("uk", "Українська"),
    ("ti", "ትግርኛ"),
    ("tr", "Türkçe"),
    ("fa-af", "دری"),
]
STAFF_LANGUAGES = ("nl", "en")
LANGUAGES_BIDI = ["he", "ar", "ar-dz", "ckb", "fa", "fa-af", "ug", "ur"]
LOCALE_PATHS = [ROUTEARBEID_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT") or BASE_DIR / "var" / "static")

# Logged out after 30 minutes without a request: a request saves the session, which moves its
# expiry (SESSION_COOKIE_AGE seconds) forward, at most once a minute (core.middleware.
# SessionTouchMiddleware), so an idle session ends 29 to 30 minutes after the last request.
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", "1800") or 1800)
SESSION_SAVE_EVERY_REQUEST = False
ROUTEARBEID_SESSION_TOUCH_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True
# The worklist's count in the navigation is kept in the session for this many seconds
# (core/context_processors.py): other people's writes show in it within that time; the user's own
# writes and the worklist page itself refresh it at once.
ROUTEARBEID_BADGE_SECONDS = int(env("BADGE_SECONDS", "60") or 60)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# A strict Content-Security-Policy: no inline scripts or styles anywhere, nothing from elsewhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# E-mail goes through Django 6.1's MAILERS; SMTP host and port from the environment.
# Mail is never sent from a request: notifications puts it in its outbox and a task delivers it.
MAILERS = {
    "default": {
        "BACKEND": env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": env("EMAIL_HOST", "127.0.0.1"),
            "port": int(env("EMAIL_PORT", "1025") or 1025),
            "username": env("EMAIL_HOST_USER") or None,
            "password": env("EMAIL_HOST_PASSWORD") or None,
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            # A hanging SMTP server must not hold the outbox lease for long (seconds).
            "timeout": int(env("EMAIL_TIMEOUT", "20") or 20),
        },
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Route Arbeid <noreply@routearbeid.localhost>")
# Absolute links in e-mail and the calendar feed start with this (no trailing slash).
ROUTEARBEID_BASE_URL = (env("BASE_URL", "http://127.0.0.1:8000") or "").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secret_links": {"()": "routearbeid.core.logging.RedactSecretLinks"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_secret_links"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # Django's own request loggers write the path: the youth's and the calendar's secret links
    # are redacted on the logger itself, whatever handler a deployment adds.
    "loggers": {
        "django.request": {"filters": ["redact_secret_links"]},
        "django.server": {"filters": ["redact_secret_links"]},
    },
}


def require_secret_key() -> None:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment.")


# The REST API (/api/v1/, routearbeid.api): JSON in camelCase, problem+json errors, personal
# tokens or the screens' session, pages of 25 (at most 100).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "routearbeid.api.authentication.BearerTokenAuthentication",
        "routearbeid.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["routearbeid.api.permissions.TokenScopePermission"],
    "DEFAULT_RENDERER_CLASSES": ["routearbeid.api.renderers.JsonRenderer"],
    "DEFAULT_PARSER_CLASSES": ["djangorestframework_camel_case.parser.CamelCaseJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "routearbeid.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "routearbeid.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "routearbeid.api.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATE_FORMAT": "iso-8601",
    "DATETIME_FORMAT": "iso-8601",
    "DATE_INPUT_FORMATS": ["iso-8601"],
    "COERCE_DECIMAL_TO_STRING": False,
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_THROTTLE_CLASSES": [],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Route Arbeid API",
    "DESCRIPTION": "",  # set in routearbeid.api.schema (read from docs)
    "VERSION": "1.0.0",
    "CONTACT": {
        "name": "Route Arbeid",
        "email": env("API_CONTACT_EMAIL", "api@routearbeid.nl"),
        "url": env("API_CONTACT_URL", "https://routearbeid.nl/contact"),
    },
    "SERVERS": [{"url": env("API_SERVER_URL", "https://routearbeid.nl/api/v1")}],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SCHEMA_PATH_PREFIX_TRIM": True,
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "routearbeid.route.constants.Stage",
        "SituationEnum": "routearbeid.route.constants.Situation",
        "SignalKindEnum": "routearbeid.aftercare.constants.SignalKind",
        "SignalStatusEnum": "routearbeid.aftercare.constants.SignalStatus",
        "SelfReportKindEnum": "routearbeid.aftercare.constants.SelfReportKind",
        "ProvisionKindEnum": "routearbeid.employment.constants.ProvisionKind",
        "ProvisionStatusEnum": "routearbeid.employment.constants.ProvisionStatus",
        "EmploymentKindEnum": "routearbeid.employment.constants.EmploymentKind",
        "OrganisationKindEnum": "routearbeid.organisations.constants.OrganisationKind",
        "MeetingStatusEnum": "routearbeid.meetings.constants.MeetingStatus",
        "YesNoEnum": "routearbeid.route.forms.YES_NO",
        "AbaOutcomeEnum": "routearbeid.employment.constants.AbaOutcome",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.contrib.djangorestframework_camel_case.camelize_serializer_fields",
        "drf_spectacular.hooks.postprocess_schema_enums",
        "routearbeid.api.schema.postprocess",
    ],
    "CAMELIZE_NAMES": False,
}
