"""Real objects for the {placeholders} of the permission matrix, built through the services on first
use (a matrix entry only pays for the objects its path names: generating a report PDF is not free).

own_* belong to the requester's purchaser (or, for provider-side objects such as rosters, are ones
the requester's organisation may not see at all); other_* to another purchaser."""

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.utils import timezone

SH = ZoneInfo("Asia/Shanghai")
REPORT_MONTH = "2026-10"


class MatrixObjects(dict):
    """objects["own_ticket"] → the pk, built on first access; usable with str.format_map."""

    def __init__(self, users: dict, systems: dict, purchaser, other_purchaser):
        super().__init__()
        self.users, self.systems = users, systems
        self.purchaser, self.other_purchaser = purchaser, other_purchaser
        self._cache: dict[str, object] = {}

    def __missing__(self, key: str):
        builder: Callable | None = getattr(self, f"_{key}", None)
        if builder is None:
            raise KeyError(key)
        value = builder()
        self[key] = value
        return value

    def _once(self, name: str, build: Callable):
        if name not in self._cache:
            self._cache[name] = build()
        return self._cache[name]

    # --- reference ----------------------------------------------------------------------------------
    def _own_system(self):
        return self.systems["own"].pk

    def _other_system(self):
        return self.systems["other"].pk

    def _own_host(self):
        return self.systems["host"].pk

    def _other_host(self):
        return self.systems["other_host"].pk

    def _login_attempt(self):
        from axes.models import AccessAttempt

        return AccessAttempt.objects.create(
            username="someone", ip_address="192.0.2.50", user_agent="test", failures_since_start=9,
            attempt_time=timezone.now(), get_data="", post_data="", http_accept="", path_info="/accounts/login/",
        ).pk

    def _sla_policy(self):
        from tickets.models import SlaPolicy

        return SlaPolicy.objects.order_by("pk").first().pk

    def _change_template(self):
        from changes.models import ChangeTemplate

        return ChangeTemplate.objects.create(  # reference data kept by the admin; no service
            name="矩阵测试：日志清理", plan="清理 30 天前日志", rollback_plan="无需回退", verification_plan="检查磁盘"
        ).pk

    # --- routine ------------------------------------------------------------------------------------
    def backup_policy(self, side: str):
        import datetime as _dt

        from routine.services.backups import backup_policy_create

        def build():
            return backup_policy_create(
                actor=self.users["engineer"], business_system=self.systems[side], name=f"矩阵测试备份 {side}",
                backup_object="database", backup_type="incremental", schedule="每日", owner=self.users["engineer"],
                start_date=_dt.date(2026, 1, 1),
            ).pk

        return self._once(f"backup_policy:{side}", build)

    def _own_backup_policy(self):
        return self.backup_policy("own")

    def _other_backup_policy(self):
        return self.backup_policy("other")

    def inspection_round(self, side: str):
        def build():
            from routine.models import InspectionRound
            from routine.services.inspections import (
                inspection_rounds_plan,
                inspection_schedule_create,
                inspection_template_create,
            )

            template = self._once("inspection_template", lambda: inspection_template_create(
                actor=self.users["engineer"], name="矩阵测试巡检", scope="system", items=[{"label": "服务状态", "kind": "check"}]))
            schedule = inspection_schedule_create(
                actor=self.users["engineer"], template=template, business_system=self.systems[side], frequency="daily",
                time_of_day=dt.time(9, 0), start_date=dt.date(2026, 1, 1))
            day = timezone.localdate()
            inspection_rounds_plan(first_day=day, last_day=day)
            return InspectionRound.objects.get(schedule=schedule).pk

        return self._once(f"inspection_round:{side}", build)

    def _own_inspection_round(self):
        return self.inspection_round("own")

    def _other_inspection_round(self):
        return self.inspection_round("other")

    def _own_inspection_result(self):
        from routine.models import InspectionRound
        from routine.services.inspections import inspection_round_complete

        round_id = self.inspection_round("own")
        item = InspectionRound.objects.get(pk=round_id).schedule.template.items.get()
        inspection_round_complete(actor=self.users["engineer"], round_id=round_id, answers={item.pk: {"value": "ok"}})
        return InspectionRound.objects.get(pk=round_id).results.get().pk

    def finding(self, side: str):
        def build():
            from routine.services.security import finding_create, security_activity_create

            org = self.purchaser if side == "own" else self.other_purchaser
            activity = security_activity_create(
                actor=self.users["engineer"], kind="vuln_scan", title=f"矩阵测试扫描 {side}", organization=org, scope="全部",
                started_on=dt.date(2026, 1, 1), ended_on=dt.date(2026, 1, 2), people="矩阵")
            return finding_create(actor=self.users["engineer"], activity=activity, business_system=self.systems[side],
                                  title="矩阵测试问题", severity="low", found_on=dt.date(2026, 1, 2)).pk

        return self._once(f"finding:{side}", build)

    def _own_finding(self):
        return self.finding("own")

    def _other_finding(self):
        return self.finding("other")

    def security_activity(self, side: str):
        """A self-check with its report attached (the download's matrix cells)."""

        def build():
            import io

            from routine.services.security import security_activity_create, security_activity_report_attach

            org = self.purchaser if side == "own" else self.other_purchaser
            activity = security_activity_create(
                actor=self.users["engineer"], kind="pentest", title=f"矩阵测试渗透 {side}", organization=org, scope="门户",
                started_on=dt.date(2026, 1, 1), ended_on=dt.date(2026, 1, 2), people="矩阵", systems=[self.systems[side]])
            upload = io.BytesIO(b"%PDF-1.4\n%%EOF\n")
            upload.name = "报告.pdf"
            return security_activity_report_attach(actor=self.users["engineer"], activity_id=activity.pk, upload=upload).pk

        return self._once(f"security_activity:{side}", build)

    def _own_security_activity(self):
        return self.security_activity("own")

    def _other_security_activity(self):
        return self.security_activity("other")

    def _own_risk_acceptance(self):
        from routine.services.security import finding_accept_risk_request

        return finding_accept_risk_request(actor=self.users["engineer"], finding_id=self.finding("own"), reason="矩阵测试").pk

    def drill(self, side: str, recorded: bool = False):
        def build():
            from routine.services.drills import drill_plan

            org = self.purchaser if side == "own" else self.other_purchaser
            return drill_plan(actor=self.users["engineer"], kind="emergency", title=f"矩阵测试演练 {side}", organization=org,
                              systems=[self.systems[side]], plan="方案", scenario="场景", planned_on=dt.date(2026, 1, 5),
                              rto_target_minutes=30, rpo_target_minutes=5, participants="矩阵").pk

        return self._once(f"drill:{side}", build)

    def _own_drill(self):
        return self.drill("own")

    def _other_drill(self):
        return self.drill("other")

    def _own_drill_problem(self):
        from routine.models import DrillProblem
        from routine.services.drills import drill_plan, drill_record

        drill = drill_plan(actor=self.users["engineer"], kind="emergency", title="矩阵测试演练（已登记）", organization=self.purchaser,
                           systems=[self.systems["own"]], plan="方案", scenario="场景", planned_on=dt.date(2026, 1, 6),
                           rto_target_minutes=30, rpo_target_minutes=5, participants="矩阵")
        drill_record(actor=self.users["engineer"], drill_id=drill.pk, rto_achieved_minutes=10, rpo_achieved_minutes=1, outcome="好",
                     problems=[{"description": "矩阵问题", "business_system": self.systems["own"]}])
        return DrillProblem.objects.get(drill=drill).pk

    # --- tickets ------------------------------------------------------------------------------------
    def ticket(self, side: str, severity: str = "P3"):
        from tickets.services.tickets import ticket_create

        def build():
            actor = self.users["requester" if side == "own" else "other_requester"]
            return ticket_create(actor=actor, title=f"矩阵测试工单 {side}", kind="fault", severity=severity,
                                 business_system=self.systems["own" if side == "own" else "other"])

        return self._once(f"ticket-{side}-{severity}", build)

    def _own_p1_ticket(self):
        return self.ticket("own", "P1").pk  # a P1 opens its downtime record: it has a downtime report

    def _other_p1_ticket(self):
        return self.ticket("other", "P1").pk

    def _own_rated_ticket(self):
        from tickets.models import SatisfactionFollowUp

        return SatisfactionFollowUp.objects.get(pk=self["own_follow_up"]).ticket_id

    def _other_rated_ticket(self):
        from tickets.models import SatisfactionFollowUp

        return SatisfactionFollowUp.objects.get(pk=self["other_follow_up"]).ticket_id

    def _own_ticket(self):
        return self.ticket("own").pk

    def _other_ticket(self):
        return self.ticket("other").pk

    def _attachment(self, side: str):
        from tickets.services.comments import ticket_attachment_add

        actor = self.users["requester" if side == "own" else "other_requester"]
        return ticket_attachment_add(actor=actor, ticket=self.ticket(side), name="日志.log", data="错误：超时\n".encode()).pk

    def _own_attachment(self):
        return self._attachment("own")

    def _other_attachment(self):
        return self._attachment("other")

    def _downtime(self, side: str):
        from tickets.services.downtime import downtime_record_create

        now = timezone.now()
        return downtime_record_create(
            actor=self.users["engineer"], ticket=self.ticket(side), start=now - dt.timedelta(hours=2),
            end=now - dt.timedelta(hours=1), reason="矩阵测试停机", now=now,
        ).pk

    def _own_downtime(self):
        return self._downtime("own")

    def _other_downtime(self):
        return self._downtime("other")

    def _follow_up(self, side: str):
        from tickets.models import SatisfactionFollowUp
        from tickets.services.satisfaction import ticket_rate
        from tickets.services.tickets import ticket_acknowledge, ticket_create, ticket_resolve

        requester = self.users["requester" if side == "own" else "other_requester"]
        engineer = self.users["engineer"]
        ticket = ticket_create(actor=requester, title="矩阵测试差评", kind="fault", severity="P3",
                               business_system=self.systems["own" if side == "own" else "other"])
        ticket_acknowledge(actor=engineer, ticket=ticket)
        ticket_resolve(actor=engineer, ticket=ticket, resolution="已处理")
        ticket_rate(actor=requester, ticket=ticket, score=1, comment="太慢")
        return SatisfactionFollowUp.objects.get(ticket=ticket).pk

    def _own_follow_up(self):
        return self._follow_up("own")

    def _other_follow_up(self):
        return self._follow_up("other")

    def _own_duplicate_ticket(self):
        """A second report of the own ticket's fault, made after it: mergeable into {own_ticket}."""
        from tickets.services.tickets import ticket_create

        self.ticket("own")
        return ticket_create(actor=self.users["requester"], title="矩阵测试重复工单", kind="fault", severity="P3",
                             business_system=self.systems["own"]).pk

    # --- exclusions ---------------------------------------------------------------------------------
    def exclusion(self, side: str, *, confirmed: bool = False):
        """The duty leader's request to cancel a new ticket of the side's purchaser (waiting for its
        approver), or the same request once that approver confirmed it."""

        def build():
            from tickets.services.exclusions import exclusion_decide, ticket_cancel
            from tickets.services.tickets import ticket_create

            requester, approver = ("requester", "approver") if side == "own" else ("other_requester", "other_approver")
            ticket = ticket_create(actor=self.users[requester], title=f"矩阵测试取消 {side}", kind="fault", severity="P3",
                                   business_system=self.systems[side])
            exclusion = ticket_cancel(actor=self.users["duty_leader"], ticket=ticket, reason="矩阵测试：重复报障")
            if confirmed:
                exclusion = exclusion_decide(actor=self.users[approver], exclusion=exclusion, action="confirm")
            return exclusion.pk

        return self._once(f"exclusion:{side}:{confirmed}", build)

    def _own_exclusion(self):
        return self.exclusion("own")

    def _other_exclusion(self):
        return self.exclusion("other")

    def _own_confirmed_exclusion(self):
        return self.exclusion("own", confirmed=True)

    # --- SLA floor: the PM's proposal to loosen a contract target for the side's purchaser -------------
    def sla_policy_change(self, side: str):
        def build():
            from tickets.models import SlaPolicy
            from tickets.services.policies import sla_policy_change_propose

            return sla_policy_change_propose(
                actor=self.users["project_manager"], policy=SlaPolicy.objects.get(name="故障定位并排除 30 分钟"),
                organization=self.purchaser if side == "own" else self.other_purchaser, target_minutes=60, pausable=False,
                active=True, effective_from=timezone.now() + dt.timedelta(days=1), reason=f"矩阵测试：放宽 {side}").pk

        return self._once(f"sla_policy_change:{side}", build)

    def _own_sla_policy_change(self):
        return self.sla_policy_change("own")

    def _other_sla_policy_change(self):
        return self.sla_policy_change("other")

    # --- changes ------------------------------------------------------------------------------------
    def _change(self, side: str):
        from changes.services import change_create

        window = timezone.now().astimezone(SH).replace(hour=22, minute=0, second=0, microsecond=0) + dt.timedelta(days=3)
        return change_create(actor=self.users["engineer"], data={
            "title": f"矩阵测试变更 {side}", "category": "normal", "risk": "medium",
            "business_systems": [self.systems["own" if side == "own" else "other"].pk],
            "hosts": [self.systems["host" if side == "own" else "other_host"].pk],
            "reason": "修复已知缺陷", "plan": "1. 备份 2. 升级", "rollback_plan": "回滚至备份",
            "verification_plan": "业务拨测", "expected_interruption_minutes": 30,
            "window_start": window, "window_end": window + dt.timedelta(hours=2),
            "internet_remote_access": False, "implementers": [self.users["engineer"].pk],
        }).pk

    def _own_change(self):
        return self._change("own")

    def _other_change(self):
        return self._change("other")

    # --- roster -------------------------------------------------------------------------------------
    def roster(self):
        from roster.services.members import duty_member_set
        from roster.services.rosters import PositionSpec, roster_create, roster_generate, roster_publish

        def build():
            boss = self.users["duty_leader"]
            members = [
                duty_member_set(actor=boss, user=self.users[name], positions=["engineer"], qualifications=[])
                for name in ("engineer", "engineer2", "tech_lead")
            ]
            start = timezone.localdate() + dt.timedelta(days=5)
            roster = roster_create(actor=boss, name="矩阵测试值班表", start_date=start, end_date=start + dt.timedelta(days=2),
                                   positions=[PositionSpec("full", "engineer", 1)], member_ids=[m.pk for m in members])
            roster_generate(actor=boss, roster_id=roster.pk)
            roster_publish(actor=boss, roster_id=roster.pk)
            roster.refresh_from_db()
            return roster

        return self._once("roster", build)

    def _roster(self):
        return self.roster().pk

    def _period(self):
        from roster.services.periods import period_create

        start = timezone.localdate() + dt.timedelta(days=20)
        return period_create(actor=self.users["duty_leader"], name="矩阵测试保障期", kind="other", start=start,
                             end=start + dt.timedelta(days=3)).pk

    def _seats(self):
        from roster.models import Assignment

        return list(Assignment.objects.filter(shift__roster=self.roster(), member__isnull=False)
                    .select_related("member__user", "shift").order_by("shift__start"))

    def _assignment(self):
        return self._seats()[0].pk

    def _swap(self):
        from roster.services.swaps import shift_swap_request

        seat = self._seats()[0]
        # A trade of two seats on different days keeps every rest rule intact.
        other = next(s for s in self._seats() if s.member_id != seat.member_id and s.shift_id != seat.shift_id)
        return shift_swap_request(actor=seat.member.user, assignment_id=seat.pk, counterpart_id=other.member_id,
                                  counterpart_assignment_id=other.pk, reason="家中有事").pk

    def _handover(self):
        from roster.services.duty import handover_submit

        seat = self._seats()[0]
        return handover_submit(actor=self.users["duty_leader"], shift_id=seat.shift_id, manual_items=["矩阵测试交接"]).pk

    def _roster_token(self):
        from roster.services.rosters import roster_feed_token_rotate

        return roster_feed_token_rotate(actor=self.users["duty_leader"], roster_id=self.roster().pk).ical_token

    def _revoked_roster_token(self):
        from roster.services.rosters import roster_feed_token_rotate

        old = roster_feed_token_rotate(actor=self.users["duty_leader"], roster_id=self.roster().pk).ical_token
        roster_feed_token_rotate(actor=self.users["duty_leader"], roster_id=self.roster().pk)
        return old

    def _member_token(self):
        from roster.services.members import member_feed_token_rotate

        member = self._seats()[0].member
        return member_feed_token_rotate(actor=member.user, member=member).ical_token

    def _revoked_member_token(self):
        from roster.services.members import member_feed_token_rotate

        member = self._seats()[0].member
        old = member_feed_token_rotate(actor=member.user, member=member).ical_token
        member_feed_token_rotate(actor=member.user, member=member, revoke=True)
        return old

    # --- monitoring ---------------------------------------------------------------------------------
    def integration(self, side: str):
        """(integration, token): an Alertmanager integration of the side's purchaser."""

        def build():
            from monitoring.services.integrations import integration_create

            org = self.purchaser if side == "own" else self.other_purchaser
            return integration_create(actor=self.users["project_manager"], name=f"矩阵测试监控 {side}", kind="alertmanager",
                                      organization=org, default_business_system=self.systems[side])

        return self._once(f"integration:{side}", build)

    def optimisation_finding(self, side: str):
        def build():
            from monitoring.models import OptimisationFinding
            from monitoring.services.utilisation import utilisation_import

            host = self.systems["host" if side == "own" else "other_host"]
            rows = "".join(f"{host.name},2026-11-0{day},内存,70,96\n" for day in (1, 2, 3))
            utilisation_import(actor=self.users["project_manager"], name="u.csv",
                               data=("主机,日期,指标,日均值（%）,日 P95（%）\n" + rows).encode())
            return OptimisationFinding.objects.get(host=host).pk

        return self._once(f"optimisation_finding:{side}", build)

    def _own_optimisation_finding(self):
        return self.optimisation_finding("own")

    def _other_optimisation_finding(self):
        return self.optimisation_finding("other")

    def _utilisation_threshold(self):
        from monitoring.models import UtilisationThreshold

        return UtilisationThreshold.objects.order_by("pk").first().pk

    def _own_integration(self):
        return self.integration("own")[0].pk

    def _other_integration(self):
        return self.integration("other")[0].pk

    def _integration_token(self):
        return self.integration("own")[1]

    def _rotated_integration_token(self):
        from monitoring.services.integrations import integration_rotate_token

        integration, old = self.integration("own")
        integration_rotate_token(actor=self.users["project_manager"], integration=integration)
        return old

    def _alert(self, side: str):
        """One firing alert received and processed (it opens a ticket) on the side's integration."""
        import json

        from monitoring.models import Alert
        from monitoring.services.intake import alert_batch_process, alert_batch_receive

        integration, _token = self.integration(side)
        body = json.dumps({"version": "4", "status": "firing", "alerts": [{
            "status": "firing", "labels": {"alertname": "矩阵测试告警", "severity": "critical"},
            "annotations": {"summary": f"矩阵测试告警 {side}"}, "startsAt": "2026-12-01T08:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z", "fingerprint": f"matrix-{side}",
        }]}).encode()
        batch = alert_batch_receive(integration=integration, body=body)
        alert_batch_process(batch_id=batch.pk)
        return Alert.objects.get(integration=integration).pk

    def _own_alert(self):
        return self._alert("own")

    def _other_alert(self):
        return self._alert("other")

    # --- reports ------------------------------------------------------------------------------------
    def contract(self, side: str):
        from tickets.models import Contract

        def build():
            org = self.purchaser if side == "own" else self.other_purchaser
            provider = Contract.objects.filter(purchaser=self.purchaser).first().provider
            return Contract.objects.create(name=f"矩阵测试合同 {side}", code=f"M-{side}", purchaser=org, provider=provider,
                                           start_date=dt.date(2026, 6, 27), end_date=dt.date(2027, 6, 26))

        return self._once(f"contract-{side}", build)

    def report(self, side: str):
        from reports.selectors.periods import parse_month
        from reports.services.monthly import monthly_report_generate, monthly_report_issue, monthly_report_request

        def build():
            report = monthly_report_request(actor=self.users["project_manager"], contract=self.contract(side),
                                            period=parse_month(REPORT_MONTH))
            monthly_report_generate(report_id=report.pk)
            return monthly_report_issue(actor=self.users["project_manager"], report_id=report.pk)  # customers see issued ones

        return self._once(f"report-{side}", build)

    def _own_report(self):
        return self.report("own").pk

    def _other_report(self):
        return self.report("other").pk

    def _package(self, side: str):
        from reports.selectors.periods import parse_month
        from reports.services.packages import acceptance_package_build, acceptance_package_request

        self.report(side)
        package = acceptance_package_request(actor=self.users["project_manager"], contract=self.contract(side),
                                             period=parse_month(REPORT_MONTH))
        return acceptance_package_build(package_id=package.pk).pk

    def _own_package(self):
        return self._package("own")

    def _other_package(self):
        return self._package("other")

    # --- assessments and remediation (issue 18) --------------------------------------------------------
    def _approver_of(self, side: str):
        return self.users["approver" if side == "own" else "other_approver"]

    def _own_receivable_package(self):
        return self._package("own")  # a further version nobody has received

    def assessment(self, side: str):
        """A received, not yet assessed package of `side`."""
        from reports.models import AcceptancePackage
        from reports.services.assessments import assessment_receive

        def build():
            package = AcceptancePackage.objects.get(pk=self._package(side))
            return assessment_receive(actor=self._approver_of(side), package=package)

        return self._once(f"assessment-{side}", build)

    def _own_assessment(self):
        return self.assessment("own").pk

    def _other_assessment(self):
        return self.assessment("other").pk

    def item(self, side: str):
        """An item of an assessed package of `side`, owned by the engineer and answered with an attachment."""
        import datetime as _dt
        import io

        from reports.models import AcceptancePackage
        from reports.services.assessments import assessment_assess, assessment_receive, remediation_item_answer

        def build():
            package = AcceptancePackage.objects.get(pk=self._package(side))
            approver = self._approver_of(side)
            assessment = assessment_receive(actor=approver, package=package)
            assessment_assess(actor=approver, assessment=assessment, verdict="remediate", comments="矩阵测试",
                              items=[{"title": "补齐台账", "owner": self.users["engineer"].pk,
                                      "deadline": timezone.localdate() + _dt.timedelta(days=7)}])
            item = assessment.items.get()
            evidence = io.BytesIO(b"%PDF-1.4 matrix")
            evidence.name = "evidence.pdf"
            answer = remediation_item_answer(actor=self.users["engineer"], item=item, text="已补齐", files=[evidence])
            return item, answer.attachments.get()

        return self._once(f"item-{side}", build)

    def _own_item(self):
        return self.item("own")[0].pk

    def _other_item(self):
        return self.item("other")[0].pk

    def _own_item_attachment(self):
        return self.item("own")[1].pk

    def _other_item_attachment(self):
        return self.item("other")[1].pk

    def _own_contract(self):
        return self.contract("own").pk

    def _own_final(self):
        """The purchaser's first (seeded, ended) contract, finally accepted, with its written opinion."""
        from reports.services.assessments import assessment_assess, assessment_final_receive, final_opinion_render
        from tickets.models import Contract

        def build():
            contract = Contract.objects.filter(purchaser=self.purchaser).order_by("start_date").first()
            approver = self.users["approver"]
            assessment = assessment_final_receive(actor=approver, contract=contract)
            assessment_assess(actor=approver, assessment=assessment, verdict="pass", comments="同意验收")
            return final_opinion_render(assessment_id=assessment.pk).pk

        return self._once("final-own", build)
