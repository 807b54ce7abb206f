"""Until the second login step is done, every page but the login steps sends you to it."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from .constants import SESSION_TWO_FACTOR_PENDING

# Pages someone halfway through logging in may open (view names as resolved).
OPEN_VIEWS = frozenset(
    {
        "login",
        "logout",
        "health",
        "accessibility",
        "set_language",
        "accounts:two_factor",
        "accounts:two_factor_setup",
    }
)


def is_verified(user) -> bool:
    """Whether this login gave a code (django_otp's OTPMiddleware sets `user.is_verified`)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def two_factor_pending(request: HttpRequest) -> bool:
    """Logged in with a password, but the code step is still to come."""
    user = request.user
    if not user.is_authenticated or is_verified(user):
        return False
    return bool(settings.ROUTEARBEID_REQUIRE_2FA) or bool(
        request.session.get(SESSION_TWO_FACTOR_PENDING)
    )


class TwoFactorMiddleware:
    """Place after django_otp's OTPMiddleware (which provides `user.is_verified()`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if request.path.startswith(settings.STATIC_URL) or not two_factor_pending(request):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_VIEWS:
            return None
        return redirect_to_login(request.get_full_path(), login_url=reverse("accounts:two_factor"))
