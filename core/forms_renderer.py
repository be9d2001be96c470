"""The form renderer: Django's own, except that <select> is written in Python.

Django renders every <option> through two small templates; a queue page's filter form has some 200
options (business systems, engineers, organisations), which cost more than the 25 ticket rows under it.
The HTML is the one Django's select.html / select_option.html / attrs.html would write: the same
attributes (True written bare, False left out), optgroups, escaped values and labels.
"""

from django.forms.renderers import DjangoTemplates
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

SELECT_TEMPLATE = "django/forms/widgets/select.html"


def render_select(widget: dict) -> str:
    groups = []
    for group_name, options, _index in widget["optgroups"]:
        rendered = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((str(o["value"]), flatatt(o["attrs"]), o["label"]) for o in options),
        )
        groups.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, rendered) if group_name else rendered)
    return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]),
                       format_html_join("", "{}", ((g,) for g in groups)))


class OpsDeskFormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE:
            return render_select(context["widget"])
        return super().render(template_name, context, request)
