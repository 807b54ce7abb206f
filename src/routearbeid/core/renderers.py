"""The form renderer (settings.FORM_RENDERER).

Forms and fields render through the project's own templates (settings.TEMPLATES, as Django's
TemplatesSetting does), so `core/_form.html` and any form template of ours keep working. The
widgets' templates (`django/forms/widgets/…`: every <input>, <select>, <option>, <textarea>,
radio) render through Django's own Jinja2 copies of them, which Django ships beside the Django
template versions and keeps producing the same markup. A page with many fields renders its
widgets two to three times faster that way: the outflow meeting's page spent half its time in
widget templates (docs/performance.md, "Fourth round"). The only difference in the output is
the line breaks between options and radios (Jinja2 drops a template's final newline), which HTML
does not show; core/tests/test_renderers.py compares the two renderers widget by widget.

Do not override a widget template under `templates/django/forms/widgets/`: this renderer would
not see it. Give the widget its own `template_name` outside that folder instead.
"""

from __future__ import annotations

from pathlib import Path

import django.forms
from django.forms.renderers import TemplatesSetting
from django.utils.functional import cached_property

WIDGETS = "django/forms/widgets/"


class FormRenderer(TemplatesSetting):
    @cached_property
    def widget_engine(self):
        from django.template.backends.jinja2 import Jinja2

        return Jinja2(
            {
                "APP_DIRS": False,
                "DIRS": [Path(django.forms.__file__).parent / "jinja2"],
                "NAME": "routearbeid-widgets",
                "OPTIONS": {},
            }
        )

    def get_template(self, template_name):
        if template_name.startswith(WIDGETS):
            return self.widget_engine.get_template(template_name)
        return super().get_template(template_name)
