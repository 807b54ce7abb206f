"""The forms on the employer pages; each one feeds exactly one service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from routearbeid.core.forms import StyledForm


class EmployerForm(StyledForm):
    """employment.services.employer_create: the KvK number has 8 digits and is unique."""

    name = forms.CharField(label=_("Name of the employer"), max_length=200)
    kvk_number = forms.CharField(
        label=_("KvK number"),
        max_length=20,
        help_text=_("8 digits, as in the Chamber of Commerce register."),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("E-mail of the contact person"), required=False)
    contact_phone = forms.CharField(
        label=_("Phone of the contact person"), max_length=30, required=False
    )
    sector = forms.CharField(label=_("Sector"), max_length=100, required=False)
    place = forms.CharField(label=_("Place"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kvk_number"].widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "off"}
        )
        self.fields["contact_email"].widget.attrs["autocomplete"] = "off"
        self._describe()

    def _describe(self) -> None:
        """Point every input at its help text and its error message (the ids the template uses),
        also for an error the view adds after validation (a duplicate KvK number)."""
        errors = getattr(self, "_errors", None) or {}
        for name, field in self.fields.items():
            auto_id = self[name].auto_id
            ids = [f"{auto_id}-help"] if field.help_text else []
            if name in errors:
                ids.append(f"{auto_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def full_clean(self):
        super().full_clean()
        self._describe()

    def add_error(self, field, error):
        super().add_error(field, error)
        self._describe()

    def clean_kvk_number(self) -> str:
        value = "".join(self.cleaned_data["kvk_number"].split())
        if not (len(value) == 8 and value.isdigit()):
            raise forms.ValidationError(_("A KvK number has 8 digits."))
        return value
