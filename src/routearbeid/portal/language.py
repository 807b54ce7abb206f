"""Which language a page is in: the youth's report page in one of seven languages, the staff
screens in Dutch or English only.

Django's LocaleMiddleware has already chosen a language from the cookie or Accept-Language.
On the report page (/melden/) the youth's own choice comes first (the `lang` parameter of the
language picker, kept in a cookie that only the report page reads), then Accept-Language with
Dari's other codes (`prs`, `fa-AF`) mapped to ours (`fa-af`), then Dutch. Staff screens fall
back to Dutch when the chosen language is not a staff language: they are not translated into
the other five, and a page must not claim a language it is not written in.
"""

from __future__ import annotations

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

PORTAL_PREFIX = "/melden/"
COOKIE = "portal_language"
# Codes browsers send for Dari (ISO 639-3 `prs`, or Persian of Afghanistan) -> our code.
ALIASES = {"prs": "fa-af", "prs-af": "fa-af", "fa-af": "fa-af"}


def register_language_info() -> None:
    """Django knows neither Tigrinya nor Dari by name; `get_language_info` needs both."""
    LANG_INFO.setdefault(
        "ti", {"bidi": False, "code": "ti", "name": "Tigrinya", "name_local": "ትግርኛ"}
    )
    LANG_INFO.setdefault(
        "fa-af", {"bidi": True, "code": "fa-af", "name": "Dari", "name_local": "دری"}
    )


def portal_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def supported(code: str | None) -> str | None:
    if not code:
        return None
    code = ALIASES.get(code.lower(), code.lower())
    return code if code in portal_languages() else None


def from_accept_language(header: str) -> str | None:
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            break
        code = code.lower()
        found = supported(code)
        if found:
            return found
        # a regional variant we do not have: nl-BE -> nl, ar-SY -> ar, uk-UA -> uk
        generic = code.split("-")[0]
        found = supported(generic)
        if found:
            return found
        if generic == "fa":  # Persian: Dari is the closest we have
            return "fa-af"
    return None


def portal_language(request: HttpRequest) -> str:
    return (
        supported(request.GET.get("lang"))
        or supported(request.COOKIES.get(COOKIE))
        or from_accept_language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
        or settings.LANGUAGE_CODE
    )


def staff_language(request: HttpRequest) -> str:
    """The first staff language in Accept-Language (the staff picker sets Django's cookie)."""
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        generic = code.lower().split("-")[0]
        if generic in settings.STAFF_LANGUAGES:
            return generic
    return settings.LANGUAGE_CODE


class LanguageMiddleware:
    """Runs after LocaleMiddleware: the report page's language rules, and Dutch/English for staff."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path_info.startswith(PORTAL_PREFIX):
            code = portal_language(request)
        else:
            code = translation.get_language()
            if code not in settings.STAFF_LANGUAGES:
                code = staff_language(request)
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        if request.path_info.startswith(PORTAL_PREFIX) and supported(request.GET.get("lang")):
            # remembered for the report page only (path), not for the staff screens
            response.set_cookie(
                COOKIE,
                code,
                max_age=365 * 24 * 3600,
                path=PORTAL_PREFIX,
                samesite="Lax",
                secure=request.is_secure(),
                httponly=True,
            )
        return response
