"""The person's API tokens on their account page: make one (shown once), see them, revoke one."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from routearbeid.core.errors import DomainError, NotFound
from routearbeid.core.forms import StyledForm, date_field

from . import services
from .constants import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, TokenScope
from .selectors import my_api_tokens


class TokenForm(StyledForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("For which program or purpose, e.g. “Koppeling Somtoday”."),
    )
    scope = forms.ChoiceField(
        label=_("Access"), choices=TokenScope.choices, widget=forms.RadioSelect, initial="read"
    )
    expires_on = date_field(
        _("Valid until"),
        help_text=_("At most %(days)s days from today.") % {"days": MAX_TOKEN_DAYS},
    )


@login_required
@never_cache
def tokens(request: HttpRequest) -> HttpResponse:
    new_secret = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                new = services.api_token_create(
                    actor=request.user,  # type: ignore[arg-type]
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                    expires_on=form.cleaned_data["expires_on"],
                )
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                new_secret = new.secret
                form = TokenForm(initial=_initial())
    else:
        form = TokenForm(initial=_initial())
    now = timezone.now()
    rows = [(t, t.is_active(now)) for t in my_api_tokens(actor=request.user)]
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": rows, "new_secret": new_secret},
        status=400 if request.method == "POST" and form.errors else 200,
    )


def _initial() -> dict:
    return {
        "scope": "read",
        "expires_on": timezone.localdate() + dt.timedelta(days=DEFAULT_TOKEN_DAYS),
    }


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = services.api_token_revoke(actor=request.user, token_id=token_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    messages.success(request, _("The token “%(name)s” has been revoked.") % {"name": token.name})
    return redirect("api_tokens")
