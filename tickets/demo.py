"""Demo reference data (seed_demo): the renewal contract, six business systems, forty hosts."""

import datetime as dt

from django.db import transaction

from accounts.models import Organization

from .models import BusinessSystem, Contract, Host, ServiceItem

# name, purchaser, importance, onboarding, hosts
SYSTEMS = [
    ("城市管理综合执法大数据平台", "北京市城市管理综合执法局", "important", "in_cloud", 12),
    ("执法办案管理系统", "北京市城市管理综合执法局", "important", "in_cloud", 8),
    ("接诉即办联动处置系统", "北京市城市管理综合执法局", "normal", "in_cloud", 6),
    ("门户网站", "北京市城市管理综合执法局", "normal", "in_cloud", 4),
    ("水务监测预警平台", "北京市水务局", "important", "in_cloud", 6),
    ("水务协同办公系统", "北京市水务局", "normal", "in_cloud", 4),
]


@transaction.atomic
def seed_reference() -> None:
    first = Contract.objects.get(code="BJCG-ZWY-2025")
    renewal, created = Contract.objects.get_or_create(
        code="BJCG-ZWY-2026",
        defaults={
            "name": first.name + "（续签）",
            "purchaser": first.purchaser,
            "provider": first.provider,
            "start_date": dt.date(2026, 6, 27),
            "end_date": dt.date(2027, 6, 26),
            "previous": first,
        },
    )
    if created:
        ServiceItem.objects.bulk_create(
            ServiceItem(
                contract=renewal,
                seq=i.seq,
                category=i.category,
                sub_category=i.sub_category,
                item=i.item,
                unit=i.unit,
                quantity=i.quantity,
                months=i.months,
            )
            for i in first.items.order_by("seq")
        )

    host_no = 0
    os_cycle = ["open_source", "open_source", "open_source", "windows", "domestic"]
    for s_index, (name, org_name, importance, onboarding, host_count) in enumerate(SYSTEMS):
        org = Organization.objects.get(name=org_name)
        dept = org.departments.order_by("pk").first()
        system, _ = BusinessSystem.objects.get_or_create(
            organization=org,
            name=name,
            defaults={"importance": importance, "onboarding_status": onboarding, "owner_department": dept},
        )
        for h in range(host_count):
            host_no += 1
            Host.objects.get_or_create(
                name=f"bj-gov-{s_index + 1:02d}-{h + 1:02d}",
                defaults={
                    "business_system": system,
                    "vcpu": (4, 8, 16)[h % 3],
                    "memory_gb": (16, 32, 64)[h % 3],
                    "storage_gb": (200, 500, 1000)[h % 3],
                    "os_family": os_cycle[host_no % len(os_cycle)],
                    "ip_address": f"10.{20 + s_index}.{h // 250}.{(h % 250) + 10}",
                    "monitored": True,
                },
            )
