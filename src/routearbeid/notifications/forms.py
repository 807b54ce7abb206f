from django import forms
from django.utils.translation import gettext_lazy as _

from .constants import EmailMode


class PreferenceForm(forms.Form):
    email_mode = forms.ChoiceField(
        label=_("When do you want e-mail about signals?"),
        choices=EmailMode.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how you want to receive e-mail."),
            "invalid_choice": _("Choose how you want to receive e-mail."),
        },
    )


class CalendarForm(forms.Form):
    action = forms.ChoiceField(choices=[("renew", "renew"), ("revoke", "revoke")])
