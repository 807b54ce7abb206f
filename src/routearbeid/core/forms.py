"""Form pieces shared by the screens: NL Design System classes and Dutch date input."""

from django import forms

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"class": "utrecht-textbox utrecht-textbox--html-input ra-date", **(attrs or {})},
            format="%Y-%m-%d",
        )


def date_field(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
        help_text=help_text,
    )


class StyledForm(forms.Form):
    """Adds the Utrecht classes to every widget, and aria-invalid/aria-describedby on errors."""

    template_name = "core/_form.html"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = widget.attrs.get("class", "")
            if isinstance(widget, forms.Select):
                css += " utrecht-select utrecht-select--html-select"
            elif isinstance(widget, forms.Textarea):
                css += " utrecht-textarea utrecht-textarea--html-textarea"
                widget.attrs.setdefault("rows", 3)
            elif isinstance(widget, forms.CheckboxInput):
                css += " utrecht-checkbox utrecht-checkbox--html-input"
            elif isinstance(widget, forms.RadioSelect):
                pass
            elif "utrecht-textbox" not in css:
                css += " utrecht-textbox utrecht-textbox--html-input"
            widget.attrs["class"] = css.strip()

    def full_clean(self):
        # Mark invalid fields for assistive technology once the form has been validated
        # (not in __init__: subclasses still set their choices after super().__init__).
        super().full_clean()
        self._mark_invalid()

    def add_error(self, field, error):
        super().add_error(field, error)
        # also for an error the view adds after validation (a service's refusal of a date)
        self._mark_invalid()

    def _mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                field = self.fields[name]
                field_id = self[name].auto_id
                field.widget.attrs["aria-invalid"] = "true"
                # the same ids as Django's own (help text: _helptext), so the error is read out too
                described = [f"{field_id}_error"] + (
                    [f"{field_id}_helptext"] if field.help_text else []
                )
                field.widget.attrs["aria-describedby"] = " ".join(described)
