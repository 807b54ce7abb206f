"""The privacy officer's search and log filters (GET forms)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from routearbeid.core.forms import StyledForm, date_field
from routearbeid.processing_log.models import Operation


class SubjectSearchForm(StyledForm):
    q = forms.CharField(
        label=_("Name, date of birth or PGN"),
        max_length=100,
        required=False,
        help_text=_("For example: Haddad, or 14-03-2007."),
    )


class LogFilterForm(StyledForm):
    since = date_field(_("From"), required=False)
    until = date_field(_("To"), required=False)
    organisation = forms.TypedChoiceField(
        label=_("Organisation"), coerce=int, required=False, empty_value=None
    )
    operation = forms.ChoiceField(
        label=_("Operation"),
        choices=[("", _("All operations")), *Operation.choices],
        required=False,
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [
            ("", _("All organisations")),
            *[(o.pk, o.name) for o in organisations],
        ]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period cannot be before its start."))
        return data
