"""Benchmark: KPIs of a month of 10 000 tickets (target < 1 s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opsdesk_bench .venv/bin/python bench/kpis.py

Migrates the database named by DATABASE_URL, inserts one month of synthetic tickets with their SLA
clocks, downtime and ratings in a transaction (bulk inserts: this measures the reads, not the ticket
services), times `kpis_compute` and rolls everything back.
"""

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsdesk.settings.test")

import django

django.setup()

SH = ZoneInfo("Asia/Shanghai")
MONTH = dt.date(2026, 10, 1)
EVAL_AT = dt.datetime(2026, 11, 5, 10, 0, tzinfo=SH)
N = int(os.environ.get("BENCH_TICKETS", "10000"))


class Rollback(Exception):
    pass


# Shares of the realistic month (as seed_bench): kinds, still open / cancelled, clocks on time, ratings.
REALISTIC = {
    "kinds": [55, 8, 15, 22],
    "statuses": [77.65, 20, 0.35, 2],
    "on_time": {"response": 0.97, "resolve": 0.88, "restore": 0.88},
    "scores": ([5, 4, 3, 2, 1], [70, 20, 6, 3, 1]),
}
# Titles and system names of a realistic length (some wrap in the PDF's 20-character title column).
TITLES = ["云主机无法登录", "数据库连接超时，业务系统页面报错", "存储卷只读，应用写入失败", "防火墙策略变更后部分用户访问失败",
          "WAF 告警：疑似 SQL 注入攻击", "夜间批处理任务执行失败，次日报表数据缺失，需人工补跑并核对结果", "负载均衡健康检查失败",
          "对象存储上传速度慢"]
SYSTEMS = ["城管执法综合业务系统", "执法办案平台", "视频监控联网平台", "门户网站", "移动执法终端管理平台", "数据共享交换平台",
           "非现场执法系统", "公众投诉受理系统"]


def build_month(n: int = N, seed: int = 7, *, realistic: bool = False):
    """Insert n tickets reported in October 2026 with clocks, P1 downtime and ratings. By default the
    month is pathological (about half the clocks breached, 8 % still in progress); `realistic` uses
    seed_bench's shares (response on time 97 %, resolve 88 %; faults 55 %, security 8 %; 0.35 % open)
    and titles and system names of a realistic length."""
    from accounts.models import Organization, User
    from tickets.models import BusinessSystem, DowntimeRecord, SatisfactionRating, SlaClock, Ticket

    rnd = random.Random(seed)
    org = Organization.objects.get(name="北京市城市管理综合执法局")
    user = User.objects.create(username="bench-user", real_name="压测用户", organization=org)
    names = [f"{SYSTEMS[i % len(SYSTEMS)]}{i // len(SYSTEMS) or ''}" if realistic else f"压测系统{i}" for i in range(20)]
    systems = [BusinessSystem.objects.create(name=name, organization=org) for name in names]
    start = dt.datetime(2026, 10, 1, tzinfo=SH)
    kinds = REALISTIC["kinds"] if realistic else [60, 10, 15, 15]
    statuses = REALISTIC["statuses"] if realistic else [70, 20, 8, 2]
    tickets = []
    for i in range(n):
        reported = start + dt.timedelta(minutes=rnd.randrange(31 * 24 * 60))
        kind = rnd.choices(["fault", "security", "resource", "request"], kinds)[0]
        severity = rnd.choices(["P1", "P2", "P3", "P4"], [1, 9, 50, 40])[0] if kind == "fault" else "P3"
        status = rnd.choices(["closed", "resolved", "in_progress", "cancelled"], statuses)[0]
        title = f"{rnd.choice(TITLES)}（{i}）" if realistic else f"压测工单 {i}"
        tickets.append(Ticket(
            number=f"BN-{i:06d}", title=title, kind=kind, severity=severity, status=status,
            business_system=rnd.choice(systems), requester=user, organization=org, reported_at=reported,
            recorded_by=user, created_at=reported, updated_at=reported,
            resource="vcpu" if kind == "resource" else "", direction="increase" if kind == "resource" else "",
            acknowledged_at=reported + dt.timedelta(minutes=5), resolved_at=reported + dt.timedelta(minutes=40)
            if status in ("closed", "resolved") else None,
        ))
    Ticket.objects.bulk_create(tickets, batch_size=2000)
    clocks, downtimes, ratings = [], [], []
    for t in tickets:
        names = ["response", "resolve"] + (["restore"] if t.severity == "P1" and t.kind == "fault" else [])
        for name in names:
            target = {"response": 15, "resolve": 30, "restore": 240}[name]
            if not realistic:
                elapsed = rnd.randrange(1, target * 2)
            elif rnd.random() < REALISTIC["on_time"][name]:
                elapsed = rnd.randrange(1, target + 1)
            else:
                elapsed = round(target * rnd.uniform(1.02, 2.5))
            stopped = t.status != "in_progress" or name == "response"
            clocks.append(SlaClock(
                ticket=t, name=name, target_minutes=target, calendar="24x7", stop_on="resolve", started_at=t.reported_at,
                due_at=t.reported_at + dt.timedelta(minutes=target),
                stopped_at=t.reported_at + dt.timedelta(minutes=elapsed) if stopped else None,
                elapsed_minutes=elapsed if stopped else None, breached=stopped and elapsed > target,
            ))
        if t.severity == "P1":
            downtimes.append(DowntimeRecord(ticket=t, business_system=t.business_system, start=t.reported_at,
                                            end=t.reported_at + dt.timedelta(minutes=rnd.randrange(10, 300)),
                                            created_at=t.reported_at))
        if t.status == "closed" and rnd.random() < 0.3:
            score = rnd.choices(*REALISTIC["scores"])[0] if realistic else rnd.choice([3, 4, 5, 5, 5])
            ratings.append(SatisfactionRating(ticket=t, score=score, rated_by=user,
                                              rated_at=t.reported_at + dt.timedelta(hours=2)))
    SlaClock.objects.bulk_create(clocks, batch_size=5000)
    DowntimeRecord.objects.bulk_create(downtimes)
    SatisfactionRating.objects.bulk_create(ratings, batch_size=2000)
    return org


def main() -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from reports.selectors.kpis import Scope, kpis_compute
    from reports.selectors.periods import month_period

    call_command("migrate", verbosity=0)
    try:
        with transaction.atomic():
            t0 = time.perf_counter()
            org = build_month()
            print(f"inserted {N} tickets in {time.perf_counter() - t0:.1f} s ({connection.vendor})")
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            period = month_period(MONTH)
            for label, scope in (("organisation", Scope(organization_id=org.pk)), ("all", Scope())):
                times = []
                for _ in range(5):
                    t0 = time.perf_counter()
                    result = kpis_compute(period=period, scope=scope, now=EVAL_AT)
                    times.append(time.perf_counter() - t0)
                print(f"kpis_compute ({label}): best {min(times):.3f} s, worst {max(times):.3f} s; "
                      f"response count {result.figures['response_time']['count']}")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
