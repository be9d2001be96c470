"""Shared pieces of page forms. The look of every form is the renderer's (core/forms_renderer.py,
templates/forms/); this module holds what a form field needs beyond it."""

from django import forms


class GroupedOptionsMixin:
    """A select whose options name their group: `data-group` is the chosen object's `group_attr` (e.g. a
    host's business_system_id), and the select's `data-filter-by` names the form field holding the
    groups to show. static/js/opsdesk.js then offers only the options of the chosen groups; without
    scripts every option stays (labelled with its group) and the service refuses a mismatch."""

    def __init__(self, *args, group_attr: str, filter_by: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.group_attr = group_attr
        self.attrs["data-filter-by"] = filter_by

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-group"] = str(getattr(instance, self.group_attr))
        return option


class GroupedSelectMultiple(GroupedOptionsMixin, forms.SelectMultiple):
    pass


class GroupedSelect(GroupedOptionsMixin, forms.Select):
    pass
