from djangorestframework_camel_case.render import CamelCaseJSONRenderer


class JsonRenderer(CamelCaseJSONRenderer):
    """JSON with camelCase member names; problem answers keep their own media type."""

    charset = "utf-8"
