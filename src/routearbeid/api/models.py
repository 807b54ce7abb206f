"""Personal API tokens: a program acts as the person who made the token, within its scope."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import TokenScope


class ApiToken(models.Model):
    """Only a SHA-256 of the token is kept (the token is 256 random bits, shown once)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    # The first characters, shown in lists so that a person recognises their token.
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("access"), max_length=10, choices=TokenScope.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now

    @property
    def may_write(self) -> bool:
        return self.scope == TokenScope.READ_WRITE


class KeptCount(models.Model):
    """The size of a person's unfiltered case list, counted at most a minute ago
    (api.kept, api.views.LinkedCases): paging through the list does not count it again on every
    page (issue #7). `key` is a hash of the list and the person in their seats, never personal
    data; the daily run deletes the rows of earlier days."""

    key = models.CharField(max_length=64, primary_key=True)
    value = models.PositiveIntegerField()
    counted_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("kept count")
        verbose_name_plural = _("kept counts")

    def __str__(self) -> str:
        return f"{self.key}: {self.value}"
