"""Pages of the purchaser's assessments and the remediation items: receipt of an issued package (on the
package's page), the assessment with its items, the final acceptance, each item with its answers and
evidence, and the purchaser's close / return. Each page calls the selectors and services the API calls."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from changes.selectors import change_list_for_user
from core.exceptions import DomainError, NotFound, PermissionDenied, ValidationFailed, page_domain_error
from core.page_guard import signed_in_page
from core.uploads import attachment_download
from tickets.selectors.tickets import ticket_list_for_user

from .apis_assessments import opinion_response
from .forms_assessments import (
    AnswerForm,
    AssessForm,
    CloseForm,
    FinalReceiveForm,
    ReceiveForm,
    ReturnForm,
    item_formset,
    numbers,
)
from .models import AcceptancePackage, Assessment, RemediationItem
from .selectors.access import contract_get_for_user, contract_list_for_reports, package_get_for_user
from .selectors.assessments import (
    assessment_actions_for,
    assessment_events,
    assessment_for_package,
    assessment_get_for_user,
    assessment_list_for_user,
    package_may_be_received,
    package_pipeline,
    remediation_answers,
    remediation_attachment_get_for_user,
    remediation_item_actions_for,
    remediation_item_get_for_user,
    remediation_item_list_for_user,
    remediation_item_overdue,
    remediation_items_open,
    remediation_items_overdue,
    remediation_open_for_user,
    user_is_purchaser_approver,
)
from .services.assessments import (
    assessment_assess,
    assessment_final_receive,
    assessment_receive,
    remediation_item_answer,
    remediation_item_close,
    remediation_item_return,
)

PAGE_SIZE = 30


def _page_error(request, exc: DomainError, form=None) -> None:
    """403 / 404 escape as such (signed_in_page turns them into the error pages); any other refusal is
    shown beside the form's fields and once as a message."""
    if isinstance(exc, PermissionDenied | NotFound):
        raise exc
    page_domain_error(exc, form=form, request=request if form is None else None)


# --- the dashboard ------------------------------------------------------------------------------------
def dashboard_assessment_context(*, user, now) -> dict:
    """The /reports/ dashboard's package pipeline (generated / issued / received / assessed against the
    15th) and open remediation items."""
    return {"pipeline": package_pipeline(user=user, now=now),
            "remediation": remediation_open_for_user(user=user, now=now, limit=10)}


# --- the package's page -------------------------------------------------------------------------------
def package_assessment_context(request, package: AcceptancePackage) -> dict:
    """What the package page shows of its assessment, and the receipt form for the owning purchaser."""
    may_receive = package_may_be_received(user=request.user, package=package)
    return {
        "assessment": assessment_for_package(user=request.user, package=package),
        "may_receive": may_receive,
        "receive_form": ReceiveForm(initial={"received_on": timezone.localdate()}) if may_receive else None,
    }


@require_POST
@signed_in_page
def package_receive(request, pk: int):
    package = package_get_for_user(user=request.user, package_id=pk)
    form = ReceiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("签收日期格式有误"))
        return redirect("reports-package-detail", pk=pk)
    try:
        assessment = assessment_receive(actor=request.user, package=package, received_on=form.cleaned_data["received_on"])
    except DomainError as exc:
        _page_error(request, exc)
        return redirect("reports-package-detail", pk=pk)
    messages.success(request, _("已签收 %(m)s 查验材料，请评定") % {"m": f"{package.month:%Y-%m}"})
    return redirect("reports-assessment-detail", pk=assessment.pk)


