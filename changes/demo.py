"""Demo change requests (seed_demo), built through the services so every step is on the timeline.
Idempotent: a change whose title exists is not created again. Windows around today; nothing is
dated after today except planned windows, which are plans."""

import datetime as dt
import logging

from django.utils import timezone

from accounts.models import User
from core.exceptions import DomainError
from tickets.models.reference import BusinessSystem

from . import services as svc
from .models import ChangeRequest, ChangeTemplate

logger = logging.getLogger(__name__)


def _window(days: int, hour: int, hours: int) -> tuple[dt.datetime, dt.datetime]:
    day = timezone.localdate() + dt.timedelta(days=days)
    start = dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())
    return start, start + dt.timedelta(hours=hours)


def _data(system: BusinessSystem, title: str, *, days: int, hour: int = 22, hours: int = 3, **extra) -> dict:
    start, end = _window(days, hour, hours)
    hosts = list(system.hosts.order_by("name").values_list("pk", flat=True)[:2])
    return {
        "title": title, "category": "normal", "risk": "medium", "business_systems": [system.pk], "hosts": hosts,
        "reason": "按运维计划实施，消除已知缺陷并提升稳定性。", "plan": "1. 变更前备份与快照\n2. 按步骤实施\n3. 逐项验证",
        "rollback_plan": "出现异常即按备份与快照回退，30 分钟内恢复。", "verification_plan": "业务拨测、日志与监控指标检查。",
        "window_start": start, "window_end": end, **extra,
    }


def seed() -> None:
    if not User.objects.filter(username="lead").exists():
        return
    u = {name: User.objects.get(username=name) for name in ("pm", "lead", "eng1", "eng2", "req1", "appr1")}
    systems = {s.name: s for s in BusinessSystem.objects.all()}
    platform = systems.get("城市管理综合执法大数据平台")
    cases = systems.get("执法办案管理系统")
    hotline = systems.get("接诉即办联动处置系统")
    portal = systems.get("门户网站")
    if not all((platform, cases, hotline, portal)):
        return

    def make(actor: User, data: dict, steps) -> None:
        if ChangeRequest.objects.filter(title=data["title"]).exists():
            return
        change = svc.change_create(actor=actor, data={**data, "implementers": [u["eng1"].pk]})
        try:
            for step in steps:
                step(change.pk)
        except DomainError as exc:  # e.g. a demo heavy-protection period freezes the window
            logger.info("demo change %s stopped: %s", change.number, exc.message)

    submit = lambda who: lambda pk: svc.change_submit(actor=who, change_id=pk)  # noqa: E731
    approve = lambda who, note="同意": lambda pk: svc.change_approve(actor=who, change_id=pk, comment=note)  # noqa: E731
    start = lambda who: lambda pk: svc.change_start(actor=who, change_id=pk)  # noqa: E731

    make(u["eng1"], _data(platform, "大数据平台数据库补丁升级", days=-10, expected_interruption_minutes=30), [
        submit(u["eng1"]), approve(u["lead"], "方案与回退完整"), approve(u["appr1"]), start(u["eng1"]),
        lambda pk: svc.change_complete(actor=u["eng1"], change_id=pk, outcome="successful", notes="按计划完成，中断 25 分钟"),
        lambda pk: svc.change_review(actor=u["lead"], change_id=pk, notes="实施顺利", lessons="补丁包提前在测试环境验证"),
    ])
    make(u["eng2"], _data(cases, "执法办案系统中间件版本升级", days=5, risk="high", expected_interruption_minutes=60), [
        submit(u["eng2"]), approve(u["lead"]), approve(u["appr1"]), approve(u["pm"], "高风险，已确认回退演练"),
    ])
    make(u["eng1"], _data(portal, "门户网站首页栏目调整", days=7, hour=20, hours=2, risk="low"), [
        submit(u["eng1"]), approve(u["lead"]),
    ])
    make(u["eng2"], _data(hotline, "接诉即办系统高危漏洞紧急修复", days=0, hour=1, hours=2, category="emergency",
                          risk="high", expected_interruption_minutes=10), [
        submit(u["eng2"]), approve(u["lead"], "紧急修复，先行实施"), start(u["eng2"]),
    ])
    template = ChangeTemplate.objects.filter(name="SSL 证书到期更换", active=True).first()
    if template is not None:
        start_at, end_at = _window(3, 14, 1)
        make(u["eng1"], {"title": template.name, "template": template.pk, "business_systems": [portal.pk], "reason": "证书将于本月底到期",
                         "window_start": start_at, "window_end": end_at}, [submit(u["eng1"])])
    make(u["req1"], {**_data(platform, "大数据平台新增数据接口白名单", days=12, hour=10, hours=1, risk="low"),
                     "hosts": []}, [])
