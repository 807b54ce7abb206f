"""The forms on a youth's page; each one feeds exactly one service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from routearbeid.aftercare.constants import (
    NO_SITUATION_WITHOUT_CONTACT,
    FollowUpWith,
    ReportChannel,
    SelfReportKind,
    situation_without_contact,
)
from routearbeid.core.dates import today
from routearbeid.core.forms import StyledForm, date_field
from routearbeid.core.phone import phone_field
from routearbeid.employment.constants import (
    AbaOutcome,
    EmploymentKind,
    ProvisionKind,
    ProvisionStatus,
)

from .constants import HandoverForm, LegalBasis, Situation

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


CHOOSE = _("Choose…")


def model_choices(objects, empty=CHOOSE):
    return [("", empty), *[(str(o.pk), str(o)) for o in objects]]


CONSENT_BY_HELP = _("Only with consent: the youth, or the parent or guardian who gave it.")


def clean_legal_basis(form: forms.Form, data: dict) -> dict:
    """An exchange on consent records when and by whom it was given (the consent's date cannot
    be in the future); with the legal task, consent fields are not kept."""
    if data.get("legal_basis") == LegalBasis.CONSENT:
        given_on = data.get("consent_given_on")
        if given_on is None and "consent_given_on" not in form.errors:
            form.add_error("consent_given_on", _("With consent, give the date it was given."))
        elif given_on is not None and given_on > today():
            form.add_error("consent_given_on", _("The date of consent cannot be in the future."))
        if not (data.get("consent_given_by") or "").strip():
            form.add_error("consent_given_by", _("With consent, give who gave it."))
    return data


class ChoiceByPk(forms.ChoiceField):
    """A choice among objects offered to this user; cleans to the object's id (or None)."""

    def __init__(self, *, label, objects=(), required=True):
        super().__init__(label=label, required=required, choices=model_choices(objects))

    def clean(self, value):
        value = super().clean(value)
        return int(value) if value not in (None, "") else None


class OpenCaseForm(StyledForm):
    opened_on = date_field(_("Opening date"))


class InvolvementRequestForm(StyledForm):
    organisation = ChoiceByPk(label=_("Organisation"))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = model_choices(organisations)


class InvolvementRecordForm(StyledForm):
    organisation = ChoiceByPk(label=_("Organisation"))
    person_name = forms.CharField(label=_("Person involved"), max_length=200)
    involved_on = date_field(_("Date"))
    advice = forms.CharField(label=_("Advice"), widget=forms.Textarea, max_length=4000)
    legal_basis = forms.ChoiceField(
        label=_("Legal basis for sharing"),
        choices=LegalBasis.choices,
        initial=LegalBasis.LEGAL_TASK,
    )
    consent_given_on = date_field(
        _("Consent given on"), required=False, help_text=_("Only with consent as legal basis.")
    )
    consent_given_by = forms.CharField(
        label=_("Consent given by"),
        max_length=200,
        required=False,
        help_text=CONSENT_BY_HELP,
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = model_choices(organisations)

    def clean(self):
        return clean_legal_basis(self, super().clean())


class AgendaForm(StyledForm):
    meeting = ChoiceByPk(label=_("Outflow meeting"))

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = model_choices(meetings)


class AbaSubmitForm(StyledForm):
    submitted_on = date_field(_("Submitted to UWV on"))


class AbaUpdateForm(StyledForm):
    aba = forms.IntegerField(widget=forms.HiddenInput)
    received_on = date_field(_("Receipt confirmed by UWV on"), required=False)
    decided_on = date_field(_("Decision date"), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("No decision yet")), *AbaOutcome.choices],
        required=False,
    )


class AbaSkipForm(StyledForm):
    reason = forms.CharField(label=_("Why no ABA is filed"), widget=forms.Textarea, max_length=2000)


class PracticeRouteForm(StyledForm):
    on = date_field(_("Praktijkroute (wage value measurement) recorded on"))


