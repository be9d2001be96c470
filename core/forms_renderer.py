"""The form renderer: one look for every page form, and <select> written in Python.

Forms and fields render through the project's templates (`templates/forms/form.html`, `field.html`:
labels without colons, required marks, an error summary linking to the fields), so `{{ form }}` on any
page gives the same form the ticket page has.

Django renders every <option> through two small templates; a queue page's filter form has some 200
options (business systems, engineers, organisations), which cost more than the 25 ticket rows under it.
The HTML is the one Django's select.html / select_option.html / attrs.html would write: the same
attributes (True written bare, False left out), optgroups, escaped values and labels — except that
Django's empty choice "---------" reads 请选择.
"""

from django.db.models.fields import BLANK_CHOICE_DASH
from django.forms.renderers import TemplatesSetting
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

SELECT_TEMPLATE = "django/forms/widgets/select.html"
DASHES = BLANK_CHOICE_DASH[0][1]


def _label(option: dict):
    if option["label"] == DASHES and option["value"] in ("", None):
        return gettext("请选择")
    return option["label"]


def render_select(widget: dict) -> str:
    groups = []
    for group_name, options, _index in widget["optgroups"]:
        rendered = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((str(o["value"]), flatatt(o["attrs"]), _label(o)) for o in options),
        )
        groups.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, rendered) if group_name else rendered)
    return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]),
                       format_html_join("", "{}", ((g,) for g in groups)))


class OpsDeskFormRenderer(TemplatesSetting):
    """The project's template engine (so templates/forms/ is found; 'django.forms' is installed for
    Django's widget templates)."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"

    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE:
            return render_select(context["widget"])
        return super().render(template_name, context, request)
