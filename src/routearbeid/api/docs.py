"""The OpenAPI document (/api/v1/openapi.yaml) and the reference page (/api/v1/docs)."""

from __future__ import annotations

import functools
from typing import cast

import yaml
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

from .constants import API_VERSION

METHODS = ("get", "post", "put", "patch", "delete")
# The reference page's headings for the document's tags (the tags themselves stay ids).
TAG_LABELS = {
    "students": _("Students"),
    "cases": _("Cases"),
    "consultation": _("Consultation"),
    "work": _("Work, ABA and provisions"),
    "handover": _("Handover"),
    "outflow": _("Outflow"),
    "leerplicht": _("Leerplicht"),
    "aftercare": _("Aftercare"),
    "meetings": _("Outflow meetings"),
    "organisations": _("Organisations"),
}


@functools.lru_cache(maxsize=8)
def openapi_document(language: str) -> dict:
    """The document in this language (summaries and messages are translated); made once."""
    with translation.override(language):
        generator = SchemaGenerator(patterns=None, urlconf=None)
        schema = generator.get_schema(request=None, public=True)
        # force lazy strings now, in this language
        return yaml.safe_load(OpenApiYamlRenderer().render(schema, renderer_context={}))


def _language() -> str:
    return (translation.get_language() or "nl").split("-")[0]


@require_safe
def openapi_yaml(request: HttpRequest) -> HttpResponse:
    text = OpenApiYamlRenderer().render(openapi_document(_language()), renderer_context={})
    response = HttpResponse(text, content_type="application/vnd.oai.openapi; charset=utf-8")
    response["API-Version"] = API_VERSION
    response["Content-Disposition"] = 'inline; filename="openapi.yaml"'
    return response


@require_safe
def reference(request: HttpRequest) -> HttpResponse:
    document = openapi_document(_language())
    sections: dict[str, list[dict]] = {}
    for path, item in document["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if not operation:
                continue
            tag = (operation.get("tags") or ["api"])[0]
            responses = []
            for code, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                media, body = next(iter(content.items()), (None, {}))
                body = cast(dict, body)
                responses.append(
                    {
                        "code": code,
                        "description": response.get("description", ""),
                        "media": media,
                        "example": _dump(body.get("example"))
                        if body.get("example") is not None
                        else "",
                    }
                )
            request_body: dict = next(
                iter(operation.get("requestBody", {}).get("content", {}).values()), {}
            )
            sections.setdefault(tag, []).append(
                {
                    "id": operation.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": "/api/v1" + path,
                    "summary": operation.get("summary", ""),
                    "parameters": [
                        {
                            "name": p.get("name"),
                            "where": p.get("in"),
                            "required": p.get("required", False),
                            "description": p.get("description", ""),
                            "type": (p.get("schema") or {}).get("type", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "request_example": _dump(request_body.get("example"))
                    if request_body.get("example") is not None
                    else "",
                    "responses": responses,
                }
            )
    return render(
        request,
        "api/reference.html",
        {
            "info": document["info"],
            # the description is Markdown for OpenAPI tools; here plain paragraphs
            "intro": [
                p.replace("**", "").replace("`", "")
                for p in document["info"].get("description", "").split("\n\n")
                if p.strip()
            ],
            "sections": [
                (tag, TAG_LABELS.get(tag, tag), operations)
                for tag, operations in sorted(sections.items())
            ],
            "version": API_VERSION,
        },
    )


def _dump(value) -> str:
    import json

    return json.dumps(value, indent=2, ensure_ascii=False)
