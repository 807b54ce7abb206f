"""What every endpoint shares: the acting user, the API-Version header, the call in the log."""

from __future__ import annotations

from rest_framework import mixins, viewsets

from routearbeid.organisations.actors import Actor, actor_for
from routearbeid.processing_log.models import Operation, Status
from routearbeid.processing_log.services import processing_log_record
from routearbeid.processing_log.trace import count_records, records_written, stop_counting

from .constants import API_VERSION
from .params import path_pk

OPERATIONS = {
    "GET": Operation.READ,
    "HEAD": Operation.READ,
    "OPTIONS": Operation.READ,
    "POST": Operation.CREATE,
    "PUT": Operation.UPDATE,
    "PATCH": Operation.UPDATE,
    "DELETE": Operation.DELETE,
}


class ApiViewMixin:
    """Mixed into every API view."""

    request: object

    @property
    def actor(self) -> Actor:
        return actor_for(self.request.user)  # type: ignore[attr-defined]

    def dispatch(self, request, *args, **kwargs):
        counting = count_records()
        try:
            response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
            response["API-Version"] = API_VERSION
            if not records_written():
                self._log_call(request, response.status_code)
            return response
        finally:
            stop_counting(counting)

    def _log_call(self, request, status_code: int) -> None:
        """Every call is in the processing log: a call that touched no youth gets a record of
        its own (activity api.call, no data subject)."""
        user = getattr(request, "user", None)
        actor = actor_for(user) if user is not None and user.is_authenticated else None
        processing_log_record(
            actor=actor,
            operation=OPERATIONS.get(request.method, Operation.READ),
            activity="api.call",
            student_ids=[None],  # type: ignore[list-item]
            status=Status.OK if status_code < 400 else Status.DENIED,
            organisation_id=actor.primary_organisation_id() if actor else None,
        )


class ReadOnlyViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A list and a detail, both scoped to the acting user by a selector."""

    lookup_value_regex = r"[0-9]+"

    def get_object(self):
        path_pk(self.kwargs[self.lookup_url_kwarg or self.lookup_field])  # 404 for impossible ids
        return super().get_object()
