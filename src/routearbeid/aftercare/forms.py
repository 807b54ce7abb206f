"""Forms of the worklist and the RMC's monitoring list."""

from django import forms
from django.utils.translation import gettext_lazy as _

from routearbeid.aftercare.constants import NO_SITUATION_WITHOUT_CONTACT, situation_without_contact
from routearbeid.core.forms import StyledForm, date_field
from routearbeid.route.constants import Situation


class CheckinQuickForm(StyledForm):
    """R-NZ-2 in a few clicks from the worklist: contact yes/no and the situation as radios."""

    recorded_on = date_field(_("Date of contact"))
    contact_made = forms.ChoiceField(
        label=_("Was there contact?"),
        choices=[("yes", _("Yes")), ("no", _("No, could not reach the youth"))],
        widget=forms.RadioSelect,
    )
    situation = forms.ChoiceField(
        label=_("Situation"), choices=Situation.choices, widget=forms.RadioSelect, required=False
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )
    follow_up = forms.CharField(label=_("Follow-up"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("contact_made") == "yes" and not data.get("situation"):
            self.add_error("situation", _("Choose the youth's situation."))
        if situation_without_contact(data.get("contact_made") != "no", data.get("situation")):
            self.add_error("situation", NO_SITUATION_WITHOUT_CONTACT)
        return data
