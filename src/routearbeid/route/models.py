"""One youth's passage through Route Arbeid (the case), and the records the steps rest on."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from routearbeid.core.models import TimeStampedModel

from .constants import (
    BEFORE_OUTFLOW,
    ENDED_STAGES,
    HandoverForm,
    LegalBasis,
    OutflowProfile,
    Situation,
    Stage,
)


def kept_region() -> models.ForeignKey:
    """The region of the youth's school, kept on a row that is read by region (a case, a
    partner's link): filled on save, never edited, no index of its own (the rows' own indexes
    start with it)."""
    return models.ForeignKey(
        "organisations.Region",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
    )


class Case(TimeStampedModel):
    student = models.ForeignKey("students.Student", on_delete=models.PROTECT, related_name="cases")
    # The region of the youth's school, kept on the case as on a partner's link (KeptFromCase),
    # so that the RMC's monitoring list of a region (R-RMC-1) is read from one index instead of
    # walking the region's students to their cases (issue #7). Never edited: save() fills it; a
    # school moving to another region rewrites it (services.keep_link_regions).
    student_region = kept_region()
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.CONSULTATION
    )
    opened_on = models.DateField(_("opened on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    # Consultation (R-OVL-*)
    outflow_profile = models.CharField(
        _("outflow profile"), max_length=20, choices=OutflowProfile.choices, blank=True
    )
    profile_established_on = models.DateField(_("profile established on"), null=True, blank=True)
    education_first_reason = models.TextField(
        _("why further education is not (now) the better option"), blank=True
    )

    # ABA (R-ABA-1, R-ABA-2)
    aba_skip_reason = models.TextField(_("reason for not filing an ABA"), blank=True)
    target_group_register = models.BooleanField(_("in the doelgroepregister"), default=False)
    practice_route_on = models.DateField(
        _("praktijkroute (wage value measurement) recorded on"), null=True, blank=True
    )

    # Handover (R-HO-2)
    guardians_involved = models.BooleanField(
        _("parents or guardians involved"), null=True, blank=True
    )
    guardians_not_involved_reason = models.TextField(
        _("why parents or guardians are not involved"), blank=True
    )

    # Outflow and aftercare (R-UIT-3, R-NZ-7, R-RMC-1)
    outflow_on = models.DateField(_("outflow date"), null=True, blank=True)
    aftercare_ends_on = models.DateField(_("aftercare ends on"), null=True, blank=True)
    rmc_monitoring_ends_on = models.DateField(_("RMC monitoring ends on"), null=True, blank=True)
    last_known_situation = models.CharField(
        _("last known situation"), max_length=32, choices=Situation.choices, blank=True
    )
    last_contact_on = models.DateField(_("last contact on"), null=True, blank=True)

    # Stopping (R-END-1, R-OVL-4)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["stage", "student"]),
            models.Index(
                fields=["aftercare_ends_on"],
                condition=Q(stage="aftercare"),
                name="case_aftercare_end_idx",
            ),
            # R-RMC-1: a region's monitoring list (route.selectors.rmc_monitoring_q) in id
            # order (the API's list, CaseAccess.link_case_ids), its cases and students read from
            # the index alone. The last two are key columns rather than INCLUDE (which SQLite
            # lacks): after the unique id they change no order.
            models.Index(
                fields=["student_region", "id", "rmc_monitoring_ends_on", "student"],
                condition=Q(stage__in=[Stage.AFTERCARE, Stage.CLOSED]),
                name="case_rmc_region_idx",
            ),
        ]
        constraints = [
            # R-START-2: at most one case that is not closed or withdrawn
            models.UniqueConstraint(
                fields=["student"],
                condition=~Q(stage__in=[s.value for s in ENDED_STAGES]),
                name="case_one_open_per_student",
            ),
            models.CheckConstraint(
                condition=Q(outflow_on__isnull=True) | Q(outflow_on__gte=F("opened_on")),
                name="case_outflow_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(aftercare_ends_on__isnull=True)
                | Q(aftercare_ends_on__gt=F("outflow_on")),
                name="case_aftercare_end_after_outflow",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("opened_on")),
                name="case_end_after_opening",
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=[Stage.AFTERCARE, Stage.CLOSED])
                | Q(outflow_on__isnull=False),
                name="case_aftercare_has_outflow",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} ({self.get_stage_display()})"

    def save(self, *args, **kwargs):
        if self._state.adding or not self.student_region_id:
            # the student as the service loaded it (with the school), else one query
            self.student_region_id = self.student.school.region_id
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.stage not in ENDED_STAGES


class KeptFromCase(models.Model):
    """The youth and the region of the youth's school, kept on a partner's link to a case
    (an involvement, a handover) so that an organisation's cases and students are read from the
    link's own index (route.selectors.case_access, issue #7), without joining case, student and
    school for every link. Never edited: save() fills them from the case; a school moving to
    another region rewrites them (route.services.keep_link_regions)."""

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        db_index=False,
    )
    student_region = kept_region()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or not self.student_id:
            # the case as loaded by the service (student and school selected), else one query
            case = self.case  # type: ignore[attr-defined]
            self.student_id = case.student_id
            self.student_region_id = case.student.school.region_id
        super().save(*args, **kwargs)


class Involvement(TimeStampedModel, KeptFromCase):
    """A partner organisation's person involved in a case, with date and advice (R-OVL-2)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="involvements")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The school asks an organisation to take part; from then on that organisation sees the case.
    requested_on = models.DateField(_("requested on"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person_name = models.CharField(_("person"), max_length=200, blank=True)
    involved_on = models.DateField(_("date"), null=True, blank=True)
    advice = models.TextField(_("advice"), blank=True)
    legal_basis = models.CharField(
        _("legal basis"), max_length=20, choices=LegalBasis.choices, default=LegalBasis.LEGAL_TASK
    )
    consent_given_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_given_by = models.CharField(_("consent given by"), max_length=200, blank=True)
    # A request not yet answered when the case left the stages before aftercare (or asked for
    # after that) waits no longer: the worklist leaves it out. Kept from the case's stage, never
    # edited: save() sets it for a new request, services._set_stage on every change of stage;
    # the worklist then reads only the waiting requests from their index instead of passing
    # every unanswered request of withdrawn and finished cases (issue #7).
    request_lapsed = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("involvement")
        verbose_name_plural = _("involvements")
        indexes = [
            # case_access: an organisation's cases and students in a region, from the index
            # alone (issue #7)
            models.Index(
                fields=["organisation", "student_region", "student", "case"],
                name="involvement_org_region_idx",
            ),
            # the API's case list of a partner, in id order, a page at a time from the links
            # (CaseAccess.link_case_ids, issue #7)
            models.Index(
                fields=["organisation", "student_region", "case"],
                name="involvement_org_case_idx",
            ),
            # the werkvoorraad: the organisation's requests still waiting, oldest first (#7)
            models.Index(
                fields=["organisation", "requested_on", "id"],
                condition=Q(involved_on__isnull=True, request_lapsed=False),
                name="involvement_waiting_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation"], name="involvement_one_per_organisation"
            ),
            models.CheckConstraint(
                condition=~Q(legal_basis=LegalBasis.CONSENT) | Q(consent_given_on__isnull=False),
                name="involvement_consent_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.person_name}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.request_lapsed = self.case.stage not in BEFORE_OUTFLOW
        super().save(*args, **kwargs)


class Handover(TimeStampedModel, KeptFromCase):
    """The warm handover to the municipality (R-HO-1)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="handover")
    receiving_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    receiving_person = models.CharField(_("receiving person"), max_length=200)
    receiving_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handed_over_on = models.DateField(_("handover date"))
    form = models.CharField(_("form"), max_length=20, choices=HandoverForm.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    consent_given_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_given_by = models.CharField(_("consent given by"), max_length=200, blank=True)
    purpose = models.TextField(_("purpose of sharing"), blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A handover not yet accepted when its case ended (closed or withdrawn) waits no longer: the
    # receiving organisation's worklist leaves it out. Kept from the case's stage, never edited,
    # as Involvement.request_lapsed: save() sets it for a new handover, services._set_stage when
    # a case ends; the worklist reads only the waiting handovers from their index instead of
    # passing each one of ended cases.
    acceptance_lapsed = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("warm handover")
        verbose_name_plural = _("warm handovers")
        # case_access: the cases handed over to an organisation, and their students, in a
        # region, from the index alone (issue #7)
        indexes = [
            models.Index(
                fields=["receiving_organisation", "student_region", "student", "case"],
                name="handover_org_region_idx",
            ),
            # the API's case list of a partner, in id order (CaseAccess.link_case_ids)
            models.Index(
                fields=["receiving_organisation", "student_region", "case"],
                name="handover_org_case_idx",
            ),
            # the receiving organisation's worklist: handovers not accepted yet of its region's
            # youth, the longest waiting first (aftercare.selectors.my_handovers)
            models.Index(
                fields=["receiving_organisation", "student_region", "handed_over_on", "id"],
                condition=Q(accepted_on__isnull=True, acceptance_lapsed=False),
                name="handover_waiting_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(legal_basis=LegalBasis.CONSENT) | Q(consent_given_on__isnull=False),
                name="handover_consent_has_date",
            ),
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True) | Q(accepted_on__gte=F("handed_over_on")),
                name="handover_accepted_after_handover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receiving_person} ({self.handed_over_on})"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.acceptance_lapsed = self.case.stage in ENDED_STAGES
        super().save(*args, **kwargs)


def handover_of(case: Case) -> Handover | None:
    """The case's handover with its receiving organisation. From the case object when it was read
    with select_related("handover__receiving_organisation") (the youth's page reads it there once
    for all its parts, issue #7), else one query."""
    if Case.handover.is_cached(case):  # type: ignore[attr-defined]
        return getattr(case, "handover", None)
    return Handover.objects.filter(case=case).select_related("receiving_organisation").first()


class ExemptionDecision(TimeStampedModel):
    """Leerplicht's exemption decision (R-UIT-2)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exemptions")
    reference = models.CharField(_("reference"), max_length=100)
    decided_on = models.DateField(_("decision date"))
    ends_on = models.DateField(_("end date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("exemption decision")
        verbose_name_plural = _("exemption decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("decided_on")), name="exemption_end_after_decision"
            ),
        ]


class Deregistration(TimeStampedModel):
    """The school's deregistration of the youth (R-UIT-3)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="deregistration")
    deregistered_on = models.DateField(_("deregistration date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("deregistration")
        verbose_name_plural = _("deregistrations")


class TimelineEvent(models.Model):
    """R-END-2: every change to a case, with who, when and what. Append-only."""

    # Read per case, newest first, through the (case, -at) index; no other index on case or at
    # (each is one more write per event; issue #7).
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_index=False)
    at = models.DateTimeField(_("when"), auto_now_add=True)
    # Empty on what the system does by itself (a signal raised, a case closed): indexed only
    # where set (timeline_actor_idx, timeline_organisation_idx), which a person's or an
    # organisation's deletion reads; the daily raiser's events then write no entry in them.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=50)
    summary = models.CharField(_("what"), max_length=300)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["case", "-at"]),
            models.Index(
                fields=["actor"], condition=Q(actor__isnull=False), name="timeline_actor_idx"
            ),
            models.Index(
                fields=["organisation"],
                condition=Q(organisation__isnull=False),
                name="timeline_organisation_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.summary}"
