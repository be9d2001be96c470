"""The form renderer: one look for every page form, and the per-field templates written in Python.

Forms and fields render through the project's templates (`templates/forms/form.html`, `field.html`:
labels without colons, required marks, an error summary linking to the fields), so `{{ form }}` on any
page gives the same form the ticket page has.

Django renders every <option> through two small templates; a queue page's filter form has some 200
options (business systems, engineers, organisations), which cost more than the 25 ticket rows under it.
The HTML is the one Django's select.html / select_option.html / attrs.html would write: the same
attributes (True written bare, False left out), optgroups, escaped values and labels — except that
Django's empty choice "---------" reads 请选择. Inputs, labels, empty error lists and our field.html
likewise: a filter
form of 16 fields rendered some 50 small templates (label.html, input.html, attrs.html, ul.html), each
written here as Django's template writes it (tests/core/test_forms_renderer.py compares the two).
"""

from django.db.models.fields import BLANK_CHOICE_DASH
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from .html import esc as conditional_escape

SELECT_TEMPLATE = "django/forms/widgets/select.html"
DASHES = BLANK_CHOICE_DASH[0][1]
# Widgets whose template is Django's input.html (included as it is): written in Python as well.
INPUT_TEMPLATES = frozenset(f"django/forms/widgets/{name}.html" for name in (
    "input", "text", "search", "date", "datetime", "time", "number", "email", "url", "password", "hidden", "checkbox", "tel"))
LABEL_TEMPLATE = "django/forms/label.html"
ERRORS_TEMPLATES = frozenset({"django/forms/errors/list/default.html", "django/forms/errors/list/ul.html"})


def _label(option: dict):
    if option["label"] == DASHES and option["value"] in ("", None):
        return gettext("请选择")
    return option["label"]


def _attrs(attrs: dict) -> str:
    """Django's attrs.html: True written bare, False left out, values as strings, escaped."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{conditional_escape(value)}"')
    return "".join(out)


def _flatatt(attrs: dict) -> str:
    """django.forms.utils.flatatt without format_html per attribute: key="value" pairs sorted, then the
    True ones bare, sorted; False and None left out."""
    pairs, bare = [], []
    for name, value in attrs.items():
        if isinstance(value, bool):
            if value:
                bare.append(name)
        elif value is not None:
            pairs.append((name, value))
    return "".join(f' {conditional_escape(k)}="{conditional_escape(v)}"' for k, v in sorted(pairs)) + "".join(
        f" {conditional_escape(k)}" for k in sorted(bare))


def render_select(widget: dict) -> str:
    """As the format_html version before it (flatatt's attribute order), a string built once."""
    esc = conditional_escape
    parts = [f'<select name="{esc(widget["name"])}"{_flatatt(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'<optgroup label="{esc(group_name)}">')
        for o in options:
            attrs = o["attrs"]
            parts.append(f'<option value="{esc(str(o["value"]))}"{_flatatt(attrs) if attrs else ""}>{esc(_label(o))}</option>')
        if group_name:
            parts.append("</optgroup>")
    parts.append("</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece escaped above


def render_input(widget: dict) -> str:
    """Django's input.html."""
    esc = conditional_escape
    value = "" if widget["value"] is None else f' value="{esc(widget["value"])}"'
    return mark_safe(f'<input type="{esc(widget["type"])}" name="{esc(widget["name"])}"{value}{_attrs(widget["attrs"])}>')  # noqa: S308


TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"


def render_textarea(widget: dict) -> str:
    """Django's textarea.html (the newline after the opening tag included, as browsers drop it)."""
    esc = conditional_escape
    value = esc(widget["value"]) if widget["value"] else ""
    return mark_safe(f'<textarea name="{esc(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>')  # noqa: S308


def render_label(context: dict) -> str:
    """Django's label.html."""
    label = conditional_escape(context["label"])
    if not context["use_tag"]:
        return mark_safe(label)  # noqa: S308
    tag = conditional_escape(context["tag"])
    return mark_safe(f"<{tag}{_attrs(context['attrs'] or {})}>{label}</{tag}>")  # noqa: S308


FIELD_TEMPLATE = "forms/field.html"


def render_field(field) -> str:
    """templates/forms/field.html, written in Python (the ticket page renders ten of them, the submit
    page more): the same text, newlines included. Keep the two in step; the test renders both."""
    esc = conditional_escape
    form_field = field.field
    errors = field.errors
    checkbox = field.widget_type == "checkbox"
    classes = "field" + (" check" if checkbox else "") + (
        " required" if form_field.required or getattr(form_field, "marked_required", False) else "") + (
        " has-error" if errors else "")
    help_text = (f'<div class="helptext" id="{esc(field.auto_id)}_helptext">{esc(field.help_text)}</div>'
                 if field.help_text else "")
    if checkbox:
        body = f'<label for="{esc(field.id_for_label)}">{esc(field)} {esc(field.label)}</label>\n{help_text}{esc(errors)}\n'
    elif field.use_fieldset:
        described = field.aria_describedby
        aria = f' aria-describedby="{esc(described)}"' if described else ""
        body = (f'<fieldset class="choices"{aria}><legend>{esc(field.label)}</legend>\n'
                f"{help_text}{esc(errors)}{esc(field)}</fieldset>\n")
    else:
        label = f'<label for="{esc(field.id_for_label)}">{esc(field.label)}</label>' if field.label else ""
        body = f"{label}\n{help_text}{esc(errors)}{esc(field)}\n"
    return mark_safe(f'<div class="{classes}">\n{body}</div>')  # noqa: S308 - every piece escaped


class OpsDeskFormRenderer(TemplatesSetting):
    """The project's template engine (so templates/forms/ is found; 'django.forms' is installed for
    Django's widget templates)."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"

    def render(self, template_name, context, request=None):
        # The small templates a page renders for every field, written in Python (a filter form of 16
        # fields rendered some 50 templates; tests/core/test_forms_renderer.py compares both ways).
        if template_name == SELECT_TEMPLATE:
            return render_select(context["widget"])
        if template_name in INPUT_TEMPLATES:
            return render_input(context["widget"])
        if template_name == TEXTAREA_TEMPLATE:
            return render_textarea(context["widget"])
        if template_name == LABEL_TEMPLATE:
            return render_label(context)
        if template_name == FIELD_TEMPLATE:
            return render_field(context["field"])
        if template_name in ERRORS_TEMPLATES and not context["errors"]:
            return ""
        return super().render(template_name, context, request)
