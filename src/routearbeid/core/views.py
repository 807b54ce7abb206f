"""The home page, the health check and the accessibility statement (login: accounts.views)."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from routearbeid.organisations.actors import actor_for
from routearbeid.organisations.models import Membership


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    memberships = Membership.objects.filter(user=actor.user).select_related("organisation")
    return render(
        request,
        "core/home.html",
        {"memberships": memberships, "works_on_cases": actor.works_on_cases},
    )


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception:
        return JsonResponse({"status": "unavailable"}, status=503)


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")
