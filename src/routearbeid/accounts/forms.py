"""The forms of the login steps and the account page."""

from django import forms
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from routearbeid.core.forms import StyledForm


class CodeForm(StyledForm):
    """A six-digit code from the app, or (when allowed) a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        error_messages={"required": _("Enter the code.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, recovery_allowed: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = (
            _("The six digits your authenticator app shows now, or one of your recovery codes.")
            if recovery_allowed
            else _("The six digits your authenticator app shows now.")
        )
        if not recovery_allowed:
            self.fields["code"].widget.attrs["inputmode"] = "numeric"


class PasswordChangeForm(StyledForm, DjangoPasswordChangeForm):
    """Django's password change (old password, new twice, the password policy) in our style."""
