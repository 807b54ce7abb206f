"""Who is calling: a personal API token (`Authorization: Bearer ra_…`) or a logged-in session."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .services import api_token_authenticate


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the header as: Authorization: Bearer <token>.")
            )
        try:
            secret = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        token = api_token_authenticate(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("The token is not valid: it is unknown, expired or revoked.")
            )
        return (token.user, token)

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """The screens' session, with CSRF for writes; when two-step login is required, only a
    session that passed it."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        from routearbeid.accounts.services import two_factor_required

        user = result[0]
        underlying = request._request
        if (
            two_factor_required(user)
            and not getattr(underlying.user, "is_verified", lambda: False)()
        ):
            return None
        return result
