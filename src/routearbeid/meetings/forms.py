"""The forms of the outflow-meeting screens; each one feeds exactly one service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from routearbeid.core.dates import add_years, today
from routearbeid.core.forms import StyledForm, date_field
from routearbeid.route.constants import OutflowProfile
from routearbeid.route.forms import ChoiceByPk, model_choices


class MeetingForm(StyledForm):
    """A StyledForm that can list its field errors together (announced with role=alert)."""

    @property
    def field_errors(self) -> list[tuple]:
        """(field, message) for every error of a field, for the summary announced above the form."""
        return [
            (self[name], message)
            for name, errors in self.errors.items()
            if name != "__all__"
            for message in errors
        ]


class MeetingPlanForm(MeetingForm):
    region = ChoiceByPk(label=_("Region"))
    scheduled_on = date_field(_("Date"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        regions = list(regions)
        field = self.fields["region"]
        field.choices = model_choices(regions)
        if len(regions) == 1:
            # One region: nothing to choose, the field travels along unseen.
            field.widget = forms.HiddenInput()
            self.initial.setdefault("region", regions[0].pk)

    def clean_scheduled_on(self):
        # A meeting is planned ahead, or entered afterwards within the school year it was held
        # in; a date long past (01-01-1999) is a typing error. The screen and the API both bind
        # this form.
        scheduled_on = self.cleaned_data["scheduled_on"]
        if scheduled_on < add_years(today(), -1):
            raise forms.ValidationError(
                _("An outflow meeting cannot be planned more than a year in the past."),
                code="past",
            )
        return scheduled_on


class ParticipantForm(MeetingForm):
    organisation = ChoiceByPk(label=_("Organisation"))
    person_name = forms.CharField(label=_("Name"), max_length=200)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = model_choices(organisations)


class HoldForm(MeetingForm):
    held_on = date_field(_("Held on"))
    minutes = forms.CharField(
        label=_("Minutes"), widget=forms.Textarea, required=False, max_length=20000
    )


class MinutesForm(MeetingForm):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea, max_length=20000)


class AdviceForm(MeetingForm):
    organisation = ChoiceByPk(label=_("Organisation"))
    text = forms.CharField(label=_("Advice"), widget=forms.Textarea, max_length=4000)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        organisations = list(organisations)
        self.fields["organisation"].choices = model_choices(organisations)
        if len(organisations) == 1:
            self.initial.setdefault("organisation", organisations[0].pk)


class DecisionForm(MeetingForm):
    outflow_profile = forms.ChoiceField(
        label=_("Outflow profile"), choices=[("", _("Choose…")), *OutflowProfile.choices]
    )
    # R-OVL-3: "work" needs the reason why further education is not (now) the better option;
    # another profile withdraws the case with this reason (R-OVL-4).
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea,
        max_length=4000,
        help_text=_("For work: why further education is not (now) the better option."),
    )


class ActionForm(MeetingForm):
    description = forms.CharField(label=_("Action"), max_length=300)
    owner_organisation = ChoiceByPk(label=_("Owner"))
    due_on = date_field(_("Due on"))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_organisation"].choices = model_choices(organisations)


class ActionDoneForm(MeetingForm):
    """Only the button (and the CSRF token): the action is in the URL."""