class ProvisionForm(StyledForm):
    kind = forms.ChoiceField(label=_("Provision"), choices=ProvisionKind.choices)
    status = forms.ChoiceField(label=_("Status"), choices=ProvisionStatus.choices)
    status_on = date_field(_("Status date"))
    employment = ChoiceByPk(label=_("Job"), required=False)
    starts_on = date_field(_("Start date"), required=False)
    ends_on = date_field(_("End date"), required=False)
    doelgroepverklaring_requested_on = date_field(
        _("Doelgroepverklaring requested on"),
        required=False,
        help_text=_("For the LKV: within 3 months of the start of the job."),
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea, required=False, max_length=2000
    )

    def __init__(self, *args, employments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employment"].choices = model_choices(employments, _("No job"))


class HandoverRecordForm(StyledForm):
    receiving_organisation = ChoiceByPk(label=_("Receiving organisation"))
    receiving_person = forms.CharField(label=_("Receiving person"), max_length=200)
    handed_over_on = date_field(_("Date of the handover"))
    form = forms.ChoiceField(label=_("Form"), choices=HandoverForm.choices)
    legal_basis = forms.ChoiceField(label=_("Legal basis for sharing"), choices=LegalBasis.choices)
    consent_given_on = date_field(
        _("Consent given on"), required=False, help_text=_("Only with consent as legal basis.")
    )
    consent_given_by = forms.CharField(
        label=_("Consent given by"),
        max_length=200,
        required=False,
        help_text=CONSENT_BY_HELP,
    )
    purpose = forms.CharField(
        label=_("Purpose of sharing"), widget=forms.Textarea, required=False, max_length=2000
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiving_organisation"].choices = model_choices(organisations)

    def clean(self):
        return clean_legal_basis(self, super().clean())


class GuardiansForm(StyledForm):
    involved = forms.ChoiceField(
        label=_("Are parents or guardians involved?"), choices=YES_NO, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("If not: why not"), widget=forms.Textarea, required=False, max_length=2000
    )
    # not "(optional)" beside it: it is asked for when the answer is no
    reason.required_when = _("required when the answer is No")  # type: ignore[attr-defined]

    def clean(self):
        data = super().clean()
        # the service says so too; here the message is tied to the reason's field
        if data.get("involved") == "no" and not (data.get("reason") or "").strip():
            self.add_error(
                "reason", _("Give the reason why parents or guardians are not involved.")
            )
        return data


class EmploymentForm(StyledForm):
    """A job. The employer is chosen from a short list (`employer_options`: every employer while
    there are few, otherwise this case's and those of the recent jobs) or given by its KvK number; a
    list of every employer would be thousands of options on every youth page (issue #7)."""

    OFFERED = 50  # at most this many employers in the list

    employer = ChoiceByPk(label=_("Employer"), required=False)
    kvk_number = forms.CharField(
        label=_("Or its KvK number"),
        max_length=8,
        required=False,
        help_text=_("For an employer that is not in the list: its 8-digit KvK number."),
    )
    kind = forms.ChoiceField(label=_("Kind of contract"), choices=EmploymentKind.choices)
    starts_on = date_field(_("Start date"))
    ends_on = date_field(
        _("End date"), required=False, help_text=_("Required for a fixed-term contract.")
    )
    hours_per_week = forms.DecimalField(
        label=_("Hours per week"), min_value=1, max_value=60, decimal_places=1
    )
    training_institution = forms.CharField(
        label=_("Training institution"),
        max_length=200,
        required=False,
        help_text=_("Required for a dual track."),
    )
    enrolment_reference = forms.CharField(label=_("Enrolment"), max_length=100, required=False)

    def __init__(self, *args, employers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].choices = model_choices(employers)

    @classmethod
    def employer_options(cls, case) -> list:
        """At most OFFERED employers, by name: all of them while there are no more, otherwise
        this case's employers and those of the most recent jobs recorded anywhere (each a
        query that reads a few rows by an index)."""
        from routearbeid.employment.models import Employer, Employment

        few = list(Employer.objects.order_by("pk")[: cls.OFFERED + 1])
        if len(few) > cls.OFFERED:
            own = Employment.objects.filter(case=case).values_list("employer_id", flat=True)
            recent = Employment.objects.order_by("-id").values_list("employer_id", flat=True)
            ids = list(dict.fromkeys([*own, *recent[: cls.OFFERED * 2]]))[: cls.OFFERED]
            few = list(Employer.objects.filter(pk__in=ids))
        return sorted(few, key=lambda e: (e.name.casefold(), e.pk))

    def clean(self):
        from routearbeid.employment.models import Employer

        data = super().clean()
        kvk = (data.get("kvk_number") or "").strip()
        if kvk:
            if not (kvk.isascii() and kvk.isdigit() and len(kvk) == 8):
                self.add_error("kvk_number", _("A KvK number has 8 digits."))
                return data
            found = Employer.objects.filter(kvk_number=kvk).values_list("pk", flat=True).first()
            if found is None:
                self.add_error(
                    "kvk_number",
                    _(
                        "No employer with this KvK number is known. Check the number, or ask "
                        "the functional administrator to add the employer."
                    ),
                )
            elif data.get("employer") not in (None, found):
                self.add_error(
                    "kvk_number", _("This KvK number is of another employer than the one chosen.")
                )
            else:
                data["employer"] = found
        elif data.get("employer") is None and "employer" not in self.errors:
            self.add_error("employer", _("Choose the employer, or give its KvK number."))
        return data


class ExemptionForm(StyledForm):
    reference = forms.CharField(label=_("Reference of the decision"), max_length=100)
    decided_on = date_field(_("Decision date"))
    ends_on = date_field(_("End date"), help_text=_("At the latest 31 July of the school year."))


class OutflowForm(StyledForm):
    outflow_on = date_field(_("Outflow date"))
    deregistered_on = date_field(_("Deregistration by the school on"))


class WithdrawForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=2000)


class CheckinForm(StyledForm):
    check = forms.IntegerField(widget=forms.HiddenInput)
    recorded_on = date_field(_("Date of contact"))
    contact_made = forms.ChoiceField(
        label=_("Was there contact?"), choices=YES_NO, widget=forms.RadioSelect
    )
    situation = forms.ChoiceField(
        label=_("Situation"), choices=[("", _("Choose…")), *Situation.choices], required=False
    )
    # not "(optional)" beside it: the service asks for it when there was contact (R-NZ-2)
    situation.required_when = _("when there was contact")  # type: ignore[attr-defined]
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea, required=False, max_length=4000
    )
    follow_up = forms.CharField(label=_("Follow-up"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        # the service says so too (R-NZ-2); here the message is tied to the field
        if situation_without_contact(data.get("contact_made") != "no", data.get("situation")):
            self.add_error("situation", NO_SITUATION_WITHOUT_CONTACT)
        return data


class SelfReportForm(StyledForm):
    kind = forms.ChoiceField(label=_("What is it about?"), choices=SelfReportKind.choices)
    channel = forms.ChoiceField(
        label=_("How did the youth report?"),
        choices=[c for c in ReportChannel.choices if c[0] != ReportChannel.PORTAL],
    )
    message = forms.CharField(
        label=_("Message"), widget=forms.Textarea, required=False, max_length=2000
    )
    contact_phone = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
    )

    def clean_contact_phone(self) -> str:
        return phone_field(self.cleaned_data.get("contact_phone", ""))


class JobLossThreatForm(StyledForm):
    note = forms.CharField(label=_("What is going on?"), widget=forms.Textarea, max_length=2000)


class SignalResolveForm(StyledForm):
    signal = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("How was it resolved?"), max_length=2000)


class SignalAcknowledgeForm(StyledForm):
    signal = forms.IntegerField(widget=forms.HiddenInput)


class SignalRaiseForm(StyledForm):
    """The school asks the work service to contact the youth again (a signal raised by hand)."""

    note = forms.CharField(
        label=_("What should the work service know?"), widget=forms.Textarea, max_length=2000
    )
    person = ChoiceByPk(label=_("To a client manager"), required=False)
    due_on = date_field(_("Act by"), required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = model_choices(people, _("The whole work service"))


class FollowUpContactForm(StyledForm):
    contact_on = date_field(_("Date of contact"))
    with_whom = forms.ChoiceField(
        label=_("With whom"), choices=FollowUpWith.choices, widget=forms.RadioSelect
    )
    situation = forms.ChoiceField(label=_("Situation"), choices=[("", CHOOSE), *Situation.choices])
    next_step = forms.CharField(label=_("Next step"), max_length=300, required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea, required=False, max_length=4000
    )


class FollowUpEndForm(StyledForm):
    ended_on = date_field(_("Follow-up ended on"))
    reason = forms.CharField(label=_("Why does the follow-up end?"), max_length=2000)


class MonitoringNoteForm(StyledForm):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea, max_length=4000)
