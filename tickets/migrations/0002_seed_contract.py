"""Seed the contract of ../shared/contract: the purchaser, the provider, the service period
2025-06-27 to 2026-06-26 and its 22 service items exactly as in the table (a merged cell takes the
value above it). tests/tickets/test_reference_seed.py compares them with the document."""

import datetime as dt

from django.db import migrations

PURCHASER = "北京市城市管理综合执法局"
PURCHASER_SHORT = "市城管执法局"
PROVIDER = "政务云服务商"
CONTRACT_CODE = "BJCG-ZWY-2025"
CONTRACT_NAME = "北京市城市管理综合执法大数据平台政务云服务"

# (序号, 服务大类, 服务子类, 服务项, 计价单位, 数量, 服务期（月）)
CATALOGUE = [(1, '云主机服务', 'x86平台云主机服务', 'vCPU（主频不低于2.4GHz）', '1CPU', 4235, 12),
 (2, '云主机服务', 'x86平台云主机服务', '内存', '1GB', 9269, 12),
 (3, '存储服务', '存储服务-普通', '提供普通性能存储服务（单盘IOPS 2000-5000）', '1GB', 358742, 12),
 (4, '存储服务', '存储服务-高性能', '提供高性能存储服务（单盘IOPS 10000-25000）', '1GB', 149938, 12),
 (5, '存储服务', '存储服务-高性能对象存储', '提供高性能对象存储服务（单盘IOPS 10000-25000）', '1GB', 30000, 12),
 (6, '存储服务', '静态存储', '大容量、高可靠的数据存储服务，具备PB级线性扩展能力', '1TB', 53, 12),
 (7, '网络服务', '互联网链路带宽', '须提供多线运营商接入服务，保证稳定可靠。', '1Mb', 300, 12),
 (8, '网络服务', '互联网IP地址服务', '提供互联网地址租用，并且提供网站域名备案服务。', '1IP', 7, 12),
 (9, '网络服务', '负载均衡', '主机负载均衡服务', '1IP', 27, 12),
 (10, '网络服务', '远程接入服务', '每个账号结合身份验通过VPN远程接入堡垒机维护', '1账号', 33, 12),
 (11, '网络服务', 'SSL证书', '提供SSL证书服务，提供https保护，对流量进行加密，防止数据被窃取。', '1套', 2, 12),
 (12, '备份服务', '本地备份服务', '通过备份策略实现文件、操作系统、数据库的本地备份（不包含备份存储空间费用）', '1GB', 53000, 12),
 (13, '基础软件支撑服务', 'Windows Server 套餐', 'Windows Server 租用、安装及维护。', '1套', 28, 12),
 (14, '基础软件支撑服务', '开源操作系统套餐', '开源操作系统租用、安装及维护。', '1套', 228, 12),
 (15, '基础软件支撑服务', '国产操作系统套餐', '国产化要求操作系统套餐服务-统信', '1套', 9, 12),
 (16, '安全服务', 'WAF防护', 'WAF防护服务，保证用户网站对已知安全隐患进行防护，实时升级漏洞补丁，配置防护策略，可起到前端防护作用。', '1IP', 7, 12),
 (17, '安全服务', '云端APT防护服务', '对未知攻击威胁进行检测和防护，发现隐蔽威胁、木马后门等异常威胁。', '1套', 2, 12),
 (18, '安全服务', '云端抗DDOS服务', '提供云端抗DDOS服务，避免业务遭受拒绝服务攻击', '1套', 1, 12),
 (19, '安全服务', '主机杀毒服务', '对云主机进行定期的病毒查杀，杀毒软件集中控制，对网络性能无影响。', '1台', 265, 12),
 (20, '安全服务', '支持国密远程运维接入（含usbkey、VPN）', '支持国密远程运维接入服务，仅包含绑定国密数字证书usbkey 1个）及支持国密VPN运维通道', '1套', 1, 12),
 (21, '运维服务', '云主机深度监控服务', '7*24小时深度监测云主机资源、硬件设备监控、云平台层应急处置等内容', '1主机', 265, 12),
 (22, '其他服务', 'CDN服务', '将源站内容分发至最接近用户的节点，使用户可就近取得所需内容，提高用户访问的响应速度和成功率。', '1月', 20000, 12)]


def seed(apps, schema_editor):
    Organization = apps.get_model("accounts", "Organization")
    Contract = apps.get_model("tickets", "Contract")
    ServiceItem = apps.get_model("tickets", "ServiceItem")
    purchaser, _ = Organization.objects.get_or_create(
        name=PURCHASER, defaults={"short_name": PURCHASER_SHORT, "kind": "purchaser"}
    )
    provider, _ = Organization.objects.get_or_create(name=PROVIDER, defaults={"short_name": "服务商", "kind": "provider"})
    contract, created = Contract.objects.get_or_create(
        code=CONTRACT_CODE,
        defaults={
            "name": CONTRACT_NAME,
            "purchaser": purchaser,
            "provider": provider,
            "start_date": dt.date(2025, 6, 27),
            "end_date": dt.date(2026, 6, 26),
        },
    )
    if created:
        ServiceItem.objects.bulk_create(
            ServiceItem(
                contract=contract, seq=seq, category=cat, sub_category=sub, item=item, unit=unit, quantity=qty, months=months
            )
            for seq, cat, sub, item, unit, qty, months in CATALOGUE
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial"), ("accounts", "0002_roles")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
