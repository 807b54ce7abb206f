"""Forms of the student import: the upload and the choice of columns."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from routearbeid.core.forms import StyledForm
from routearbeid.organisations.models import Organisation

from .importing import FIELDS, MAX_FILE_BYTES, MAX_ROWS, STUDENT_FIELD_LABELS, mapping_errors

NOT_IN_FILE = ""


class ImportUploadForm(StyledForm):
    school = forms.TypedChoiceField(label=_("School"), coerce=int)
    file = forms.FileField(
        label=_("File from the school administration"),
        help_text=_(
            "A CSV file (comma or semicolon) or an Excel file (.xlsx) exported from Magister or "
            "Somtoday, with the column names in row 1. At most %(mb)s MB and %(rows)s rows."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.txt,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, schools: Sequence[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        school = self.fields["school"]
        assert isinstance(school, forms.ChoiceField)
        choices = [(s.pk, s.name) for s in schools]
        self.only_school = schools[0].pk if len(schools) == 1 else None
        if self.only_school is not None:
            # One school: nothing to choose (clean_school gives it).
            school.choices = choices
            school.required = False
            school.widget = forms.HiddenInput()
        else:
            school.choices = [("", _("Choose a school")), *choices]
        self.fields["file"].help_text = self.fields["file"].help_text % {
            "mb": MAX_FILE_BYTES // (1024 * 1024),
            "rows": number_format(MAX_ROWS, force_grouping=True),
        }
        self.fields["file"].error_messages["required"] = _("Choose the file to import.")
        self.fields["file"].error_messages["empty"] = _("The file is empty.")
        self.fields["school"].error_messages["required"] = _("Choose the school.")

    def clean_school(self):
        if self.only_school is not None:
            return self.only_school
        return self.cleaned_data["school"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is larger than %(mb)s MB. Export fewer columns or fewer students "
                    "at once."
                )
                % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload


class ImportMappingForm(StyledForm):
    """One choice per student field: which column of the file holds it."""

    def __init__(self, *args, headers: Sequence[str], initial_mapping: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = list(headers)
        columns = [
            (str(i), name or _("Column %(n)s") % {"n": i + 1}) for i, name in enumerate(headers)
        ]
        for f in FIELDS:
            initial = initial_mapping.get(f.key)
            self.fields[f.key] = forms.ChoiceField(
                label=str(f.label),
                required=f.required,
                choices=[(NOT_IN_FILE, _("— not in the file —")), *columns],
                initial=NOT_IN_FILE if initial is None else str(initial),
                help_text=str(f.help_text),
                error_messages={
                    "required": _("Choose the column that holds the %(field)s.")
                    % {"field": STUDENT_FIELD_LABELS.get(f.key, f.label)}
                },
            )
        # StyledForm styled the fields present at its __init__; these came after.
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "utrecht-select utrecht-select--html-select"

    def mapping(self) -> dict[str, int | None]:
        return {
            f.key: int(self.cleaned_data[f.key]) if self.cleaned_data.get(f.key) else None
            for f in FIELDS
        }

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for error in mapping_errors(self.mapping(), len(self.headers)):
                self.add_error(None, error)
        return cleaned
