"""Lists come in pages of 25 (`page`, `pageSize` up to 100) with the total count."""

from functools import partial

from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class CountedPaginator(Paginator):
    """Django's paginator with the count made another way (a view's `known_count`)."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.__dict__["count"] = count  # Paginator.count is a cached property


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "pageSize"
    max_page_size = 100
    page_query_param = "page"

    def requested(self, request) -> tuple[int, int]:
        """The page number and size asked for. A malformed page is invalid input (400)."""
        for name in (self.page_query_param, self.page_size_query_param):
            raw = request.query_params.get(name)
            if raw is not None and (
                not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or int(raw) < 1
            ):
                raise ValidationError({name: [_("Give a whole number of 1 or more.")]})
        size = request.query_params.get(self.page_size_query_param)
        if size is not None and int(size) > self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [_("Give at most %(n)s.") % {"n": self.max_page_size}]}
            )
        number = request.query_params.get(self.page_query_param)
        return int(number or 1), int(size or self.page_size)

    def paginate_queryset(self, queryset, request, view=None):
        # A malformed page is invalid input (400); a page past the end is not found (404).
        self.requested(request)
        # a view that knows its count cheaper than COUNT(*) over its queryset says so
        known = getattr(view, "known_count", None)
        if known is not None:
            self.django_paginator_class = partial(CountedPaginator, count=known)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": str(_("The page number, from 1.")),
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": str(
                    _("The number of results per page (at most %(n)s).") % {"n": self.max_page_size}
                ),
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "example": 123,
                    "description": str(
                        _(
                            "The number of results. A partner's unfiltered case list keeps it "
                            "for a minute: before the last page it may be up to a minute old; "
                            "on the last page it is exact. Follow next to read every page."
                        )
                    ),
                },
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }
