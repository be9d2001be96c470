"""The generate forms of the report and package lists: a month's, a quarter's or the contract's service
year's version. They only parse input; the period's rules (format, not before it has begun, the contract
the user may see) are reports.selectors.periods' and the services', whose errors come back beside the
fields through core.exceptions.page_domain_error."""

from django import forms
from django.utils.translation import gettext_lazy as _

KINDS = ("month", "quarter", "year")


class GenerateForm(forms.Form):
    kind = forms.CharField(widget=forms.HiddenInput)
    contract = forms.TypedChoiceField(label=_("合同"), coerce=int)
    month = forms.CharField(label=_("月份（YYYY-MM）"), max_length=7, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    quarter = forms.CharField(label=_("季度（YYYY-Qn）"), max_length=7)

    def __init__(self, data=None, *, kind: str, contracts=(), **kwargs):
        super().__init__(data, auto_id=f"g-{kind}-%s", **kwargs)
        self.period_kind = kind  # not `kind`: a template's form.kind is the hidden field
        self.fields["kind"].initial = kind
        # The ids the pages and their journeys know: #g-month, #g-quarter (the period input of its form).
        for name in ("month", "quarter"):
            if name != kind:
                del self.fields[name]
            else:
                self.fields[name].widget.attrs["id"] = f"g-{kind}"
        field = self.fields["contract"]
        if kind == "year":
            field.label = _("合同服务年度")
        # Renewals share a name: the service year tells them apart.
        field.choices = [(c.pk, f"{c.code} · {c.name}（{c.start_date:%Y-%m-%d} {_('至')} {c.end_date:%Y-%m-%d}）")
                         for c in contracts]

    def period_input(self) -> dict:
        """What reports.selectors.periods.parse_report_period reads."""
        return {"kind": self.cleaned_data.get("kind"), "month": self.cleaned_data.get("month"), "quarter": self.cleaned_data.get("quarter")}


def generate_forms(*, contracts, default_month: str, default_quarter: str, bound: GenerateForm | None = None) -> list:
    """The three forms of a list page, the refused one (`bound`) in its place with the input kept."""
    initial = {"month": {"month": default_month}, "quarter": {"quarter": default_quarter}, "year": {}}
    return [bound if bound is not None and bound.period_kind == kind else GenerateForm(kind=kind, contracts=contracts,
                                                                                  initial=initial[kind])
            for kind in KINDS]
