"""The client's address for counting failed logins (django-axes), also behind a proxy."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the outermost of them saw.

    Only the entries our own proxies appended are trusted: a client can put anything at the front
    of X-Forwarded-For, so we count from the right.
    """
    proxies = settings.ROUTEARBEID_TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
