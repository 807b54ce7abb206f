from django.db import models
from django.utils.translation import gettext_lazy as _

# The full version of the API (semver), returned in the API-Version header of every answer
# (ADR /core/version-header) and in the OpenAPI document; the major is in the URI (/api/v1/).
API_VERSION = "1.0.0"
TOKEN_PREFIX = "ra_"
# Longest a token may live: a program's key is renewed at least once a year.
MAX_TOKEN_DAYS = 366
DEFAULT_TOKEN_DAYS = 90


class TokenScope(models.TextChoices):
    READ = "read", _("Read only")
    READ_WRITE = "read_write", _("Read and write")
