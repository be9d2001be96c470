"""Demo organisations and accounts (seed_demo). Idempotent: existing rows are left as they are."""

from django.conf import settings
from django.db import transaction

from .models import Organization, User
from .roles import Role
from .services import user_create

PURCHASER_1 = "北京市城市管理综合执法局"
PURCHASER_2 = "北京市水务局"
PROVIDER = "政务云服务商"

# username, 姓名, organisation, department, title, roles, mobile
ACCOUNTS = [
    ("pm", "王建国", PROVIDER, None, "项目经理", [Role.PROJECT_MANAGER], "13800000001"),
    ("lead", "李明", PROVIDER, None, "技术负责人", [Role.TECH_LEAD, Role.DUTY_LEADER, Role.ENGINEER], "13800000002"),
    ("eng1", "张伟", PROVIDER, None, "运维工程师", [Role.ENGINEER], "13800000011"),
    ("eng2", "刘洋", PROVIDER, None, "运维工程师", [Role.ENGINEER], "13800000012"),
    ("eng3", "陈静", PROVIDER, None, "安全工程师", [Role.ENGINEER], "13800000013"),
    ("eng4", "赵磊", PROVIDER, None, "数据库工程师", [Role.ENGINEER], "13800000014"),
    ("req1", "孙丽", PURCHASER_1, "信息中心", "信息中心科员", [Role.REQUESTER], "13900000001"),
    ("appr1", "周强", PURCHASER_1, "信息中心", "信息中心主任", [Role.APPROVER, Role.REQUESTER], "13900000002"),
    ("req2", "吴敏", PURCHASER_2, "信息科", "信息科科员", [Role.REQUESTER], "13900000003"),
    ("appr2", "郑涛", PURCHASER_2, "信息科", "信息科科长", [Role.APPROVER, Role.REQUESTER], "13900000004"),
    # An auditor reads what its organisation may see: purchaser A's 审计处 reads purchaser A only,
    # the provider's quality auditor every purchaser.
    ("audit", "冯雪", PURCHASER_1, "审计处", "审计员", [Role.AUDITOR], "13900000005"),
    ("qa", "钱程", PROVIDER, None, "质量审计员", [Role.AUDITOR], "13800000021"),
]


@transaction.atomic
def seed() -> list[str]:
    p1, _ = Organization.objects.get_or_create(name=PURCHASER_1, defaults={"short_name": "市城管执法局", "kind": "purchaser"})
    p2, _ = Organization.objects.get_or_create(name=PURCHASER_2, defaults={"short_name": "市水务局", "kind": "purchaser"})
    provider, _ = Organization.objects.get_or_create(name=PROVIDER, defaults={"short_name": "服务商", "kind": "provider"})
    departments = {
        (PURCHASER_1, "信息中心"): Organization.objects.get_or_create(
            name="市城管执法局信息中心", defaults={"short_name": "信息中心", "kind": "purchaser", "parent": p1}
        )[0],
        (PURCHASER_1, "审计处"): Organization.objects.get_or_create(
            name="市城管执法局审计处", defaults={"short_name": "审计处", "kind": "purchaser", "parent": p1}
        )[0],
        (PURCHASER_2, "信息科"): Organization.objects.get_or_create(
            name="市水务局信息科", defaults={"short_name": "信息科", "kind": "purchaser", "parent": p2}
        )[0],
    }
    orgs = {PURCHASER_1: p1, PURCHASER_2: p2, PROVIDER: provider}
    created = []
    for username, name, org, dept, title, roles, mobile in ACCOUNTS:
        if User.objects.filter(username=username).exists():
            continue
        user_create(
            username=username,
            real_name=name,
            organization=departments[(org, dept)] if dept else orgs[org],
            roles=list(roles),
            password=settings.DEMO_PASSWORD,
            email=f"{username}@opsdesk.example",
            mobile=mobile,
            title=title,
            is_staff=username == "pm",
        )
        created.append(username)
    return created