# --- assessments --------------------------------------------------------------------------------------
@signed_in_page
def assessment_list(request):
    rows = assessment_list_for_user(user=request.user).order_by("-received_at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    final_form = None
    if user_is_purchaser_approver(request.user):
        final_form = FinalReceiveForm(contracts=contract_list_for_reports(user=request.user),
                                      initial={"received_on": timezone.localdate()})
    return render(request, "reports/assessments.html", {"page": page, "final_form": final_form})


@require_POST
@signed_in_page
def assessment_final_open(request):
    contracts = contract_list_for_reports(user=request.user)
    form = FinalReceiveForm(request.POST, contracts=contracts)
    if form.is_valid():
        try:
            contract = contract_get_for_user(user=request.user, contract_id=form.cleaned_data["contract"])
            assessment = assessment_final_receive(actor=request.user, contract=contract,
                                                  received_on=form.cleaned_data["received_on"])
        except DomainError as exc:
            _page_error(request, exc, form)
        else:
            messages.success(request, _("已开始终验，请评定"))
            return redirect("reports-assessment-detail", pk=assessment.pk)
    rows = assessment_list_for_user(user=request.user).order_by("-received_at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(1)
    return render(request, "reports/assessments.html", {"page": page, "final_form": form}, status=400)


def _assessment_page(request, assessment: Assessment, *, form=None, formset=None, status: int = 200):
    actions = assessment_actions_for(user=request.user, assessment=assessment)
    if "assess" in actions and form is None:
        form, formset = AssessForm(), item_formset()
    today = timezone.localdate()
    items = [{"item": item, "overdue": remediation_item_overdue(item, today=today)}
             for item in assessment.items.select_related("owner").order_by("number")]
    return render(request, "reports/assessment_detail.html", {
        "assessment": assessment, "items": items, "events": assessment_events(assessment=assessment),
        "form": form if "assess" in actions else None, "formset": formset,
    }, status=status)


@signed_in_page
def assessment_detail(request, pk: int):
    assessment = assessment_get_for_user(user=request.user, assessment_id=pk)
    if request.method != "POST":
        return _assessment_page(request, assessment)
    form, formset = AssessForm(request.POST), item_formset(request.POST)
    if form.is_valid() and formset.is_valid():
        items = [item for row in formset.forms if (item := row.item()) is not None]
        try:
            assessment_assess(actor=request.user, assessment=assessment, verdict=form.cleaned_data["verdict"],
                              comments=form.cleaned_data["comments"], items=items)
        except DomainError as exc:
            _page_error(request, exc, form)
        else:
            messages.success(request, _("评定已提交"))
            return redirect("reports-assessment-detail", pk=pk)
    return _assessment_page(request, assessment, form=form, formset=formset, status=400)


@signed_in_page
def assessment_opinion(request, pk: int):
    return opinion_response(request.user, assessment_get_for_user(user=request.user, assessment_id=pk))


# --- remediation items --------------------------------------------------------------------------------
FILTERS = {"open": gettext_lazy("未关闭"), "overdue": gettext_lazy("已逾期"), "answered": gettext_lazy("待采购人确认"), "closed": gettext_lazy("已关闭"), "all": gettext_lazy("全部")}


@signed_in_page
def remediation_list(request):
    show = request.GET.get("show") if request.GET.get("show") in FILTERS else "open"
    today = timezone.localdate()
    rows = remediation_item_list_for_user(user=request.user)
    if show == "open":
        rows = remediation_items_open(rows)
    elif show == "overdue":
        rows = remediation_items_overdue(rows, today=today)
    elif show in ("answered", "closed"):
        rows = rows.filter(state=show)
    page = Paginator(rows.order_by("deadline", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/remediation_list.html", {
        "page": page, "rows": [{"item": item, "overdue": remediation_item_overdue(item, today=today)} for item in page],
        "show": show, "filters": FILTERS,
    })


def _item_page(request, item: RemediationItem, *, forms: dict | None = None, status: int = 200):
    actions = remediation_item_actions_for(user=request.user, item=item)
    forms = forms or {}
    return render(request, "reports/remediation_detail.html", {
        "item": item, "overdue": remediation_item_overdue(item, today=timezone.localdate()),
        "answers": remediation_answers(item=item), "events": item.events.select_related("actor").order_by("at", "pk"),
        "answer_form": forms.get("answer", AnswerForm()) if "answer" in actions else None,
        "close_form": forms.get("close", CloseForm()) if "close" in actions else None,
        "return_form": forms.get("return", ReturnForm()) if "return" in actions else None,
    }, status=status)


def _ids_of(qs, wanted: list[str], field: str, label: str) -> list[int]:
    found = dict(qs.filter(number__in=wanted).values_list("number", "pk"))
    missing = [n for n in wanted if n not in found]
    if missing:
        raise ValidationFailed(fields={field: [_("%(what)s不存在：%(n)s") % {"what": label, "n": "、".join(missing)}]})
    return [found[n] for n in wanted]


@require_POST
@signed_in_page
def remediation_answer(request, pk: int):
    item = remediation_item_get_for_user(user=request.user, item_id=pk)
    form = AnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            tickets = _ids_of(ticket_list_for_user(user=request.user, for_display=False), numbers(form.cleaned_data["tickets"])[:50],
                              "tickets", _("工单"))
            changes = _ids_of(change_list_for_user(user=request.user), numbers(form.cleaned_data["changes"])[:50], "changes", _("变更"))
            remediation_item_answer(actor=request.user, item=item, text=form.cleaned_data["text"], tickets=tickets,
                                    changes=changes, files=form.cleaned_data["file"])
        except DomainError as exc:
            _page_error(request, exc, form)
        else:
            messages.success(request, _("整改答复已提交，等待采购人确认"))
            return redirect("reports-remediation-detail", pk=pk)
    return _item_page(request, item, forms={"answer": form}, status=400)


@require_POST
@signed_in_page
def remediation_close(request, pk: int):
    item = remediation_item_get_for_user(user=request.user, item_id=pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            remediation_item_close(actor=request.user, item=item, note=form.cleaned_data["note"])
        except DomainError as exc:
            _page_error(request, exc, form)
        else:
            messages.success(request, _("整改项已关闭"))
            return redirect("reports-remediation-detail", pk=pk)
    return _item_page(request, item, forms={"close": form}, status=400)


@require_POST
@signed_in_page
def remediation_return(request, pk: int):
    item = remediation_item_get_for_user(user=request.user, item_id=pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            remediation_item_return(actor=request.user, item=item, reason=form.cleaned_data["reason"],
                                    deadline=form.cleaned_data["deadline"])
        except DomainError as exc:
            _page_error(request, exc, form)
        else:
            messages.success(request, _("整改项已退回，服务商须重新整改"))
            return redirect("reports-remediation-detail", pk=pk)
    return _item_page(request, item, forms={"return": form}, status=400)


@signed_in_page
def remediation_item_detail(request, pk: int):
    return _item_page(request, remediation_item_get_for_user(user=request.user, item_id=pk))


@signed_in_page
def remediation_attachment(request, pk: int, attachment_id: int):
    attachment = remediation_attachment_get_for_user(user=request.user, item_id=pk, attachment_id=attachment_id)
    return attachment_download(actor=request.user, obj=attachment, filename=attachment.original_name,
                               content_type=attachment.content_type, detail=f"整改证据 {attachment.original_name}（页面）")
