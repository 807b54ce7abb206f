"""Personal settings (/instellingen/meldingen/, /instellingen/agenda/) and the calendar feed
(/agenda/<token>.ics). Everyone signed in has their own settings; the feed is opened by a calendar
program with the secret link instead of a login."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from routearbeid.organisations.actors import actor_for
from routearbeid.processing_log.services import processing_log_record

from . import selectors, services
from .forms import CalendarForm, PreferenceForm
from .ical import calendar
from .models import CalendarFeed


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    current = services.email_mode_of(actor.user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            services.preference_set(actor=actor, email_mode=form.cleaned_data["email_mode"])
            messages.success(request, _("Your e-mail settings have been saved."))
            return redirect("notifications:preferences")
    else:
        form = PreferenceForm(initial={"email_mode": current})
    return render(
        request, "notifications/preferences.html", {"form": form, "email": actor.user.email}
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    new_link = ""
    if request.method == "POST":
        form = CalendarForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Something went wrong. Try again."))
            return redirect("notifications:calendar")
        if form.cleaned_data["action"] == "revoke":
            services.calendar_feed_revoke(actor=actor)
            messages.success(request, _("Your calendar link has been revoked; it no longer works."))
            return redirect("notifications:calendar")
        token = services.calendar_feed_renew(actor=actor)
        # Shown in this response only: we keep a hash, so the link cannot be shown again.
        new_link = services.absolute_url(reverse("notifications:feed", args=[token]))
    feed = selectors.calendar_feed_of(actor=actor)
    return render(request, "notifications/calendar.html", {"feed": feed, "new_link": new_link})


def _host() -> str:
    return urlsplit(settings.ROUTEARBEID_BASE_URL).hostname or "routearbeid"


@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = selectors.calendar_feed_user(token=token)
    if user is None:
        raise Http404
    actor = actor_for(user)
    with translation.override(services.MAIL_LANGUAGE):
        content = selectors.calendar_events(actor, host=_host())
        body = calendar(name=_("Route Arbeid"), events=content.events, stamp=timezone.now())
    if content.student_ids:
        # The feed shows first names of youth with a due check-in: a read of personal data.
        processing_log_record(
            actor=actor,
            operation="read",
            activity="aftercare.checkin",
            student_ids=content.student_ids,
        )
    CalendarFeed.objects.filter(user=user).update(last_read_at=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="route-arbeid.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
