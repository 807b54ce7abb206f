"""The only writers of API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from routearbeid.core.errors import DomainError, NotFound
from routearbeid.organisations.actors import Actor, as_actor
from routearbeid.organisations.models import User

from .constants import MAX_TOKEN_DAYS, TOKEN_PREFIX, TokenScope
from .models import ApiToken

# last_used_at is written at most this often per token, not on every call.
LAST_USED_PRECISION = dt.timedelta(minutes=5)


def token_hash(token: str) -> str:
    # 256 random bits: a plain SHA-256 can be neither reversed nor guessed.
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


@transaction.atomic
def api_token_create(
    *, actor: Actor | User, name: str, scope: str, expires_on: dt.date
) -> NewToken:
    actor = as_actor(actor)
    name = name.strip()
    if not name:
        raise DomainError(_("Give the token a name, so that you recognise it later."))
    if scope not in TokenScope.values:
        raise DomainError(_("Choose read only, or read and write."))
    today = timezone.localdate()
    if expires_on <= today:
        raise DomainError(_("The expiry date must lie in the future."))
    if expires_on > today + dt.timedelta(days=MAX_TOKEN_DAYS):
        raise DomainError(
            _("A token lives at most %(days)s days: choose an earlier expiry date.")
            % {"days": MAX_TOKEN_DAYS}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.make_aware(dt.datetime.combine(expires_on, dt.time(23, 59, 59)))
    token = ApiToken.objects.create(
        user=actor.user,
        name=name[:100],
        prefix=secret[:8],
        token_hash=token_hash(secret),
        scope=scope,
        expires_at=expires_at,
    )
    return NewToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, actor: Actor | User, token_id: int) -> ApiToken:
    actor = as_actor(actor)
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor.user).first()
    if token is None:
        raise NotFound(_("This token does not exist."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The active token with this secret, its user active; None otherwise. Notes the use."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=token_hash(secret), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or not token.is_active(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
