"""The error summary at the top of every page form (templates/forms/_summary.html)."""

from django import template

register = template.Library()


@register.inclusion_tag("forms/_summary.html")
def form_errors(form=None, formset=None) -> dict:
    """What a refused form says first: the messages that belong to no input (the form's, its hidden
    fields', the formset's), then the inputs to correct, each a link to it — their own messages stand
    beside them, so they are not repeated here."""
    messages: list[str] = []
    fields: list[tuple[str, str]] = []
    forms = [(None, form)] if form else []
    if formset:
        messages.extend(formset.non_form_errors())
        forms += [(n, row) for n, row in enumerate(formset, start=1)]
    for row, each in forms:
        if not each.is_bound or not each.errors:
            continue
        messages.extend(each.non_field_errors())
        for field in each.hidden_fields():
            messages.extend(field.errors)
        for field in each.visible_fields():
            if field.errors:
                fields.append((field.id_for_label, field.label, row))
    return {"messages": messages, "fields": fields}
