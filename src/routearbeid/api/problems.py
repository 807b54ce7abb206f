"""Errors as `application/problem+json` (RFC 9457, ADR /core/problem-details).

Every error answer has `type`, `title`, `status`, `detail` and `instance`. Two extension members
carry what a program needs to react: `invalidParams` (400: which field, what is wrong) and
`rules` (422: the unmet rule ids of domain.md with their messages).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.response import Response

from routearbeid.core import errors

from .constants import API_VERSION
from .params import camel

PROBLEM_TYPE = "https://routearbeid.nl/problemen/"
CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: _("Invalid input"),
    401: _("Not logged in"),
    403: _("Not allowed"),
    404: _("Not found"),
    405: _("Method not allowed"),
    406: _("Not acceptable"),
    415: _("Unsupported media type"),
    422: _("Refused by the rules of the route"),
    429: _("Too many requests"),
    500: _("Server error"),
}
SLUGS = {
    400: "ongeldige-invoer",
    401: "niet-ingelogd",
    403: "niet-toegestaan",
    404: "niet-gevonden",
    405: "methode-niet-toegestaan",
    406: "niet-aanvaardbaar",
    415: "mediatype-niet-ondersteund",
    422: "regel-niet-voldaan",
    429: "te-veel-verzoeken",
    500: "serverfout",
}


def problem(status: int, detail: str, *, instance: str = "", **extra) -> dict:
    body = {
        "type": PROBLEM_TYPE + SLUGS.get(status, str(status)),
        "title": str(TITLES.get(status, _("Error"))),
        "status": status,
        "detail": str(detail),
        "instance": instance,
    }
    body.update(extra)
    return body


def _invalid_params(data, prefix: str = "") -> list[dict]:
    """DRF's nested error dict as a flat list of {name, code, reason}, names in camelCase."""
    params: list[dict] = []
    if isinstance(data, dict):
        for key, value in data.items():
            key = camel(str(key))
            name = key if not prefix else f"{prefix}.{key}"
            if key in ("nonFieldErrors", "__all__"):
                name = prefix or "body"
            params.extend(_invalid_params(value, name))
    elif isinstance(data, list):
        if all(isinstance(item, exceptions.ErrorDetail | str) for item in data):
            for item in data:
                params.append(
                    {
                        "name": prefix or "body",
                        "code": getattr(item, "code", "invalid"),
                        "reason": str(item),
                    }
                )
        else:
            for index, item in enumerate(data):
                params.extend(_invalid_params(item, f"{prefix}[{index}]"))
    else:
        params.append({"name": prefix or "body", "code": "invalid", "reason": str(data)})
    return params


def _response(body: dict, headers: dict | None = None) -> Response:
    response = Response(body, status=body["status"], headers=headers, content_type=CONTENT_TYPE)
    return response


def exception_handler(exc, context):
    """DRF's exception handler: every refusal as problem+json, never HTML."""
    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""
    if isinstance(exc, errors.TransitionBlocked):
        rules = [{"id": c.rule_id, "message": str(c.message)} for c in exc.failures]
        detail = gettext("The step is not possible yet: %(rules)s") % {
            "rules": "; ".join(f"{r['id']}: {r['message']}" for r in rules)
        }
        return _response(problem(422, detail, instance=instance, rules=rules))
    if isinstance(exc, errors.NotFound | Http404):
        return _response(
            problem(
                404,
                gettext("This resource does not exist, or you may not see it."),
                instance=instance,
            )
        )
    if isinstance(exc, errors.PermissionDenied):
        return _response(problem(403, str(exc.message), instance=instance))
    if isinstance(exc, errors.DomainError):
        rules = [{"id": rule_id, "message": str(exc.message)} for rule_id in exc.rule_ids]
        extra = {"rules": rules} if rules else {}
        return _response(problem(422, str(exc.message), instance=instance, **extra))
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.APIException):
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        status = exc.status_code
        if isinstance(exc, exceptions.ValidationError):
            params = _invalid_params(exc.detail)
            detail = gettext("The request has %(n)s invalid field(s): %(fields)s.") % {
                "n": len(params),
                "fields": ", ".join(sorted({p["name"] for p in params})),
            }
            return _response(problem(400, detail, instance=instance, invalidParams=params))
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return _response(problem(status, detail, instance=instance), headers)
    return None


def problem_response(request, status: int, detail: str) -> JsonResponse:
    """A problem answer outside DRF (an unknown URL under /api/, a server error)."""
    response = JsonResponse(
        problem(status, detail, instance=request.get_full_path()),
        status=status,
        content_type=CONTENT_TYPE,
    )
    response["API-Version"] = API_VERSION
    return response


def not_found(request, exception=None):
    """Django's 404 handler: problem+json under /api/, the usual page elsewhere."""
    from django.utils.translation import gettext

    if request.path.startswith("/api/"):
        detail = gettext("This resource does not exist, or you may not see it.")
        if request.path.endswith("/"):
            detail = gettext("API addresses have no trailing slash: leave it off.")
        return problem_response(request, 404, detail)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def server_error(request):
    from django.utils.translation import gettext

    if request.path.startswith("/api/"):
        return problem_response(
            request, 500, gettext("Something went wrong on our side. The error has been logged.")
        )
    from django.views.defaults import server_error as default

    return default(request)
