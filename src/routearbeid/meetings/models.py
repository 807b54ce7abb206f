"""Outflow meetings (uitstroomtafels): agenda, advice, decisions and actions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from routearbeid.core.models import TimeStampedModel
from routearbeid.route.constants import OutflowProfile

from .constants import MeetingStatus


class OutflowMeeting(TimeStampedModel):
    region = models.ForeignKey(
        "organisations.Region", on_delete=models.PROTECT, related_name="meetings"
    )
    scheduled_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    held_on = models.DateField(_("held on"), null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)

    class Meta:
        verbose_name = _("outflow meeting")
        verbose_name_plural = _("outflow meetings")
        ordering = ["-scheduled_on"]
        indexes = [models.Index(fields=["region", "scheduled_on"])]

    def __str__(self) -> str:
        return f"{_('Outflow meeting')} {self.scheduled_on:%d-%m-%Y}"


class MeetingParticipant(models.Model):
    meeting = models.ForeignKey(
        OutflowMeeting, on_delete=models.CASCADE, related_name="participants"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person_name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.person_name


class AgendaItem(TimeStampedModel):
    meeting = models.ForeignKey(
        OutflowMeeting, on_delete=models.CASCADE, related_name="agenda_items"
    )
    case = models.ForeignKey("route.Case", on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="agenda_item_once_per_meeting")
        ]


class Advice(TimeStampedModel):
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="advice")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("advice"))

    class Meta:
        verbose_name = _("advice")
        verbose_name_plural = _("advice")
        constraints = [
            models.UniqueConstraint(
                fields=["agenda_item", "organisation"], name="advice_once_per_organisation"
            )
        ]


class Decision(TimeStampedModel):
    agenda_item = models.OneToOneField(
        AgendaItem, on_delete=models.CASCADE, related_name="decision"
    )
    outflow_profile = models.CharField(
        _("outflow profile"), max_length=20, choices=OutflowProfile.choices
    )
    reason = models.TextField(_("reason"))
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")


class MeetingAction(TimeStampedModel):
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("action"), max_length=300)
    owner_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [models.Index(fields=["owner_organisation", "due_on"])]
