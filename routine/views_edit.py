"""The routine pages that write: create and edit forms and the record pages' actions. Each view asks the
record kind's selector (routine.selectors.permissions) whether to offer the page, parses the form, calls
the one service the API calls too, and shows a domain error beside the fields it names
(core.exceptions.page_domain_error) with the input kept."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.exceptions import DomainError, NotFound, PermissionDenied, page_domain_error
from core.page_guard import page_refusal
from core.uploads import attachment_download

from . import forms
from .selectors import backups as backup_selectors
from .selectors import drills as drill_selectors
from .selectors import inspections as inspection_selectors
from .selectors import permissions
from .selectors import security as security_selectors
from .services import backups as backup_services
from .services import drills as drill_services
from .services import inspections as inspection_services
from .services import security as security_services
from .views import routine_page


def _allowed(action: str, actions: list[str]) -> None:
    """403 for a page the user's role may not use (the selector did not offer it)."""
    if action not in actions:
        raise DjangoPermissionDenied(_("您没有执行此操作的权限"))


def _refused(exc: DomainError, *, form=None, request=None) -> None:
    """A refusal by role is a 403 page; anything else is shown on the re-rendered form."""
    if isinstance(exc, PermissionDenied | NotFound):
        raise page_refusal(exc) from exc
    page_domain_error(exc, form=form, request=request)


def _place_row_errors(exc: DomainError, *, prefix: str, rows: list) -> None:
    """A service's "<prefix>.<i>.<field>" message belongs beside that field of the i-th filled formset row:
    moved there from `exc.fields`, so that what is left goes to the main form."""
    for key, msgs in list(exc.fields.items()):
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == prefix and parts[1].isdigit() and int(parts[1]) < len(rows):
            for message in msgs:
                rows[int(parts[1])].add_error(parts[2], str(message))
            del exc.fields[key]


def _form(request, *, form, title: str, back: str, submit: str, formset=None, confirm: str = "", intro: str = "",
          multipart: bool = False, status: int = 200):
    return render(request, "routine/form.html", {
        "form": form, "formset": formset, "title": title, "back": back, "submit": submit, "confirm": confirm,
        "intro": intro, "multipart": multipart,
    }, status=status)


# ---------------------------------------------------------------- backups


