"""Forms loaded when they are opened (issue #7): a page lists its items with a closed <details>
per form (template core/_form_on_open.html); htmx fetches the one form when it opens, and
without JavaScript the same URL gives the whole page with that form open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


@dataclass(frozen=True)
class LazyForm:
    """In place of a form on a page: where to load it from (htmx, `url`) and, without
    JavaScript, the page with that form open (`page_url`: the same URL, at the item's `anchor`)."""

    url: str
    anchor: str
    lazy: bool = True
    # What the page's templates ask of every form they show (meetings/_form.html): one loaded
    # when opened is not open on the page and has no errors. Answered here, not by a failed
    # lookup (Django's template engine tries a key, an attribute and an index, three exceptions).
    opened: ClassVar[bool] = False
    errors: ClassVar[tuple] = ()

    @property
    def page_url(self) -> str:
        return f"{self.url}{self.anchor}"


def form_or_page(
    request: HttpRequest,
    form: tuple[str, dict],
    page: Callable[[], tuple[str, dict]],
) -> HttpResponse:
    """To htmx (not a boosted navigation), `form`: its template and context, only the form; to
    anyone else the page that `page()` gives, built only then. The answer varies with the htmx
    headers, so no cache hands one for the other."""
    if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted"):
        response = render(request, *form)
    else:
        response = render(request, *page())
    patch_vary_headers(response, ["HX-Request", "HX-Boosted"])
    return response
