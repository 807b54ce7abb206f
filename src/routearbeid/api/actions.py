"""Writes: each is one of the screens' actions on a youth's page (route.views.ACTIONS), with the
same form, the same permission check and the same service. There is no second path to the data.

The request body is described by a serializer made from the action's form (for the OpenAPI
document and a first check of types); the form itself then validates, with the choices this
user has on this case, and the action runs the one service.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms as django_forms
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from routearbeid.core.errors import NotFound, PermissionDenied, TransitionBlocked
from routearbeid.route import rules
from routearbeid.route.constants import Stage
from routearbeid.route.forms import ChoiceByPk
from routearbeid.route.models import Case
from routearbeid.route.selectors import case_get, visible_cases
from routearbeid.route.views import ACTIONS, form_kwargs

from .base import ApiViewMixin
from .fields import (
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictDecimalField,
    StrictIntegerField,
)
from .params import path_pk


def _field_for(form_field: django_forms.Field) -> serializers.Field:
    common = {"required": form_field.required, "help_text": str(form_field.label or "")}
    if isinstance(form_field, ChoiceByPk):
        return StrictIntegerField(min_value=1, **common)
    if isinstance(form_field, django_forms.DateField):
        return serializers.DateField(**common)
    if isinstance(form_field, django_forms.DecimalField):
        return StrictDecimalField(
            max_digits=form_field.max_digits or 6,
            decimal_places=form_field.decimal_places or 1,
            min_value=Decimal(str(form_field.min_value))
            if form_field.min_value is not None
            else None,
            max_value=Decimal(str(form_field.max_value))
            if form_field.max_value is not None
            else None,
            **common,
        )
    if isinstance(form_field, django_forms.IntegerField):
        return StrictIntegerField(min_value=1, **common)
    if isinstance(form_field, django_forms.BooleanField):
        return StrictBooleanField(**common)
    if isinstance(form_field, django_forms.ChoiceField):
        choices = [(k, v) for k, v in form_field.choices if k != ""]  # type: ignore[union-attr,misc]
        return StrictChoiceField(choices=choices, **common)
    max_length = getattr(form_field, "max_length", None)
    return StrictCharField(
        max_length=max_length, allow_blank=not form_field.required, trim_whitespace=True, **common
    )


def body_serializer(name: str, form_class: Any, skip: tuple[str, ...] = ()) -> type:
    attrs = {key: _field_for(f) for key, f in form_class.base_fields.items() if key not in skip}
    class_name = "".join(part.title() for part in name.split("-")) + "Request"
    return type(class_name, (serializers.Serializer,), attrs)


def _form_value(value) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "on" if value else ""
    if value is None:
        return ""
    return str(value)


@dataclass(frozen=True)
class Write:
    action: str  # the name in route.views.ACTIONS
    method: str
    tag: str
    summary: str | Promise
    response: type  # the serializer of the answer
    result: Callable[[Case, dict], models.Model]  # what the answer shows
    created: bool = True
    # for a write on one row of the case (an ABA, a check-in, a signal): its model and the form
    # field that names it; the row comes from the path, the case from the row
    row_model: Any = None
    row_field: str = ""
    example: dict = field(default_factory=dict)


def _stage_refusal(act, actor, case: Case):
    """Why the action is not open: a 422 when another stage would allow it, else a 403."""
    for stage in Stage.values:
        if stage == case.stage:
            continue
        other = copy.copy(case)
        other.stage = stage
        if act.allowed(actor, other):
            return TransitionBlocked(
                "api",
                [
                    rules.RuleCheck(
                        "R-STAGE",
                        False,
                        _('This is not possible in the stage "%(stage)s".')
                        % {"stage": case.get_stage_display()},
                    )
                ],
            )
    return PermissionDenied(_("You may not take this step on this case."))


class WriteMixin:
    """Runs one Write: mixed into a resource's viewset (POST on its list, PATCH on a row) or
    into a view of its own (a step such as /cases/{caseId}/outflow)."""

    write: Write
    body_class: type

    def _case_and_row(self, kwargs) -> tuple[Case, int | None]:
        actor = self.actor  # type: ignore[attr-defined]
        w = self.write
        if w.row_model is None:
            return case_get(actor=actor, case_id=path_pk(kwargs["caseId"]), log=False), None
        row_id = path_pk(kwargs["pk"])
        case_id = (
            w.row_model.objects.filter(case__in=visible_cases(actor).values("pk"), pk=row_id)
            .values_list("case_id", flat=True)
            .first()
        )
        if case_id is None:
            raise NotFound("not found")
        return case_get(actor=actor, case_id=case_id, log=False), row_id

    def run_write(self, request, *args, **kwargs):
        w = self.write
        actor = self.actor  # type: ignore[attr-defined]
        case, row_id = self._case_and_row(kwargs)
        act = ACTIONS[w.action]
        # Who may take the step comes first: a caller who may not gets 403/422 whatever the body.
        if not act.allowed(actor, case):
            raise _stage_refusal(act, actor, case)
        body = self.body_class(data=request.data)
        body.is_valid(raise_exception=True)
        data = {key: _form_value(value) for key, value in body.validated_data.items()}
        if w.row_field:
            data[w.row_field] = str(row_id)
        form = act.form(data=data, **form_kwargs(w.action, actor, case, case.student))
        if not form.is_valid():
            raise ValidationError(
                {key: [str(m) for m in messages] for key, messages in form.errors.items()}
            )
        act.run(actor, case, form.cleaned_data)
        case = Case.objects.select_related("student").get(pk=case.pk)
        result = w.result(case, form.cleaned_data)
        code = status.HTTP_201_CREATED if w.created else status.HTTP_200_OK
        return Response(w.response(result, context={"request": request}).data, status=code)


def _schema(w: Write, body: type):
    code = 201 if w.created else 200
    return extend_schema(
        tags=[w.tag],
        summary=w.summary,
        request=body,
        responses={code: w.response},
        examples=[OpenApiExample("example", value=w.example, request_only=True)]
        if w.example
        else None,
    )


def with_write(base: Any, w: Write, method_name: str) -> Any:
    """`base` (a viewset or APIView) with the write as `method_name` (create, partial_update,
    update, post, put)."""
    act = ACTIONS[w.action]
    body = body_serializer(w.action, act.form, skip=(w.row_field,) if w.row_field else ())

    def handler(self, request, *args, **kwargs):
        return self.run_write(request, *args, **kwargs)

    handler.__name__ = method_name
    name = "".join(part.title() for part in w.action.split("-")) + base.__name__
    return type(
        name,
        (WriteMixin, base),
        {"write": w, "body_class": body, method_name: _schema(w, body)(handler)},
    )


class StepView(ApiViewMixin, APIView):
    """A write that is not a list or a row: a step on the case, or on a row (acceptance)."""


def step_view(w: Write):
    return with_write(StepView, w, w.method.lower()).as_view()
