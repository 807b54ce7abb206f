"""The outbox in the admin: delivery health for the functional administrator, without the mail's
content (subject and body name a youth; the administrator sees no case data). An administrator
sees, and can retry, only mail to people of the organisations they administer."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from routearbeid.organisations.admin import administered_organisation_ids
from routearbeid.organisations.models import Membership

from . import services
from .constants import ALERT_ATTEMPTS, OutboxStatus
from .models import OutboxMessage


class TroubleFilter(admin.SimpleListFilter):
    title = _("delivery trouble")
    parameter_name = "trouble"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("Failing for %(n)s attempts or more, or refused") % {"n": ALERT_ATTEMPTS})
        ]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(status=OutboxStatus.SENT).filter(
                attempts__gte=ALERT_ATTEMPTS
            ) | queryset.filter(status=OutboxStatus.FAILED)
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "recipient",
        "kind",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
        "sent_at",
        "last_error",
    ]
    list_filter = [TroubleFilter, "status", "kind"]
    FIELDS = (
        "recipient",
        "to_address",
        "kind",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_until",
        "created_at",
        "sent_at",
        "redacted_at",
        "message_id",
        "last_error",
    )
    fields = FIELDS
    readonly_fields = FIELDS
    actions = ["retry_now"]
    list_select_related = ["recipient"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutboxMessage]:
        queryset = super().get_queryset(request)
        own = administered_organisation_ids(request)
        if own is None:  # a superuser
            return queryset
        return queryset.filter(
            recipient_id__in=Membership.objects.filter(organisation_id__in=own).values("user_id")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=_("Try again now"), permissions=["change"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = services.outbox_retry_now(message_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, _("%(n)s e-mails will be sent again.") % {"n": count})
