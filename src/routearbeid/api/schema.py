"""The OpenAPI document: what drf-spectacular makes of the views, plus what the ADR asks of
every operation (the API-Version header, problem+json errors, security, examples)."""

from __future__ import annotations

import copy

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from .constants import API_VERSION

DESCRIPTION = _(
    "The API of Route Arbeid: the route of newcomer youth from the ISK class into paid work, "
    "with the same need-to-know rules as the screens. Every call is recorded in the processing "
    "log.\n\n"
    "**Logging in.** Make a personal API token on your account page (/account/) and send it as "
    "`Authorization: Bearer <token>`. A token acts as you, within what you may see and do; a "
    "read-only token may only read. A logged-in session of the screens works too.\n\n"
    "**Errors** are `application/problem+json` (RFC 9457). A refused step of the route answers "
    "422 and lists the unmet rules (`rules`: id and message); invalid input answers 400 with "
    "`invalidParams`.\n\n"
    "**Lists** come in pages: `page` and `pageSize` (at most 100). Dates are ISO 8601."
)

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details. Extension members: `invalidParams` (400: name, "
    "code, reason per invalid field) and `rules` (422: id and message per unmet rule).",
    "properties": {
        "type": {
            "type": "string",
            "format": "uri",
            "example": "https://routearbeid.nl/problemen/regel-niet-voldaan",
        },
        "title": {"type": "string", "example": "Refused by the rules of the route"},
        "status": {"type": "integer", "example": 422},
        "detail": {
            "type": "string",
            "example": "R-OUT-1: the warm handover has not been recorded.",
        },
        "instance": {"type": "string", "example": "/api/v1/cases/12/outflow"},
    },
    "required": ["type", "title", "status", "detail"],
}

ERRORS = {
    "400": (
        "Invalid input",
        "ongeldige-invoer",
        {
            "invalidParams": [
                {"name": "outflowOn", "code": "required", "reason": "Dit veld is verplicht."}
            ]
        },
    ),
    "401": ("Not logged in", "niet-ingelogd", {}),
    "403": ("Not allowed", "niet-toegestaan", {}),
    "404": ("Not found", "niet-gevonden", {}),
    "422": (
        "Refused by the rules of the route",
        "regel-niet-voldaan",
        {"rules": [{"id": "R-OUT-1", "message": "De warme overdracht is nog niet vastgelegd."}]},
    ),
}


class AutoSchema(SpectacularAutoSchema):
    def get_operation_id(self):
        # readable, unique ids: cases_list, cases_outflow_create, …
        return super().get_operation_id()


def _problem_response(code: str, path: str) -> dict:
    title, slug, extra = ERRORS[code]
    example = {
        "type": f"https://routearbeid.nl/problemen/{slug}",
        "title": title,
        "status": int(code),
        "detail": title + ".",
        "instance": "/api/v1" + path,
        **extra,
    }
    return {
        "description": title,
        "headers": {"API-Version": {"$ref": "#/components/headers/API-Version"}},
        "content": {
            "application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"},
                "example": example,
            }
        },
    }


# Example values by property name, where the type alone gives a poor one.
PROPERTY_EXAMPLES = {
    "firstName": "Amina",
    "lastName": "Haile",
    "name": "Halte Werk Utrecht",
    "kvkNumber": "12345678",
    "email": "a.jansen@example.nl",
    "contactEmail": "hr@example.nl",
    "phone": "030 123 4567",
    "contactPhone": "06 12345678",
    "municipality": "Utrecht",
    "className": "ISK-4B",
    "pgn": "123456782",
    "ruleId": "R-NZ-2",
    "languages": "Tigrinya, Arabisch",
}


def _example_for(schema: dict, components: dict, depth: int = 0, name: str = ""):
    """An example value that satisfies `schema` (for operations without one of their own)."""
    if depth > 20:
        return None
    if (
        name in PROPERTY_EXAMPLES
        and not {"enum", "$ref", "allOf"} & schema.keys()
        and schema.get("type") in ("string", None)
    ):
        return PROPERTY_EXAMPLES[name]
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _example_for(components.get(name, {}), components, depth + 1)
    for key in ("allOf", "oneOf", "anyOf"):
        if key in schema:
            return _example_for(schema[key][0], components, depth + 1, name)
    if "example" in schema:
        return schema["example"]
    if "enum" in schema:
        values = [v for v in schema["enum"] if v not in (None, "")]
        return values[0] if values else None
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {
            key: _example_for(prop, components, depth + 1, key)
            for key, prop in schema.get("properties", {}).items()
        }
    if kind == "array":
        return [_example_for(schema.get("items", {}), components, depth + 1)]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 24.0
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    if fmt == "email":
        return "a.jansen@example.nl"
    if fmt == "date":
        return "2026-11-30"
    if fmt == "date-time":
        return "2026-11-30T09:30:00+01:00"
    if fmt == "uri":
        return "https://routearbeid.nl/api/v1/cases?page=2"
    return "tekst"


def _typed_nullables(node) -> None:
    """OpenAPI 3.0 wants a type beside `nullable`: drf-spectacular writes a nullable reference as
    {allOf: [$ref], nullable: true}; give it `type: object`."""
    if isinstance(node, dict):
        if node.get("nullable") and "type" not in node and "allOf" in node:
            node["type"] = "object"
        for value in node.values():
            _typed_nullables(value)
    elif isinstance(node, list):
        for value in node:
            _typed_nullables(value)


def postprocess(result, generator, request, public):
    _typed_nullables(result)
    result["info"]["description"] = str(DESCRIPTION)
    components = result.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = copy.deepcopy(PROBLEM)
    components["headers"] = {
        "API-Version": {
            "description": "The full version of the API (ADR /core/version-header).",
            "schema": {"type": "string", "example": API_VERSION},
        }
    }
    components["securitySchemes"] = {
        "token": {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, made on your account page.",
        },
        "session": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
    }
    result["security"] = [{"token": []}, {"session": []}]
    result["tags"] = [
        {"name": t}
        for t in sorted(
            {
                t
                for p in result["paths"].values()
                for op in p.values()
                if isinstance(op, dict)
                for t in op.get("tags", [])
            }
        )
    ]
    for path, item in result["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            operation.pop("security", None)
            responses = operation["responses"]
            for response in responses.values():
                response.setdefault("headers", {})["API-Version"] = {
                    "$ref": "#/components/headers/API-Version"
                }
                for media in response.get("content", {}).values():
                    if "example" not in media and "examples" not in media and "schema" in media:
                        media["example"] = _example_for(media["schema"], schemas)
            codes = ["401", "403"]
            if "{" in path or method == "get":
                codes.append("404")  # a row, or a page past the end of a list
            if method != "get" or operation.get("parameters"):
                codes.append("400")
            if method in ("post", "put", "patch"):
                codes.append("422")
            for code in codes:
                responses.setdefault(code, _problem_response(code, path))
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                if "example" not in media and "examples" not in media and "schema" in media:
                    media["example"] = _example_for(media["schema"], schemas)
    return result
