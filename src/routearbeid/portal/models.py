"""The youth's personal link to their own report page (/melden/<token>/)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PortalLink(models.Model):
    """One link per case at a time. Only the SHA-256 of the token is kept: the token itself is
    shown once (on the card, or on the handover document) and cannot be read back."""

    case = models.ForeignKey("route.Case", on_delete=models.CASCADE, related_name="portal_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("made at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("report page link")
        verbose_name_plural = _("report page links")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(revoked_at__isnull=True),
                name="portal_one_active_link_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"link {self.pk} of case {self.case_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class RateCount(models.Model):
    """A rate limit's count in one time window (portal.ratelimit), in the database so that every
    server process counts in the same place. `key` holds a hash of the address or the token and
    the window, never the address or the token itself."""

    key = models.CharField(max_length=80, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    # the end of the window: the daily run deletes the counts whose window has passed
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("rate limit count")
        verbose_name_plural = _("rate limit counts")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
