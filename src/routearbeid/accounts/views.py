"""Login (password, then a code from an app), the account page and logging out everywhere."""

from __future__ import annotations

from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from routearbeid.organisations.models import Membership, User

from . import services
from .constants import SESSION_NEW_RECOVERY_CODES, SESSION_TWO_FACTOR_PENDING
from .forms import CodeForm, PasswordChangeForm
from .middleware import is_verified, two_factor_pending


def _next_url(request: HttpRequest, default: str | None = None) -> str:
    """The page to go to after logging in, if it is one of ours."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default or reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


class LoginView(auth_views.LoginView):
    """Step one: user name and password (django-axes counts failures and locks out)."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        if services.two_factor_required(user):
            self.request.session[SESSION_TWO_FACTOR_PENDING] = True
            return redirect(_with_next("accounts:two_factor", self.get_success_url()))
        return response


class LogoutView(auth_views.LogoutView):
    pass


def lockout(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What django-axes shows after too many failed logins: our login page with a message that
    says the same whether or not the user name exists (AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/login.html",
        {"form": AuthenticationForm(request), "locked_out": True, "cooloff_minutes": minutes},
        status=429,
    )


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin has no login of its own: it sends people to ours (with both steps)."""
    if request.user.is_authenticated:
        # Logged in but not staff: the admin is not for them (and we avoid a redirect loop).
        raise Http404
    return redirect_to_login(_next_url(request, reverse("admin:index")))


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Step two: a code from the app, or a recovery code."""
    next_url = _next_url(request)
    if is_verified(request.user):
        return redirect(next_url)
    user = request.user
    assert isinstance(user, User)
    if not django_otp.user_has_device(user):
        return redirect(_with_next("accounts:two_factor_setup", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_verify(actor=user, code=form.cleaned_data["code"])
        except services.CodeRefused as refused:
            form.add_error("code", str(refused.message))
        else:
            _verified(request, device)
            if isinstance(device, StaticDevice):
                left = services.recovery_codes_left(actor=user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code; %(left)d is left. Lost your phone? Make "
                        "new codes and set up the app again on your account page.",
                        "You used a recovery code; %(left)d are left. Lost your phone? Make "
                        "new codes and set up the app again on your account page.",
                        left,
                    )
                    % {"left": left},
                )
            return redirect(next_url)
    return render(request, "accounts/two_factor.html", {"form": form, "next": next_url})


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the secret), give the first code."""
    next_url = _next_url(request)
    user = request.user
    assert isinstance(user, User)
    has_app = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if django_otp.user_has_device(user) and not is_verified(request.user):
        # Someone with only the password must not replace the app of the owner.
        return redirect(_with_next("accounts:two_factor", next_url))
    device = services.two_factor_enrol_start(actor=user)
    form = CodeForm(request.POST or None, recovery_allowed=False)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.two_factor_enrol_confirm(
                actor=user, code=form.cleaned_data["code"]
            )
        except services.CodeRefused as refused:
            form.add_error("code", str(refused.message))
        else:
            _verified(request, device)
            request.session[SESSION_NEW_RECOVERY_CODES] = codes
            return redirect(_with_next("accounts:recovery_codes", next_url))
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "qr_code": _qr_svg(device),
            "secret": services.totp_secret(device),
            "replacing": has_app,
            "pending": two_factor_pending(request),
        },
    )


def _verified(request: HttpRequest, device) -> None:
    # A new session key once the login is complete (the second step raised the privilege).
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session.pop(SESSION_TWO_FACTOR_PENDING, None)


def _qr_svg(device: TOTPDevice) -> SafeString:
    """The QR code as inline SVG: no style attributes (the CSP allows no inline styles)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", svgclass="ra-qr", lineclass=None
    )
    label = _("QR code to scan with your authenticator app")
    return format_html(
        '<svg role="img" aria-label="{}"{}', label, mark_safe(svg.removeprefix("<svg"))
    )


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, shown once."""
    codes = request.session.pop(SESSION_NEW_RECOVERY_CODES, None)
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next": _next_url(request)},
    )


def _require_verified_device(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not is_verified(request.user):
        raise Http404
    return user


@login_required
@require_POST
def recovery_codes_regenerate(request: HttpRequest) -> HttpResponse:
    user = _require_verified_device(request)
    request.session[SESSION_NEW_RECOVERY_CODES] = services.recovery_codes_regenerate(actor=user)
    return redirect(_with_next("accounts:recovery_codes", reverse("accounts:account")))


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name", "role")
    )
    has_app = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return render(
        request,
        "accounts/account.html",
        {
            "memberships": memberships,
            "has_app": has_app,
            "verified": is_verified(user),
            "codes_left": services.recovery_codes_left(actor=user) if has_app else 0,
            "required": settings.ROUTEARBEID_REQUIRE_2FA,
        },
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change the password; the policy (AUTH_PASSWORD_VALIDATORS) applies. Other sessions end
    because the session hash follows the password; this one stays."""

    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


@login_required
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponseRedirect:
    user = request.user
    assert isinstance(user, User)
    services.user_sessions_end(actor=user)
    logout(request)
    messages.success(request, _("You have been logged out on all your devices."))
    return redirect("login")
