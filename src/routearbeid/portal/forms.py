"""The youth's report form: what happened, an optional message and phone number."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from routearbeid.aftercare.constants import SelfReportKind
from routearbeid.core.phone import phone_field

# The five choices of the report page, in the youth's words (R-NZ-4).
KIND_CHOICES = [
    (SelfReportKind.LOST_JOB.value, pgettext_lazy("portal", "I lost my job")),
    (SelfReportKind.CONTRACT_ENDING.value, pgettext_lazy("portal", "My contract is ending")),
    (SelfReportKind.PROBLEMS_AT_WORK.value, pgettext_lazy("portal", "I have problems at work")),
    (SelfReportKind.BACK_TO_SCHOOL.value, pgettext_lazy("portal", "I want to go back to school")),
    (SelfReportKind.OTHER.value, pgettext_lazy("portal", "Something else")),
]
MESSAGE_MAX = 2000


class PortalReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What happened?"),
        choices=KIND_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what happened."),
            "invalid_choice": _("Choose what happened."),
        },
    )
    message = forms.CharField(
        label=_("Do you want to tell more?"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Your message is too long. Write at most 2000 letters.")},
    )
    contact_phone = forms.CharField(
        label=_("Your phone number"),
        help_text=_("The school calls or texts you on this number. For example 06 12345678."),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"max_length": _("This phone number is not right.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_contact_phone(self) -> str:
        return phone_field(self.cleaned_data.get("contact_phone", ""))
