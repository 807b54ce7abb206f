"""Aftercare: scheduled check-ins, the youth's self-reports, and signals that need action by a date."""

import contextlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from routearbeid.core.models import TimeStampedModel
from routearbeid.route.constants import Situation

from .constants import FollowUpWith, ReportChannel, SelfReportKind, SignalKind, SignalStatus


class AftercareCheck(TimeStampedModel):
    """One scheduled check-in by the school and its outcome (R-NZ-1, R-NZ-2)."""

    case = models.ForeignKey("route.Case", on_delete=models.CASCADE, related_name="checks")
    # The youth's school, kept from the case so that a school's open check-ins are read from one
    # index (check_school_open_idx) instead of through every student and case of the school
    # (issue #7). Never edited: save() fills it; a youth never changes school in the product.
    school = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
    )
    sequence = models.PositiveSmallIntegerField(_("number"))
    due_on = models.DateField(_("due on"))
    recorded_on = models.DateField(_("date of contact"), null=True, blank=True)
    contact_made = models.BooleanField(_("contact made"), null=True, blank=True)
    situation = models.CharField(
        _("situation"), max_length=32, choices=Situation.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    follow_up = models.CharField(_("follow-up"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # R-NZ-2: a check-in where the youth could not be reached is tried again (Region setting).
    retry_of = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="retries",
        verbose_name=_("retry of"),
    )

    class Meta:
        verbose_name = _("aftercare check-in")
        verbose_name_plural = _("aftercare check-ins")
        ordering = ["due_on", "sequence"]
        indexes = [
            models.Index(
                fields=["due_on"], condition=Q(recorded_on__isnull=True), name="check_open_due_idx"
            ),
            models.Index(
                fields=["school", "due_on", "id"],
                condition=Q(recorded_on__isnull=True),
                name="check_school_open_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="check_unique_sequence"),
            models.CheckConstraint(
                condition=Q(recorded_on__isnull=True) | ~Q(situation="") | Q(contact_made=False),
                name="check_recorded_has_situation",
            ),
        ]

    def save(self, *args, **kwargs):
        if self._state.adding or not self.school_id:
            self.school_id = self.case.student.school_id
        super().save(*args, **kwargs)


class SelfReport(TimeStampedModel):
    """The youth reports to school, via the portal or by phone or at the desk (R-NZ-4)."""

    case = models.ForeignKey("route.Case", on_delete=models.CASCADE, related_name="self_reports")
    reported_at = models.DateTimeField(_("reported at"))
    kind = models.CharField(_("what"), max_length=32, choices=SelfReportKind.choices)
    message = models.TextField(_("message"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=30, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=ReportChannel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("self-report")
        verbose_name_plural = _("self-reports")
        ordering = ["-reported_at"]


class Signal(TimeStampedModel):
    """Something that needs someone's action by a date. Scheduled rows wait for `raise_on`."""

    # No index of their own on case and organisation: signal_unique_key starts with the case
    # and the (organisation, status, due_on) index with the organisation; every index is one
    # more write when a signal changes status (issue #7).
    case = models.ForeignKey(
        "route.Case", on_delete=models.CASCADE, related_name="signals", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=32, choices=SignalKind.choices)
    rule_id = models.CharField(_("rule"), max_length=16, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="signals",
        db_index=False,
    )
    # Set only on a signal raised by hand for one person (signal_raise); its index holds only
    # those rows (signal_person_idx), not the millions without one.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="signals",
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=20, choices=SignalStatus.choices)
    raise_on = models.DateField(_("raise on"))
    due_on = models.DateField(_("act by"), null=True, blank=True)
    raised_at = models.DateTimeField(_("raised at"), null=True, blank=True)
    # An untranslated template and its values, so that each reader sees it in their own language.
    message = models.CharField(_("message"), max_length=300)
    params = models.JSONField(default=dict, blank=True)
    resolution_note = models.TextField(_("resolution"), blank=True)
    # A stable key per cause, so that scheduling twice never makes two signals.
    key = models.CharField(max_length=100)

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        ordering = ["due_on", "raise_on", "id"]
        indexes = [
            models.Index(
                fields=["raise_on"], condition=Q(status="scheduled"), name="signal_scheduled_idx"
            ),
            models.Index(fields=["organisation", "status", "due_on"]),
            # the signals addressed to one person: few, so only they are indexed (a person's
            # deletion sets them to NULL through it). An index of every signal's empty person
            # was one more write each time a signal changed status (issue #7).
            models.Index(
                fields=["person"], condition=Q(person__isnull=False), name="signal_person_idx"
            ),
            # the worklist and its badge: the open signals of the actor's organisations, with
            # each one's case and person after the order, so that whether the actor may see it
            # (its person, its case) is answered from the index without reading the rows: a
            # work service's 2,572 at 1,000,000 cases 10-12 -> 7-8 ms (issue #7). Key columns
            # rather than INCLUDE, which SQLite would leave out with a warning; behind the id
            # they change no order.
            models.Index(
                fields=["organisation", "due_on", "raise_on", "id", "case", "person"],
                condition=Q(status__in=["open", "acknowledged"]),
                name="signal_active_org_idx",
            ),
            # a case's open signals, counted from the index alone: the RMC's monitoring list
            # sorted by them (28,000 cases of a region at 1,000,000 cases, issue #7), the
            # youth list's and the youth page's counts
            models.Index(
                fields=["case"],
                condition=Q(status__in=["open", "acknowledged"]),
                name="signal_active_case_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation", "key"], name="signal_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    # Django defines this method only where the class has none (Field.contribute_to_class); the
    # stubs declare it for every field with choices, hence the ignore.
    def get_kind_display(self) -> str:  # type: ignore[no-redef]
        """The kind's label in the active language. Django's own (Model._get_FIELD_display)
        makes every label of the field's choices hashable on each call, translating each one:
        twelve translations per signal, 0.7 ms of a worklist section of 25 (issue #7)."""
        try:
            return str(SignalKind(self.kind).label)
        except ValueError:  # a kind no longer offered: shown as stored, as Django's would
            return self.kind

    @property
    def text(self) -> str:
        from django.utils.translation import gettext

        from .constants import SelfReportKind

        params = dict(self.params or {})
        if "report_kind" in params:
            with contextlib.suppress(ValueError):
                params["report_kind"] = str(SelfReportKind(params["report_kind"]).label)
        try:
            return gettext(self.message) % params if params else gettext(self.message)
        except (KeyError, ValueError, TypeError):
            return self.message


class WorkServiceFollowUp(TimeStampedModel):
    """The work service follows the youth at work from outflow until it records the end.

    Its contract-end signals (R-NZ-5) go on after the school's aftercare has ended, for as long
    as this follow-up runs.
    """

    case = models.OneToOneField(
        "route.Case", on_delete=models.CASCADE, related_name="work_service_follow_up"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField(_("follow-up started on"))
    ended_on = models.DateField(_("follow-up ended on"), null=True, blank=True)
    end_reason = models.TextField(_("why the follow-up ended"), blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("follow-up by the work service")
        verbose_name_plural = _("follow-ups by the work service")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="follow_up_end_after_start",
            ),
        ]


class FollowUpContact(TimeStampedModel):
    """A follow-up contact of the work service's client manager with the youth or the employer."""

    case = models.ForeignKey(
        "route.Case", on_delete=models.CASCADE, related_name="follow_up_contacts"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    contact_on = models.DateField(_("date of contact"))
    with_whom = models.CharField(_("with whom"), max_length=20, choices=FollowUpWith.choices)
    situation = models.CharField(_("situation"), max_length=32, choices=Situation.choices)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("follow-up contact")
        verbose_name_plural = _("follow-up contacts")
        ordering = ["-contact_on", "-id"]


class MonitoringNote(TimeStampedModel):
    """The RMC's own note on a youth it monitors (R-RMC-1; domain: RMC may change monitoring notes)."""

    case = models.ForeignKey(
        "route.Case", on_delete=models.CASCADE, related_name="monitoring_notes"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    noted_on = models.DateField(_("date"))
    text = models.TextField(_("note"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("monitoring note")
        verbose_name_plural = _("monitoring notes")
        ordering = ["-noted_on", "-id"]
