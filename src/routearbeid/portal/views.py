"""The youth's own report page (/melden/<token>/): no account, no session; the token is the key.

Unknown, revoked and withdrawn look the same (a friendly 404 that says nothing about the token).
Every response carries noindex and no-store, and a referrer policy that keeps the address (with
its token) on this site: `same-origin`, not `no-referrer`, because with `no-referrer` browsers send
`Origin: null` with the form, which Django's CSRF check rightly refuses (see REFERRER_POLICY).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from routearbeid.accounts.ip import client_ip
from routearbeid.aftercare.constants import JOB_LOSS_REPORTS
from routearbeid.aftercare.schedules import work_service_of
from routearbeid.core.errors import DomainError
from routearbeid.route.constants import Stage

from . import ratelimit, selectors, services
from .forms import PortalReportForm
from .qr import qr_svg

REPORT_STAGES = (Stage.AFTERCARE, Stage.CLOSED)
# The token never leaves this site in a Referer header: pages here link nowhere else, and a link
# elsewhere gets no referrer at all. Requests to this site itself keep their Origin for CSRF.
REFERRER_POLICY = "same-origin"


def portal_response(view: Callable) -> Callable:
    """The headers of every report page, and the per-address rate limit in front of it. The
    address is the client's, also behind our own proxies (TRUSTED_PROXY_COUNT): otherwise every
    youth would share the proxy's one bucket."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not ratelimit.ip_allowed(client_ip(request) or ""):
            response = too_many(request)
        else:
            response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = REFERRER_POLICY
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return never_cache(wrapped)


def language_links(request: HttpRequest) -> list[dict]:
    """The language picker: links that keep the page (and its token), each name in its own script."""
    current = get_language()
    links = []
    for code, name in settings.LANGUAGES:
        query = request.GET.copy()
        query["lang"] = code
        links.append(
            {
                "code": code,
                "name": name,
                "rtl": code in settings.LANGUAGES_BIDI,
                "current": code == current,
                "href": f"{request.path}?{query.urlencode()}",
            }
        )
    return links


def _render(request, template: str, context: dict | None = None, status: int = 200):
    context = {"languages": language_links(request), **(context or {})}
    return render(request, template, context, status=status)


def not_found(request: HttpRequest) -> HttpResponse:
    return _render(request, "portal/not_found.html", status=404)


def too_many(request: HttpRequest) -> HttpResponse:
    response = _render(request, "portal/too_many.html", status=429)
    response["Retry-After"] = "60"
    return response


def _form_action(request: HttpRequest) -> str:
    lang = request.GET.get("lang")
    return f"{request.path}?{urlencode({'lang': lang})}" if lang else request.path


@portal_response
@require_http_methods(["GET", "POST"])
def portal_page(request: HttpRequest, token: str) -> HttpResponse:
    case = selectors.portal_case_for_token(token=token)
    if case is None:
        return not_found(request)
    may_report = case.stage in REPORT_STAGES
    form = PortalReportForm()
    if request.method == "POST" and may_report:
        if not ratelimit.reports_left(token):
            return too_many(request)
        form = PortalReportForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.portal_report_submit(
                    case=case,
                    kind=data["kind"],
                    message=data["message"],
                    contact_phone=data["contact_phone"],
                )
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                ratelimit.report_counted(token)
                query = {"over": data["kind"]}
                if request.GET.get("lang"):
                    query["lang"] = request.GET["lang"]
                url = reverse("portal:thanks", args=[token])
                return redirect(f"{url}?{urlencode(query)}")
    services.portal_page_read(case=case)
    context = {
        "case": case,
        "student": case.student,
        "school": case.student.school,
        "recorded": selectors.portal_recorded(case=case),
        "may_report": may_report,
        "form": form,
        "form_action": _form_action(request),
    }
    # Form errors answer 200, like the staff forms: Django logs every 4xx with its path, and the
    # path holds the youth's token. Only the rate limit (429) and the unknown token (404) are 4xx.
    return _render(request, "portal/page.html", context)


@portal_response
@require_GET
def portal_thanks(request: HttpRequest, token: str) -> HttpResponse:
    case = selectors.portal_case_for_token(token=token)
    if case is None:
        return not_found(request)
    kind = request.GET.get("over", "")
    work_service = work_service_of(case) if kind in JOB_LOSS_REPORTS else None
    context = {
        "school": case.student.school,
        "work_service": work_service,
        "back": reverse("portal:page", args=[token]),
    }
    return _render(request, "portal/thanks.html", context)


# --- the school's side: the card with the link, shown once --------------------------------------


def portal_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("portal:page", args=[token]))


def card_response(request: HttpRequest, case, new: services.NewLink) -> HttpResponse:
    """The printable card (credit-card size) with the new link and its QR code. Never cached,
    never sent to another site as a referrer: this page is the only place the link appears."""
    url = portal_url(request, new.token)
    context = {
        "student": case.student,
        "school": case.student.school,
        "link": new.link,
        "url": url,
        "qr": qr_svg(url, label=gettext("QR code with the link to the youth's own page")),
        "languages": settings.LANGUAGES,
    }
    response = render(request, "portal/card.html", context)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = REFERRER_POLICY
    return response