@routine_page
def backup_policy_create(request):
    _allowed("create", permissions.backup_policy_actions_for(user=request.user))
    form = forms.BackupPolicyForm(request.POST or None, user=request.user, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            policy = backup_services.backup_policy_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _refused(exc, form=form)
        else:
            messages.success(request, _("备份策略“%(name)s”已创建") % {"name": policy})
            return redirect(f"{reverse('routine-backups')}#policies")
    return _form(request, form=form, title=_("新建备份策略"), back=reverse("routine-backups"), submit=pgettext("button", "创建"))


@routine_page
def backup_policy_edit(request, pk: int):
    policy = backup_selectors.backup_policy_get_for_user(user=request.user, policy_id=pk)
    _allowed("update", permissions.backup_policy_actions_for(user=request.user, policy=policy))
    initial = {name: getattr(policy, name) for name in ("business_system", "name", "backup_object", "backup_type", "schedule",
                                                         "owner", "start_date", "active")}
    form = forms.BackupPolicyForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {name: value for name, value in form.cleaned_data.items() if name != "business_system"}
        try:
            backup_services.backup_policy_update(actor=request.user, policy=policy, **changes)
        except DomainError as exc:
            _refused(exc, form=form)
        else:
            messages.success(request, _("备份策略已保存"))
            return redirect(f"{reverse('routine-backups')}#policies")
    return _form(request, form=form, title=_("修改备份策略：%(name)s") % {"name": policy}, back=reverse("routine-backups"),
                 submit=_("保存"))


# ---------------------------------------------------------------- inspections


@routine_page
def inspection_setup(request):
    """The checklists with their items and the schedules that plan the rounds."""
    return render(request, "routine/inspection_setup.html", {
        "templates": inspection_selectors.inspection_template_list(user=request.user),
        "schedules": inspection_selectors.inspection_schedule_list_for_user(user=request.user),
        "may_template": "create" in permissions.inspection_template_actions_for(user=request.user),
        "may_schedule": "create" in permissions.inspection_schedule_actions_for(user=request.user),
    })


@routine_page
def inspection_template_create(request):
    _allowed("create", permissions.inspection_template_actions_for(user=request.user))
    form = forms.InspectionTemplateForm(request.POST or None)
    formset = forms.InspectionItemFormSet(request.POST or None, prefix="items")
    if request.method == "POST" and form.is_valid() & formset.is_valid():
        rows = [f for f in formset.forms if not f.is_blank()]
        items = [{k: v for k, v in f.cleaned_data.items()} for f in rows]
        try:
            inspection_services.inspection_template_create(actor=request.user, items=items, **form.cleaned_data)
        except DomainError as exc:
            _place_row_errors(exc, prefix="items", rows=rows)
            _refused(exc, form=form)
        else:
            messages.success(request, _("巡检模板已创建"))
            return redirect("routine-inspection-setup")
    return _form(request, form=form, formset=formset, title=_("新建巡检模板"), back=reverse("routine-inspection-setup"),
                 submit=pgettext("button", "创建"), intro=_("检查项按填写顺序编号；空行忽略。数值项至少填写上限或下限。"))


@routine_page
def inspection_schedule_create(request):
    _allowed("create", permissions.inspection_schedule_actions_for(user=request.user))
    templates = inspection_selectors.inspection_template_list(user=request.user).filter(active=True)
    form = forms.InspectionScheduleForm(request.POST or None, user=request.user, templates=templates,
                                        initial={"template": request.GET.get("template")})
    if request.method == "POST" and form.is_valid():
        try:
            inspection_services.inspection_schedule_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _refused(exc, form=form)
        else:
            messages.success(request, _("巡检计划已创建，调度程序将按计划生成巡检"))
            return redirect("routine-inspection-setup")
    return _form(request, form=form, title=_("新建巡检计划"), back=reverse("routine-inspection-setup"), submit=pgettext("button", "创建"))


# ---------------------------------------------------------------- security self-checks


@routine_page
def security_activity_create(request):
    _allowed("create", permissions.security_activity_actions_for(user=request.user))
    form = forms.SecurityActivityForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["systems"] = list(data["systems"])
        try:
            activity = security_services.security_activity_create(actor=request.user, **data)
        except DomainError as exc:
            _refused(exc, form=form)
        else:
            messages.success(request, _("安全自查已登记"))
            return redirect("routine-security-activity", activity.pk)
    return _form(request, form=form, title=_("登记安全自查"), back=reverse("routine-security-activities"), submit=_("登记"),
                 multipart=True)


@routine_page
def security_activity_detail(request, pk: int):
    activity = security_selectors.security_activity_get_for_user(user=request.user, activity_id=pk)
    actions = permissions.security_activity_actions_for(user=request.user, activity=activity)
    upload, importing, report = forms.ReportUploadForm(), forms.FindingImportForm(), None
    if request.method == "POST" and request.POST.get("action") == "import":
        _allowed("import_findings", actions)
        importing = forms.FindingImportForm(request.POST, request.FILES)
        if importing.is_valid():
            file = importing.cleaned_data["file"]
            if file.size > 10 * 1024 * 1024:  # as the API's import
                importing.add_error("file", _("文件不能超过 10 MB"))
            else:
                try:
                    report = security_services.findings_import(actor=request.user, activity=activity, name=file.name,
                                                               data=file.read(), partial=importing.cleaned_data["partial"])
                except DomainError as exc:
                    _refused(exc, form=importing)
                else:
                    text = _("新导入 %(created)s 行，已导入过 %(unchanged)s 行，有误 %(rejected)s 行。") % report["counts"]
                    if report["stored"]:
                        messages.success(request, text)
                    else:
                        messages.error(request, text + _("未导入任何记录。"))
    elif request.method == "POST":
        _allowed("attach_report", actions)
        upload = forms.ReportUploadForm(request.POST, request.FILES)
        if upload.is_valid():
            try:
                security_services.security_activity_report_attach(actor=request.user, activity_id=activity.pk,
                                                                  upload=upload.cleaned_data["file"])
            except DomainError as exc:
                _refused(exc, form=upload)
            else:
                messages.success(request, _("报告已上传"))
                return redirect("routine-security-activity", activity.pk)
    findings = security_selectors.finding_list_for_user(user=request.user).filter(activity=activity).order_by("-found_on", "-pk")
    return render(request, "routine/security_activity_detail.html", {
        "activity": activity, "actions": actions, "upload": upload, "importing": importing, "report": report,
        "findings": findings,
        "systems": list(activity.systems.all()),
    })


@routine_page
def security_activity_report(request, pk: int):
    """The report leaves only through core.uploads.attachment_download (audit row, no-store, sandbox)."""
    activity = security_selectors.security_activity_get_for_user(user=request.user, activity_id=pk)
    return attachment_download(
        actor=request.user, obj=activity, file=activity.report, filename=activity.report.name.rpartition("/")[2],
        content_type=security_services.security_activity_report_content_type(activity),
        detail=f"安全自查报告 {activity.title}",
    )


@routine_page
def finding_create(request):
    _allowed("create", permissions.finding_actions_for(user=request.user))
    activities = security_selectors.security_activity_list_for_user(user=request.user).order_by("-started_on", "-pk")
    form = forms.FindingForm(request.POST or None, user=request.user, activities=activities,
                             initial={"activity": request.GET.get("activity")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["hosts"] = list(data["hosts"])
        try:
            finding = security_services.finding_create(actor=request.user, **data)
        except DomainError as exc:
            _refused(exc, form=form)
        else:
            messages.success(request, _("安全问题已登记，整改期限 %(due)s") % {"due": f"{finding.due_on:%Y-%m-%d}"})
            return redirect("routine-finding", finding.pk)
    return _form(request, form=form, title=_("登记安全问题"), back=reverse("routine-findings"), submit=_("登记"),
                 intro=_("整改期限按等级自发现日期起以自然日计算。"))


@routine_page
def security_warning_create(request):
    _allowed("publish", permissions.security_warning_actions_for(user=request.user))
    form = forms.SecurityWarningForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            security_services.security_warning_publish(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _refused(exc, form=form)
        else:
            messages.success(request, _("预警通报已发布，已通知采购人"))
            return redirect("routine-security-warnings")
    return _form(request, form=form, title=_("发布预警通报"), back=reverse("routine-security-warnings"), submit=_("发布"),
                 confirm=_("发布后将通知采购人且不能撤回，确定发布？"))


@routine_page
def antivirus_sweep_create(request):
    _allowed("create", permissions.antivirus_sweep_actions_for(user=request.user))
    form = forms.AntivirusSweepForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            security_services.antivirus_sweep_record(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _refused(exc, form=form)
        else:
            messages.success(request, _("病毒查杀记录已登记"))
            return redirect("routine-antivirus")
    return _form(request, form=form, title=_("登记病毒查杀"), back=reverse("routine-antivirus"), submit=_("登记"))


# ---------------------------------------------------------------- drills


@routine_page
def drill_plan(request):
    _allowed("plan", permissions.drill_actions_for(user=request.user))
    form = forms.DrillPlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["systems"] = list(data["systems"])
        try:
            drill = drill_services.drill_plan(actor=request.user, **data)
        except DomainError as exc:
            _refused(exc, form=form)
        else:
            messages.success(request, _("演练已计划"))
            return redirect("routine-drill", drill.pk)
    return _form(request, form=form, title=_("计划演练"), back=reverse("routine-drills"), submit=_("保存计划"))


@routine_page
def drill_record(request, pk: int):
    drill = drill_selectors.drill_get_for_user(user=request.user, drill_id=pk)
    if "record" not in permissions.drill_actions_for(user=request.user, drill=drill):
        if request.method == "POST":  # stale or crafted: the table's own refusal (403, or the state's words)
            try:
                drill_services.DRILL_TRANSITIONS.check(action="record", user=request.user, obj=drill)
            except DomainError as exc:
                _refused(exc, request=request)
        return redirect("routine-drill", drill.pk)
    systems = drill.systems.all()
    form = forms.DrillRecordForm(request.POST or None)
    formset = forms.DrillProblemFormSet(request.POST or None, prefix="problems", form_kwargs={"systems": systems})
    if request.method == "POST" and form.is_valid() & formset.is_valid():
        rows = [f for f in formset.forms if not f.is_blank()]
        problems = [{"description": f.cleaned_data["description"], "business_system": f.cleaned_data["business_system"]}
                    for f in rows]
        try:
            drill_services.drill_record(actor=request.user, drill_id=drill.pk, problems=problems, **form.cleaned_data)
        except DomainError as exc:
            _place_row_errors(exc, prefix="problems", rows=rows)
            _refused(exc, form=form)
        else:
            messages.success(request, _("演练结果已登记，待采购人签认"))
            return redirect("routine-drill", drill.pk)
    return _form(request, form=form, formset=formset, title=_("登记演练结果：%(title)s") % {"title": drill.title},
                 back=reverse("routine-drill", args=[drill.pk]), submit=_("登记结果"),
                 confirm=_("登记后不能修改，确定登记演练结果？"),
                 intro=_("发现的问题各填一行（须为参演业务系统），登记后可逐条开工单；空行忽略。"))
