"""Admin forms with which a functional administrator adds people to their own organisations."""

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from .models import User


class OrganisationUserCreationForm(UserCreationForm):
    """A new person with a name and a password and nothing more: rights come only from the
    memberships added with it, never from staff status, groups or permissions."""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name", "email")


class MembershipFormSet(BaseInlineFormSet):
    """The memberships on a person's page; `membership_required` is set for an organisation's
    administrator, who must leave everyone they manage with at least one membership."""

    membership_required = False

    def clean(self) -> None:
        super().clean()
        if not self.membership_required or any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if (form.instance.pk or form.has_changed()) and not form.cleaned_data.get("DELETE")
        ]
        if not kept:
            # Without a membership in their organisations the person would drop out of the
            # administrator's sight: nobody but the platform's operator could find them again.
            raise forms.ValidationError(
                _(
                    "Give this person at least one membership in an organisation you manage. To "
                    "end someone's access, make the account inactive instead."
                ),
                code="membership_required",
            )
